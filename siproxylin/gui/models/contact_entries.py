"""Row values of the contact tree (AccountEntry, ContactEntry) and their role data.

Plain frozen values built by ``presenters.contacts``; the role functions turn
them into display text (through ``gui.labels``), icons, fonts and tooltips for
``ContactTreeModel``. Imports ``domain`` and Qt GUI types only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont

from siproxylin.domain.config import ProxyConfig
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import AccountStatus, Availability, RoomState, Subscription
from siproxylin.gui import avatars, icons, labels
from siproxylin.gui.theme import colours as theme_colours

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)


class ContactRole(enum.IntEnum):
    """Extra data roles of the contact tree."""

    ACCOUNT = int(Qt.ItemDataRole.UserRole) + 1  # AccountId of the row (or its parent)
    JID = enum.auto()  # Jid: the account's or the contact's bare address
    AVAILABILITY = enum.auto()  # Availability of a contact
    IN_ROSTER = enum.auto()  # bool: False for someone who only wrote to us
    UNREAD = enum.auto()  # int: unread incoming messages
    TITLE = enum.auto()  # str: the main text (address of an account, name of a contact)
    DETAIL = enum.auto()  # str: the secondary text (account state, status message)
    ROOM_STATE = enum.auto()  # RoomState of a group chat row, None for a contact


@dataclass(frozen=True, slots=True)
class AccountEntry:
    """What the tree shows for an account; ``proxy`` is the one its connections use."""

    account: AccountId
    jid: Jid
    status: AccountStatus
    enabled: bool = True
    proxy: ProxyConfig = field(default_factory=ProxyConfig)


@dataclass(frozen=True, slots=True)
class ContactEntry:
    """What the tree shows for a contact, or for a group chat (``room_state`` set).

    A group chat's ``status`` is its state in words and ``name`` its remembered name.
    """

    jid: Jid
    name: str = ""
    availability: Availability = Availability.OFFLINE
    status: str = ""
    in_roster: bool = True
    subscription: Subscription = Subscription.NONE
    unread: int = 0
    room_state: RoomState | None = None
    avatar: str = ""  # the cached picture's path, "" for initials
    nickname: str = ""  # what the contact calls itself

    @property
    def display_name(self) -> str:
        """The roster name, else the contact's nickname, else the address."""
        if self.room_state is not None:
            return self.name or self.jid.local or str(self.jid)
        return self.name or self.nickname or str(self.jid)

    @property
    def is_room(self) -> bool:
        """True for a group chat row."""
        return self.room_state is not None


def account_data(entry: AccountEntry, role: int) -> Any:  # noqa: PLR0911
    """What an account row shows for ``role``."""
    if role == _DISPLAY:
        return f"{entry.jid} — {_account_detail(entry)}"
    if role == _DECORATION:
        return icons.account_state_icon(entry.status.state)
    if role == _TOOLTIP:
        return _account_tooltip(entry)
    if role == _FONT:
        return _bold()
    if role == ContactRole.TITLE:
        return str(entry.jid)
    if role == ContactRole.DETAIL:
        return _account_detail(entry)
    if role == ContactRole.ACCOUNT:
        return entry.account
    if role == ContactRole.JID:
        return entry.jid
    return None


def contact_data(account: AccountId, entry: ContactEntry, role: int) -> Any:  # noqa: PLR0911
    """What a contact row of ``account`` shows for ``role``."""
    if role in (_DISPLAY, ContactRole.TITLE):
        name = entry.display_name
        return f"{name} ({entry.unread})" if entry.unread else name
    if role == _DECORATION:
        if entry.room_state is not None:
            if entry.avatar:
                name, key = entry.display_name, str(entry.jid)
                return avatars.room_avatar_icon(entry.avatar, name, key, entry.room_state)
            return icons.room_icon(entry.room_state)
        return avatars.contact_icon(
            entry.avatar, entry.display_name, str(entry.jid), entry.availability
        )
    if role == _TOOLTIP:
        return _room_tooltip(entry) if entry.is_room else _contact_tooltip(entry)
    if role == _FOREGROUND:
        if entry.is_room:
            return _muted() if entry.room_state is not RoomState.JOINED else None
        if entry.availability is Availability.OFFLINE:
            return _muted()
        return None
    if role == _FONT:
        return _bold() if entry.unread else None
    return _contact_value(account, entry, role)


def _contact_value(account: AccountId, entry: ContactEntry, role: int) -> Any:  # noqa: PLR0911
    if role == ContactRole.ACCOUNT:
        return account
    if role == ContactRole.JID:
        return entry.jid
    if role == ContactRole.AVAILABILITY:
        return entry.availability
    if role == ContactRole.IN_ROSTER:
        return entry.in_roster
    if role == ContactRole.UNREAD:
        return entry.unread
    if role == ContactRole.DETAIL:
        return entry.status if entry.in_roster or entry.is_room else "not in contacts"
    if role == ContactRole.ROOM_STATE:
        return entry.room_state
    return None


def _account_detail(entry: AccountEntry) -> str:
    """The state, and the proxy when there is one: "online · via SOCKS5 127.0.0.1:9050"."""
    state = labels.account_state_text(entry.status)
    if not entry.proxy.enabled:
        return state
    return f"{state} · via {entry.proxy.label}"


def _account_tooltip(entry: AccountEntry) -> str:
    state = labels.account_state_text(entry.status)
    lines = [str(entry.jid), state if entry.enabled else f"{state} (disabled)"]
    detail = labels.account_state_detail(entry.status)
    if detail:
        lines.append(detail)
    lines.append(labels.proxy_text(entry.proxy))
    return "\n".join(lines)


@cache
def _muted() -> QBrush:
    return QBrush(theme_colours().colour("muted"))


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


def _contact_tooltip(entry: ContactEntry) -> str:
    presence = labels.availability_text(entry.availability)
    lines = [
        str(entry.jid),
        f"{presence}: {entry.status}" if entry.status else presence,
    ]
    if not entry.in_roster:
        lines.append("not in your contact list")
    elif entry.subscription in (Subscription.NONE, Subscription.FROM):
        lines.append("presence not shared with you")
    return "\n".join(lines)


def _room_tooltip(entry: ContactEntry) -> str:
    lines = [f"Group chat {entry.jid}"]
    if entry.name:
        lines.insert(0, entry.name)
    if entry.status:
        lines.append(entry.status)
    return "\n".join(lines)
