"""Notification privacy: the levels, the room settings, their preference keys and events.

What a desktop notification may show is a privacy decision: the notification
daemon may keep, log or mirror it (lock screen, phone bridge), so the user picks
how much leaves the client. Stdlib only; the rules live in
``core/services/notifications.py``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from siproxylin.domain.events import Event
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import ChatKind

# Preference keys (``PreferencesService``). LEVEL_KEY is read per chat, then per
# account, then for the app; ROOM_KEY per room; the DND keys for the app only.
LEVEL_KEY = "notify/level"
ROOM_KEY = "notify/room"
DND_KEY = "notify/dnd"
DND_UNTIL_KEY = "notify/dnd-until"  # UTC seconds; 0: until turned off


class NotifyLevel(enum.Enum):
    """How much a notification shows."""

    FULL = "full"  # sender and text
    SENDER = "sender"  # "Message from Bob"
    ANONYMOUS = "anonymous"  # "New message"


class RoomNotify(enum.Enum):
    """Which group chat messages notify."""

    ALL = "all"
    MENTIONS = "mentions"  # messages naming our nick, and replies to ours
    NONE = "none"


DEFAULT_LEVEL = NotifyLevel.FULL
DEFAULT_ROOM = RoomNotify.MENTIONS


def parse_level(text: str) -> NotifyLevel | None:
    """A stored level, or None when unset or not understood."""
    try:
        return NotifyLevel(text)
    except ValueError:
        return None


def parse_room(text: str) -> RoomNotify | None:
    """A stored room setting, or None when unset or not understood."""
    try:
        return RoomNotify(text)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class NotificationRequested(Event):
    """Show (or update) the notification of one conversation.

    Title and body already hold only what the conversation's level allows; the
    GUI shows them as they are.

    Attributes:
        conversation: The conversation's address (a contact, a room, or
            ``room/nick`` for a private message in a room).
        kind: Chat, group chat or private message in a room.
        title: The notification's summary line.
        body: Its text ("" for the levels that hide it).
        count: Messages it stands for since the conversation was last read.
        level: The level it was made with.
    """

    conversation: Jid
    kind: ChatKind
    title: str
    body: str
    count: int = 1
    level: NotifyLevel = NotifyLevel.FULL


@dataclass(frozen=True, slots=True)
class NotificationWithdrawn(Event):
    """The conversation's notification is no longer wanted (it was read or opened).

    Attributes:
        conversation: The conversation's address.
    """

    conversation: Jid
