"""RoomBar: the strip under a group chat's header: subject, room menu and notices.

Owns the subject line (edited in place when our role allows it: Enter sets it,
Escape cancels), the room menu (show or hide the occupant list, change nick,
invite someone, leave) and the notices of the open room (kicked, banned,
configuration changed, membership pending), each a dismissable bar. Failures
are reported through ``failed``. Qt widgets; the work is ``RoomsPresenter``'s.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from siproxylin.domain.errors import SiproxylinError
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.gui.async_slot import async_slot
from siproxylin.gui.presenters.rooms import RoomsPresenter
from siproxylin.gui.views.info_bar import BarKind, InfoBar
from siproxylin.gui.views.occupant_list import AskText, ask_text

NO_SUBJECT = "No subject"


class SubjectEdit(QLineEdit):
    """A line edit that reports Escape."""

    cancelled = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)


class RoomBar(QFrame):
    """Subject, room menu and notices of the open room."""

    failed = Signal(str)
    occupants_toggled = Signal(bool)  # show the occupant list?
    left = Signal()  # the user left the room

    def __init__(self, rooms: RoomsPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("roomBar")
        self._rooms = rooms
        self._notice_bars: list[InfoBar] = []
        self.ask_text: AskText = ask_text
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 4, 8, 4)
        column.setSpacing(4)
        row = QHBoxLayout()
        self.subject_label = QLabel(self)
        self.subject_label.setObjectName("subject")
        self.subject_label.setWordWrap(True)
        self.subject_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.subject_edit = SubjectEdit(self)
        self.subject_edit.setPlaceholderText("The room's subject")
        self.subject_edit.hide()
        self.edit_button = QToolButton(self)
        self.edit_button.setText("Edit")
        self.edit_button.setToolTip("Change the subject")
        self.menu_button = QToolButton(self)
        self.menu_button.setText("Room ▾")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self)
        self.occupants_action = self.menu.addAction("Show &Occupants")
        self.occupants_action.setCheckable(True)
        self.occupants_action.setChecked(True)
        self.menu.addSeparator()
        self.nick_action = self.menu.addAction("Change &Nickname…")
        self.invite_action = self.menu.addAction("&Invite…")
        self.menu.addSeparator()
        self.leave_action = self.menu.addAction("&Leave Group Chat")
        self.menu_button.setMenu(self.menu)
        row.addWidget(self.subject_label, 1)
        row.addWidget(self.subject_edit, 1)
        row.addWidget(self.edit_button)
        row.addWidget(self.menu_button)
        column.addLayout(row)
        self.notices = QVBoxLayout()
        self.notices.setSpacing(4)
        column.addLayout(self.notices)
        self.edit_button.clicked.connect(self.start_subject_edit)
        self.subject_edit.returnPressed.connect(self._on_subject_entered)
        self.subject_edit.cancelled.connect(self._end_subject_edit)
        self.occupants_action.toggled.connect(self.occupants_toggled)
        self.nick_action.triggered.connect(self.change_nick)
        self.invite_action.triggered.connect(self.invite)
        self.leave_action.triggered.connect(self.leave)
        rooms.room_changed.connect(self.refresh)
        rooms.notice.connect(self.add_notice)
        self.refresh()

    # --- state -------------------------------------------------------------------

    def refresh(self) -> None:
        """Show the open room's subject and what we may do there."""
        rooms = self._rooms
        if rooms.room is None:
            self._clear_notices()
        subject = rooms.subject
        self.subject_label.setText(subject or NO_SUBJECT)
        self.subject_label.setStyleSheet("" if subject else "color: palette(placeholder-text);")
        self.subject_label.setToolTip(subject)
        self.edit_button.setVisible(rooms.rights().change_subject and self.subject_edit.isHidden())
        joined = bool(rooms.nick()) and rooms.own() is not None
        self.nick_action.setEnabled(joined)
        self.invite_action.setEnabled(joined)

    def notice_texts(self) -> list[str]:
        """The notices shown now, oldest first."""
        return [bar.label.text() for bar in self._notice_bars]

    def add_notice(self, text: str) -> InfoBar:
        """Show a notice about the open room."""
        bar = InfoBar(text, BarKind.WARNING, self)
        bar.add_button("Dismiss")
        self.notices.addWidget(bar)
        self._notice_bars.append(bar)
        bar.closed.connect(lambda: self._forget_notice(bar))
        return bar

    def _forget_notice(self, bar: InfoBar) -> None:
        if bar in self._notice_bars:
            self._notice_bars.remove(bar)

    def _clear_notices(self) -> None:
        for bar in list(self._notice_bars):
            bar.dismiss()

    # --- commands ----------------------------------------------------------------

    def start_subject_edit(self) -> None:
        """Edit the subject in place."""
        self.subject_edit.setText(self._rooms.subject)
        self.subject_label.hide()
        self.edit_button.hide()
        self.subject_edit.show()
        self.subject_edit.setFocus()
        self.subject_edit.selectAll()

    def _on_subject_entered(self) -> None:
        subject = self.subject_edit.text().strip()
        try:
            if subject != self._rooms.subject:
                self._rooms.set_subject(subject)
        except SiproxylinError as error:
            self.failed.emit(f"Subject not changed: {error}")
        self._end_subject_edit()

    def _end_subject_edit(self) -> None:
        self.subject_edit.hide()
        self.subject_label.show()
        self.refresh()

    def change_nick(self) -> None:
        """Ask for a new nick in the open room."""
        nick = self.ask_text(self, "Change Nickname", "New nickname:", self._rooms.nick())
        if nick is None or not nick.strip() or nick.strip() == self._rooms.nick():
            return
        try:
            self._rooms.change_nick(nick.strip())
        except SiproxylinError as error:
            self.failed.emit(f"Nickname not changed: {error}")

    def invite(self) -> None:
        """Ask for an address and invite it to the open room."""
        text = self.ask_text(self, "Invite", "Address of the person to invite:", "")
        if text is None or not text.strip():
            return
        try:
            invitee = Jid.parse(text.strip())
        except InvalidJid:
            self.failed.emit("Not invited: this is not a valid address.")
            return
        try:
            self._rooms.invite(invitee)
        except SiproxylinError as error:
            self.failed.emit(f"Not invited: {error}")
            return
        self.add_notice(f"{invitee.bare} was invited.")

    def leave(self) -> None:
        """Leave the open room and forget it."""
        room = self._rooms.room
        if room is not None:
            self._leave(*room)

    @async_slot
    async def _leave(self, account: AccountId, room: Jid) -> None:
        try:
            await self._rooms.leave(account, room)
        except SiproxylinError as error:
            self.failed.emit(f"Could not leave: {error}")
            return
        self.left.emit()
