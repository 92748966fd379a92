"""Notifier: turns the core's notification requests into desktop notifications.

Owns the choice of backend (``gui/desktop_notifications``: freedesktop D-Bus,
else the tray, else none, logged once; a D-Bus backend that stops working hands
over to the next one), one notification per conversation (a burst updates it,
a read withdraws it), and the last check that the conversation is not the one
on screen in the active window. A click on a notification asks the window to
open its conversation (``open_requested``). Title and body are passed on as the
core made them: never more than the conversation's level allows. Imports Qt,
``domain`` and ``gui``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind
from siproxylin.domain.notifications import NotificationRequested, NotificationWithdrawn
from siproxylin.gui.bridge import EventBridge
from siproxylin.gui.desktop_notifications import (
    HAVE_JEEPNEY,
    FreedesktopBackend,
    NotificationBackend,
    NullBackend,
    TrayBackend,
)

log = logging.getLogger(__name__)

Conversation = tuple[AccountId, Jid]


def default_backends() -> list[Callable[[], NotificationBackend]]:
    """The backends to try on this desktop, best first."""
    backends: list[Callable[[], NotificationBackend]] = []
    if HAVE_JEEPNEY:
        backends.append(FreedesktopBackend)
    if TrayBackend.available():
        backends.append(TrayBackend)
    backends.append(NullBackend)
    return backends


class Notifier(QObject):
    """Shows what the core asks to notify (see the module doc).

    Args:
        backends: Makers of the backends to use, best first; the next one is
            made when the current one fails.
        is_visible: Whether a conversation is on screen in the active window.
    """

    open_requested = Signal(object, object, object)  # AccountId, Jid, ChatKind

    def __init__(
        self,
        backends: Sequence[Callable[[], NotificationBackend]],
        is_visible: Callable[[AccountId, Jid], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._makers = list(backends) or [NullBackend]
        self._is_visible = is_visible
        self._keys: dict[Conversation, int] = {}
        self._conversations: dict[int, tuple[Conversation, ChatKind]] = {}
        self._latest: dict[int, NotificationRequested] = {}
        self.backend = self._next_backend()

    def register(self, bridge: EventBridge) -> None:
        """Subscribe the handlers to the bridge."""
        bridge.register(NotificationRequested, self._on_notification_requested)
        bridge.register(NotificationWithdrawn, self._on_notification_withdrawn)

    # --- handlers --------------------------------------------------------------------

    def _on_notification_requested(self, events: Sequence[NotificationRequested]) -> None:
        newest: dict[Conversation, NotificationRequested] = {}
        for event in events:  # a batch may update one conversation several times
            newest[(event.account, event.conversation)] = event
        for conversation, event in newest.items():
            if self._is_visible(*conversation):
                continue
            key = self._key(conversation, event.kind)
            self._latest[key] = event
            self.backend.show(key, event.title, event.body)

    def _on_notification_withdrawn(self, events: Sequence[NotificationWithdrawn]) -> None:
        for event in events:
            key = self._keys.get((event.account, event.conversation))
            if key is not None and self._latest.pop(key, None) is not None:
                self.backend.close(key)

    def _on_activated(self, key: int) -> None:
        found = self._conversations.get(key)
        if found is None:
            return
        (account, jid), kind = found
        self.open_requested.emit(account, jid, kind)

    def _on_failed(self) -> None:
        if not self._makers:
            return
        self.backend = self._next_backend()
        for key, event in list(self._latest.items())[-1:]:  # only the newest is shown again
            self.backend.show(key, event.title, event.body)

    # --- internals -------------------------------------------------------------------

    def _next_backend(self) -> NotificationBackend:
        backend = self._makers.pop(0)()
        backend.on_activated = self._on_activated
        backend.on_failed = self._on_failed
        return backend

    def _key(self, conversation: Conversation, kind: ChatKind) -> int:
        key = self._keys.get(conversation)
        if key is None:
            key = self._keys[conversation] = len(self._keys) + 1
        self._conversations[key] = (conversation, kind)
        return key
