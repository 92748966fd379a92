"""The notification menus: a chat's or room's Notifications submenu, and Do Not Disturb.

Owns the words for the privacy levels (shared with the account settings dialog)
and the checkable actions that set them through ``NotificationService``: a
conversation's level (Default follows its account), a room's messages (All,
Mentions, None) and the app-wide Do Not Disturb switch. Qt widgets, ``domain``
and ``core`` (the service) only.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from siproxylin.core.services.notifications import NotificationService
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.notifications import NotifyLevel, RoomNotify

# What each level shows, in menu order; None follows the account (or the app).
LEVEL_TEXT: dict[NotifyLevel | None, str] = {
    None: "&Default",
    NotifyLevel.FULL: "Sender and &Text",
    NotifyLevel.SENDER: "&Sender Only",
    NotifyLevel.ANONYMOUS: "“&New Message” Only",
}
ROOM_TEXT: dict[RoomNotify, str] = {
    RoomNotify.ALL: "&All Messages",
    RoomNotify.MENTIONS: "&Mentions of My Nickname",
    RoomNotify.NONE: "N&one",
}
DND_TEXT = "Do Not &Disturb"


def notification_menu(
    parent: QWidget | QMenu,
    service: NotificationService,
    account: AccountId,
    jid: Jid,
    room: bool = False,
) -> QMenu:
    """The Notifications submenu of one conversation (a room's has its messages too)."""
    menu = QMenu("&Notifications", parent)
    current = service.chat_level(account, jid)
    group = QActionGroup(menu)
    for level, text in LEVEL_TEXT.items():
        action = _checkable(menu, group, text, level == current)
        action.setObjectName(f"level-{level.value if level else 'default'}")
        action.triggered.connect(
            lambda _checked=False, level=level: service.set_chat_level(account, jid, level)
        )
    if room:
        menu.addSeparator()
        setting = service.room_setting(account, jid)
        rooms = QActionGroup(menu)
        for choice, text in ROOM_TEXT.items():
            action = _checkable(menu, rooms, text, choice is setting)
            action.setObjectName(f"room-{choice.value}")
            action.triggered.connect(
                lambda _checked=False, choice=choice: service.set_room_setting(account, jid, choice)
            )
    return menu


def dnd_action(service: NotificationService, parent: QWidget | QMenu) -> QAction:
    """A checkable Do Not Disturb action kept in the app's preferences."""
    action = QAction(DND_TEXT, parent)
    action.setCheckable(True)
    action.setChecked(service.do_not_disturb())
    action.setToolTip("No notifications; unread messages are still counted.")
    action.toggled.connect(service.set_do_not_disturb)
    return action


def refresh_dnd(action: QAction, service: NotificationService) -> None:
    """Check the action as do-not-disturb is now (it may have ended by itself)."""
    blocked = action.blockSignals(True)
    action.setChecked(service.do_not_disturb())
    action.blockSignals(blocked)


def _checkable(menu: QMenu, group: QActionGroup, text: str, checked: bool) -> QAction:
    action = menu.addAction(text)
    action.setCheckable(True)
    action.setChecked(checked)
    group.addAction(action)
    return action
