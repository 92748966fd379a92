"""CallButton: the chat header's call button, with the conversation's recent calls.

Shown in a one-to-one conversation only (hidden in rooms and private messages in
rooms), enabled when ``CallsPresenter.can_call`` says the contact can be called
now. Beside it a second button tells how the last call went ("Missed call ·
14:02", "Call · 2:13 · 09:30", or just "Calls") and opens the recent calls with
this contact, newest first: the call history sits in the header rather than in
the message list, whose rows are stored messages. Qt widgets, the chat and call
presenters.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QMenu, QToolButton, QWidget

from siproxylin.domain.call_info import CallRecord
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind
from siproxylin.gui.call_labels import history_line
from siproxylin.gui.presenters.calls import CallsPresenter
from siproxylin.gui.presenters.chat import ChatPresenter
from siproxylin.gui.theme import set_tone

CALL_TIP = "Audio call (relayed)"
CANNOT_CALL_TIP = "Calls need the account online and the contact in your contacts."
NO_CALLS = "No calls yet"
CALLS = "Calls"
HISTORY_LIMIT = 15


class CallButton(QWidget):
    """Call button, recent calls menu and last call note of the open conversation."""

    call_requested = Signal(object, object)  # AccountId, bare Jid

    def __init__(
        self, calls: CallsPresenter, chat: ChatPresenter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._calls = calls
        self._chat = chat
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.history_button = QToolButton(self)
        self.history_button.setObjectName("lastCall")
        self.history_button.setAutoRaise(True)
        self.history_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.history_menu = QMenu(self)
        self.history_button.setMenu(self.history_menu)
        self.button = QToolButton(self)
        self.button.setObjectName("callButton")
        self.button.setText("📞 Call")
        self.button.setAccessibleName("Call")
        self.button.setAutoRaise(True)
        row.addWidget(self.history_button)
        row.addWidget(self.button)
        self.button.clicked.connect(self._on_clicked)
        self.history_menu.aboutToShow.connect(self._fill_history)
        chat.conversation_changed.connect(self.refresh)
        chat.peer_changed.connect(self.refresh)
        calls.availability_changed.connect(self.refresh)
        calls.changed.connect(lambda _call: self.refresh())
        calls.history_changed.connect(self._on_history_changed)
        self.refresh()

    def peer(self) -> tuple[AccountId, Jid] | None:
        """The open one-to-one conversation, if that is what is open."""
        if self._chat.conversation is None or self._chat.kind is not ChatKind.CHAT:
            return None
        return self._chat.conversation

    def refresh(self) -> None:
        """Show, enable and annotate the button for the open conversation."""
        peer = self.peer()
        self.setVisible(peer is not None)
        if peer is None:
            return
        callable_now = self._calls.current() is None and self._calls.can_call(*peer)
        self.button.setEnabled(callable_now)
        self.button.setToolTip(CALL_TIP if callable_now else CANNOT_CALL_TIP)
        self._show_last(self._calls.history(*peer, 1))

    def records(self) -> list[CallRecord]:
        """The recent calls of the open conversation, newest first."""
        peer = self.peer()
        return [] if peer is None else self._calls.history(*peer, HISTORY_LIMIT)[::-1]

    def _show_last(self, last: list[CallRecord]) -> None:
        button = self.history_button
        if not last:
            button.setText(CALLS)
            button.setToolTip("Recent calls with this contact")
            set_tone(button, "muted")
            return
        record = last[-1]
        button.setText(history_line(record))
        button.setToolTip(f"Last call: {record.end_text}" if record.end_text else "Recent calls")
        set_tone(button, "failed" if record.missed else "muted")

    def _fill_history(self) -> None:
        menu = self.history_menu
        menu.clear()
        records = self.records()
        if not records:
            menu.addAction(NO_CALLS).setEnabled(False)
            return
        for record in records:
            action = menu.addAction(history_line(record))
            action.setToolTip(record.end_text)
            action.setEnabled(False)

    def _on_clicked(self) -> None:
        peer = self.peer()
        if peer is not None and self.button.isEnabled():
            self.call_requested.emit(*peer)

    def _on_history_changed(self, account: AccountId, peer: Jid) -> None:
        if self.peer() == (account, peer):
            self.refresh()
