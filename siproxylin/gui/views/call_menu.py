"""CallMenu: the menu bar's Call menu: Call Contact…, Hang Up, Mute.

"Call Contact…" (Ctrl+Shift+C) calls the contact of the open one-to-one
conversation; "Hang Up" (Ctrl+Shift+H) ends the call under way; "Mute"
(Ctrl+Shift+M) mutes our microphone in it. The actions are enabled only when
they would do something. Qt widgets, the call and chat presenters, ``CallWindows``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from siproxylin.domain.call_info import CallInfo
from siproxylin.domain.models import ChatKind
from siproxylin.gui.call_labels import needs_answer
from siproxylin.gui.presenters.calls import CallsPresenter
from siproxylin.gui.presenters.chat import ChatPresenter
from siproxylin.gui.views.call_windows import CallWindows

_SHIFT_CTRL = Qt.Modifier.CTRL | Qt.Modifier.SHIFT


class CallMenu(QObject):
    """The Call menu's actions and what they do."""

    def __init__(
        self, menu: QMenu, calls: CallsPresenter, chat: ChatPresenter, windows: CallWindows
    ) -> None:
        super().__init__(menu)
        self.menu = menu
        self._calls = calls
        self._chat = chat
        self._windows = windows
        self.call_action = menu.addAction("&Call Contact…")
        self.call_action.setShortcut(QKeySequence(_SHIFT_CTRL | Qt.Key.Key_C))
        self.hang_up_action = menu.addAction("&Hang Up")
        self.hang_up_action.setShortcut(QKeySequence(_SHIFT_CTRL | Qt.Key.Key_H))
        self.mute_action = menu.addAction("&Mute")
        self.mute_action.setCheckable(True)
        self.mute_action.setShortcut(QKeySequence(_SHIFT_CTRL | Qt.Key.Key_M))
        self.call_action.triggered.connect(self.call_open_contact)
        self.hang_up_action.triggered.connect(self.hang_up)
        self.mute_action.triggered.connect(self._on_mute_triggered)
        menu.aboutToShow.connect(self.refresh)
        calls.changed.connect(lambda _call: self.refresh())
        calls.availability_changed.connect(self.refresh)
        chat.conversation_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Enable what applies now."""
        self.call_action.setEnabled(self._open_contact_callable())
        current = self._taken()
        self.hang_up_action.setEnabled(current is not None)
        self.mute_action.setEnabled(current is not None)
        self.mute_action.setChecked(current is not None and current.muted)

    def call_open_contact(self) -> None:
        """Call the contact of the open conversation."""
        if self._open_contact_callable():
            assert self._chat.conversation is not None
            self._windows.start_call(*self._chat.conversation)

    def hang_up(self) -> None:
        """End the call under way."""
        current = self._taken()
        if current is not None:
            self._calls.hang_up(current.call_id)

    def _on_mute_triggered(self, muted: bool) -> None:
        current = self._taken()
        if current is not None:
            self._calls.set_muted(current.call_id, muted)

    def _open_contact_callable(self) -> bool:
        conversation = self._chat.conversation
        return (
            conversation is not None
            and self._chat.kind is ChatKind.CHAT
            and self._calls.current() is None
            and self._calls.can_call(*conversation)
        )

    def _taken(self) -> CallInfo | None:
        current = self._calls.current()
        return None if current is None or needs_answer(current) else current
