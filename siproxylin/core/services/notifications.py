"""Private notifications: which new messages notify, and how much the notification shows.

Rules owned here:

* only a new incoming message that arrived live notifies: never our own (typed
  here, a carbon of our other device, a room's reflection), an archive
  catch-up, a room's history replayed on join, a correction, retraction,
  reaction or delivery change, a message seen before, or one from a blocked
  address;
* nothing notifies during do-not-disturb (app-wide, optionally until a time),
  nor for the conversation the user is looking at (``set_focus``); unread
  counts are kept elsewhere and are not affected;
* the privacy level (``NotifyLevel``) of a chat overrides its account's, which
  overrides the app's (default FULL);
* in a room only messages that name our nick or answer one of ours notify,
  unless the room is set to all messages (or to none); 1:1 chats always do;
* a burst from one conversation is one notification, updated at most once per
  ``burst_window`` seconds with the number of messages since it was last read;
  reading or opening the conversation withdraws it.

Publishes ``NotificationRequested`` and ``NotificationWithdrawn``; the GUI shows
them. Preferences go through ``PreferencesService`` under the keys of
``domain.notifications``. Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from siproxylin.core.bus import EventBus
from siproxylin.core.services.authorship import conversation_jid
from siproxylin.core.services.blocking import BlockingService
from siproxylin.core.services.notification_text import content, excerpt
from siproxylin.core.services.preferences import PreferencesService, chat_key
from siproxylin.core.services.rooms import RoomService
from siproxylin.core.services.roster import RosterService
from siproxylin.domain.events import (
    AccountRemoved,
    MessageStored,
    PreferenceChanged,
    UnreadChanged,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, ChatMessage, Direction
from siproxylin.domain.notifications import (
    DEFAULT_LEVEL,
    DEFAULT_ROOM,
    DND_KEY,
    DND_UNTIL_KEY,
    LEVEL_KEY,
    ROOM_KEY,
    NotificationRequested,
    NotificationWithdrawn,
    NotifyLevel,
    RoomNotify,
    parse_level,
    parse_room,
)

BURST_WINDOW = 2.0  # seconds between two updates of one conversation's notification
SEEN_LIMIT = 1024  # message ids remembered against duplicates

_Key = tuple[AccountId, Jid]


@dataclass(slots=True)
class _Shown:
    """The notification of one conversation, since it was last read."""

    count: int = 0
    newest: ChatMessage | None = None
    authors: frozenset[str] = frozenset()
    shown_at: float = float("-inf")
    timer: asyncio.TimerHandle | None = None


class NotificationService:
    """Decides what to notify (see the module doc).

    Args:
        bus: The event bus.
        preferences: Where the levels and switches are kept.
        roster: Contact names (else addresses are shown).
        rooms: Our nick in rooms and their names (else rooms never notify
            unless set to all messages).
        blocking: The block list (nothing from a blocked address notifies).
        clock: UTC seconds now (do-not-disturb "until", bursts).
    """

    def __init__(
        self,
        bus: EventBus,
        preferences: PreferencesService,
        *,
        roster: RosterService | None = None,
        rooms: RoomService | None = None,
        blocking: BlockingService | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._bus = bus
        self._preferences = preferences
        self._roster = roster
        self._rooms = rooms
        self._blocking = blocking
        self._clock = clock
        self.burst_window = BURST_WINDOW
        self._focus: _Key | None = None
        self._shown: dict[_Key, _Shown] = {}
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._cache: dict[tuple[AccountId | None, str], str] = {}
        self._dnd: tuple[bool, int] | None = None
        bus.subscribe(MessageStored, self._on_message_stored)
        bus.subscribe(UnreadChanged, self._on_unread_changed)
        bus.subscribe(PreferenceChanged, self._on_preference_changed)
        bus.subscribe(AccountRemoved, self._on_account_removed)

    # --- levels ----------------------------------------------------------------------

    def level(self, account: AccountId, peer: Jid | None = None) -> NotifyLevel:
        """The level that applies to a conversation (or to the account's others)."""
        if peer is not None:
            found = self.chat_level(account, peer)
            if found is not None:
                return found
        return self.account_level(account) or self.app_level()

    def chat_level(self, account: AccountId, peer: Jid) -> NotifyLevel | None:
        """The conversation's own level; None when it follows its account."""
        return parse_level(self._get(account, chat_key(peer, LEVEL_KEY)))

    def set_chat_level(self, account: AccountId, peer: Jid, level: NotifyLevel | None) -> None:
        """Give a conversation its own level, or (None) let it follow its account."""
        if level is None:
            self._preferences.reset_chat(account, peer, LEVEL_KEY)
        else:
            self._preferences.set_chat(account, peer, LEVEL_KEY, level.value)

    def account_level(self, account: AccountId) -> NotifyLevel | None:
        """The account's level; None when it follows the app."""
        return parse_level(self._get(account, LEVEL_KEY))

    def set_account_level(self, account: AccountId, level: NotifyLevel | None) -> None:
        """Give an account its own level, or (None) let it follow the app."""
        if level is None:
            self._preferences.reset(LEVEL_KEY, account)
        else:
            self._preferences.set(LEVEL_KEY, level.value, account)

    def app_level(self) -> NotifyLevel:
        """The level of accounts without one of their own."""
        return parse_level(self._get(None, LEVEL_KEY)) or DEFAULT_LEVEL

    def set_app_level(self, level: NotifyLevel) -> None:
        """The level of accounts without one of their own."""
        self._preferences.set(LEVEL_KEY, level.value)

    # --- rooms and do-not-disturb ----------------------------------------------------

    def room_setting(self, account: AccountId, room: Jid) -> RoomNotify:
        """Which messages of a room notify."""
        return parse_room(self._get(account, chat_key(room.bare, ROOM_KEY))) or DEFAULT_ROOM

    def set_room_setting(self, account: AccountId, room: Jid, setting: RoomNotify | None) -> None:
        """Which messages of a room notify (None: the default, mentions)."""
        if setting is None:
            self._preferences.reset_chat(account, room.bare, ROOM_KEY)
        else:
            self._preferences.set_chat(account, room.bare, ROOM_KEY, setting.value)

    def do_not_disturb(self) -> bool:
        """True while nothing may notify."""
        if self._dnd is None:
            self._dnd = (
                self._preferences.flag(DND_KEY),
                self._preferences.number(DND_UNTIL_KEY),
            )
        on, until = self._dnd
        return on and (until <= 0 or self._clock() < until)

    def do_not_disturb_until(self) -> float:
        """When do-not-disturb ends by itself (0: it does not, or it is off)."""
        return self._preferences.number(DND_UNTIL_KEY) if self.do_not_disturb() else 0

    def set_do_not_disturb(self, on: bool, until: float = 0) -> None:
        """Turn do-not-disturb on (until a UTC time, or 0: until turned off) or off."""
        self._preferences.set(DND_UNTIL_KEY, int(until) if on else 0)
        self._preferences.set(DND_KEY, on)

    def set_focus(self, account: AccountId | None, peer: Jid | None) -> None:
        """The conversation on screen in the active window (None: none is)."""
        self._focus = (account, peer) if account is not None and peer is not None else None
        if self._focus is not None:
            self._withdraw(self._focus)

    # --- handlers --------------------------------------------------------------------

    def _on_message_stored(self, event: MessageStored) -> None:
        message = event.message
        if not self._is_news(event) or self.do_not_disturb():
            return
        key = (message.account, conversation_jid(message))
        if key == self._focus or self._blocked(message):
            return
        if message.kind is ChatKind.GROUPCHAT and not self._room_wants(message):
            return
        shown = self._shown.setdefault(key, _Shown())
        shown.count += 1
        shown.newest = message
        shown.authors = shown.authors | {message.resource}
        if shown.timer is not None:
            return  # the pending update will include it
        wait = shown.shown_at + self.burst_window - self._clock()
        loop = _running_loop()
        if wait <= 0 or loop is None:
            self._publish(key)
        else:
            shown.timer = loop.call_later(wait, self._publish, key)

    def _on_unread_changed(self, event: UnreadChanged) -> None:
        if event.count == 0:
            self._withdraw((event.account, event.peer))

    def _on_preference_changed(self, _event: PreferenceChanged) -> None:
        self._cache.clear()
        self._dnd = None

    def _on_account_removed(self, event: AccountRemoved) -> None:
        for key in [key for key in self._shown if key[0] == event.account]:
            self._withdraw(key)

    # --- internals -------------------------------------------------------------------

    def _is_news(self, event: MessageStored) -> bool:
        """A new incoming message that arrived live, not seen before."""
        message = event.message
        if not event.new or event.archived or message.direction is not Direction.INCOMING:
            return False
        if message.retracted or (event.delayed and message.kind is ChatKind.GROUPCHAT):
            return False  # a room's history replayed on join is not news
        if message.id in self._seen:
            return False
        self._seen[message.id] = None
        if len(self._seen) > SEEN_LIMIT:
            self._seen.popitem(last=False)
        return True

    def _blocked(self, message: ChatMessage) -> bool:
        if self._blocking is None:
            return False
        return self._blocking.is_blocked(message.account, message.peer)

    def _room_wants(self, message: ChatMessage) -> bool:
        setting = self.room_setting(message.account, message.peer)
        if setting is not RoomNotify.MENTIONS:
            return setting is RoomNotify.ALL
        nick = self._rooms.nick(message.account, message.peer) if self._rooms else ""
        if not nick:
            return False
        if message.reply_to_jid == str(message.peer.bare.with_resource(nick)):
            return True
        return mentions(message.body, nick)

    def _publish(self, key: _Key) -> None:
        shown = self._shown.get(key)
        if shown is None or shown.newest is None:
            return
        shown.timer = None
        shown.shown_at = self._clock()
        message = shown.newest
        level = self.level(*key)
        sender, room = self._names(message)
        text = excerpt(message.body, message.attachment)
        if message.kind is ChatKind.GROUPCHAT and len(shown.authors) > 1:
            sender, text = "", f"{message.resource}: {text}"
        words = content(level, shown.count, sender, room, text)
        self._bus.publish(
            NotificationRequested(
                key[0], key[1], message.kind, words.title, words.body, shown.count, level
            )
        )

    def _withdraw(self, key: _Key) -> None:
        shown = self._shown.pop(key, None)
        if shown is None:
            return
        if shown.timer is not None:
            shown.timer.cancel()
        if shown.shown_at != float("-inf"):
            self._bus.publish(NotificationWithdrawn(key[0], key[1]))

    def _names(self, message: ChatMessage) -> tuple[str, str]:
        """(sender, room) as shown: a roster name or address, a nick and a room name."""
        if message.kind is ChatKind.CHAT:
            return self._contact_name(message.account, message.peer.bare), ""
        nick = message.resource if message.kind is ChatKind.GROUPCHAT else message.peer.resource
        return nick, self._room_name(message.account, message.peer.bare)

    def _contact_name(self, account: AccountId, jid: Jid) -> str:
        if self._roster is not None:
            for item in self._roster.roster(account):
                if item.jid == jid and item.name:
                    return item.name
        return str(jid)

    def _room_name(self, account: AccountId, room: Jid) -> str:
        if self._rooms is not None:
            for stored in self._rooms.stored_rooms(account):
                if stored.room == room and stored.name:
                    return stored.name
        return room.local or str(room)

    def _get(self, account: AccountId | None, key: str) -> str:
        cached = self._cache.get((account, key))
        if cached is None:
            cached = self._cache[(account, key)] = self._preferences.text(key, "", account)
        return cached


def mentions(body: str, nick: str) -> bool:
    """True when ``body`` names ``nick`` as a word of its own (any case)."""
    return re.search(rf"(?<!\w){re.escape(nick)}(?!\w)", body, re.IGNORECASE) is not None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
