"""JoinRoomDialog and CreateRoomDialog: enter a group chat, or make a new one.

Owns the two forms and their validation (a bare room address, a nick). The
dialog stays open while the room answers: "Joining…", then it closes on
``joined`` when we are in, or shows the room's refusal in words (``RoomError``'s
text); a members-only refusal offers to ask for membership. Qt widgets,
``domain`` and ``gui.presenters.rooms``.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from siproxylin.domain.errors import RoomError, SiproxylinError
from siproxylin.domain.events import RoomStateChanged
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.domain.models import RoomConfig, RoomState
from siproxylin.gui.async_slot import async_slot
from siproxylin.gui.presenters.rooms import RoomsPresenter
from siproxylin.gui.theme import set_tone

JOINING = "Joining…"
REMEMBER = "&Remember (bookmark it and join it on start)"


class _RoomDialog(QDialog):
    """What both forms share: account, address, nick, remember, and the room's answer."""

    joined = Signal(object, object)  # AccountId, room Jid: we are in

    def __init__(
        self,
        rooms: RoomsPresenter,
        accounts: Sequence[tuple[AccountId, Jid]],
        selected: AccountId | None,
        parent: QWidget | None,
    ) -> None:
        super().__init__(parent)
        self.setMinimumWidth(440)
        self._rooms = rooms
        self._target: tuple[AccountId, Jid] | None = None
        self._error = ""
        self._refused: tuple[AccountId, Jid] | None = None  # remembered only by this dialog
        self._known: set[tuple[AccountId, Jid]] = set()  # remembered before this dialog
        self.account_combo = QComboBox(self)
        for account, jid in accounts:
            self.account_combo.addItem(str(jid), account)
            if account == selected:
                self.account_combo.setCurrentIndex(self.account_combo.count() - 1)
        self.address_edit = QLineEdit(self)
        self.address_edit.setPlaceholderText("room@conference.example.org")
        self.nick_edit = QLineEdit(self)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("only if the room needs one")
        self.remember_check = QCheckBox(REMEMBER, self)
        self.remember_check.setChecked(True)
        self.form = QFormLayout()
        self.form.addRow("A&ccount:", self.account_combo)
        self.form.addRow("&Address:", self.address_edit)
        self.form.addRow("&Nickname:", self.nick_edit)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("status")
        self.status_label.setWordWrap(True)
        self.status_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.membership_button = QPushButton("Request &Membership", self)
        self.buttons.addButton(self.membership_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.membership_button.hide()
        self.membership_button.clicked.connect(self._on_membership_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.account_combo.currentIndexChanged.connect(self._on_account_changed)
        self.address_edit.textEdited.connect(self._clear_status)
        rooms.state_changed.connect(self._on_state_changed)
        self._on_account_changed()

    def _finish_layout(self) -> None:
        self.form.addRow("&Password:", self.password_edit)
        self.form.addRow("", self.remember_check)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)

    # --- form --------------------------------------------------------------------

    def account(self) -> AccountId | None:
        """The chosen account."""
        data = self.account_combo.currentData()
        return AccountId(int(data)) if data is not None else None

    def room(self) -> Jid | str:
        """The room's bare address, or an error text to show."""
        text = self.address_edit.text().strip()
        if text.startswith("xmpp:"):
            text = text.removeprefix("xmpp:").split("?", 1)[0]
        try:
            jid = Jid.parse(text)
        except InvalidJid:
            return "This is not a valid room address: write it as room@conference.server.org."
        if not jid.is_bare or not jid.local:
            return "Give the room's address as room@conference.server.org."
        return jid

    def show_error(self, text: str) -> None:
        """Show why the room could not be entered."""
        self._error = text
        set_tone(self.status_label, "failed")
        self.status_label.setText(text)
        self.status_label.show()
        self.ok_button.setEnabled(True)

    def show_progress(self, text: str) -> None:
        """Say what is going on (no error)."""
        self._error = ""
        set_tone(self.status_label, None)
        self.status_label.setText(text)
        self.status_label.show()

    @property
    def error_text(self) -> str:
        """The error shown, or ""."""
        return self._error

    def _clear_status(self) -> None:
        self._error = ""
        self.status_label.hide()
        self.membership_button.hide()

    def _on_account_changed(self) -> None:
        account = self.account()
        if account is not None:
            self.nick_edit.setPlaceholderText(self._rooms.default_nick(account))

    def _validated(self) -> tuple[AccountId, Jid, str] | None:
        account = self.account()
        if account is None:
            self.show_error("Add an account first.")
            return None
        room = self.room()
        if isinstance(room, str):
            self.show_error(room)
            return None
        nick = self.nick_edit.text().strip() or self._rooms.default_nick(account)
        return account, room, nick

    # --- the room's answer -------------------------------------------------------------

    def _on_state_changed(self, event: RoomStateChanged) -> None:
        if self._target != (event.account, event.room.bare):
            return
        if event.state is RoomState.JOINED:
            self._target = None
            self.joined.emit(event.account, event.room.bare)
            self.done(QDialog.DialogCode.Accepted)
        elif event.state in (RoomState.FAILED, RoomState.LEFT) and event.reason is not None:
            key = (event.account, event.room.bare)
            if key not in self._known:
                self._refused = key
            self.show_error(event.text)
            self.membership_button.setVisible(event.reason is RoomError.MEMBERS_ONLY)

    def _on_membership_clicked(self) -> None:
        valid = self._validated()
        if valid is not None:
            self.membership_button.hide()
            self._request_membership(*valid)

    @async_slot
    async def _request_membership(self, account: AccountId, room: Jid, nick: str) -> None:
        self.show_progress("Asking the room for membership…")
        self._target = (account, room)
        try:
            await self._rooms.request_membership(account, room, nick)
        except SiproxylinError as error:
            self.show_error(f"Membership not granted: {error}")
            return
        if self._rooms.membership_pending(account, room):
            self.show_progress(
                "Your request was sent. An admin of the room has to approve it; the room"
                " is listed with your group chats meanwhile."
            )

    def _start(self) -> tuple[AccountId, Jid, str] | None:
        valid = self._validated()
        if valid is None:
            return None
        account, room, _nick = valid
        self._target = (account, room)
        if self._rooms.is_remembered(account, room) and self._refused != (account, room):
            self._known.add((account, room))
        self.ok_button.setEnabled(False)
        self.membership_button.hide()
        self.show_progress(JOINING)
        return valid

    def reject(self) -> None:
        """Cancel: a room that refused us is not kept unless it was remembered before."""
        self._target = None
        self.password_edit.clear()
        if self._refused is not None and not self._rooms.membership_pending(*self._refused):
            self._forget(*self._refused)
        self._refused = None
        super().reject()

    @async_slot
    async def _forget(self, account: AccountId, room: Jid) -> None:
        await self._rooms.forget(account, room)


class JoinRoomDialog(_RoomDialog):
    """Join a group chat: address, nick, password, remember."""

    def __init__(
        self,
        rooms: RoomsPresenter,
        accounts: Sequence[tuple[AccountId, Jid]],
        selected: AccountId | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(rooms, accounts, selected, parent)
        self.setWindowTitle("Join Group Chat")
        self.ok_button.setText("&Join")
        self._finish_layout()

    def accept(self) -> None:
        valid = self._start()
        if valid is not None:
            self._join(*valid)

    @async_slot
    async def _join(self, account: AccountId, room: Jid, nick: str) -> None:
        try:
            await self._rooms.join(
                account, room, nick, self.password_edit.text(), self.remember_check.isChecked()
            )
        except SiproxylinError as error:
            self._target = None
            self.show_error(str(error))


class CreateRoomDialog(_RoomDialog):
    """Create a group chat: address, name, members-only, persistent, password."""

    def __init__(
        self,
        rooms: RoomsPresenter,
        accounts: Sequence[tuple[AccountId, Jid]],
        selected: AccountId | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(rooms, accounts, selected, parent)
        self.setWindowTitle("Create Group Chat")
        self.ok_button.setText("C&reate")
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("optional")
        self.members_only_check = QCheckBox("&Members only (people must be invited)", self)
        self.persistent_check = QCheckBox("&Persistent (stays when everyone has left)", self)
        self.persistent_check.setChecked(True)
        self.form.insertRow(2, "Na&me:", self.name_edit)
        self.form.addRow("", self.members_only_check)
        self.form.addRow("", self.persistent_check)
        self._finish_layout()

    def config(self) -> RoomConfig:
        """The settings the new room gets."""
        members_only = self.members_only_check.isChecked()
        return RoomConfig(
            name=self.name_edit.text().strip(),
            persistent=self.persistent_check.isChecked(),
            members_only=members_only,
            password=self.password_edit.text(),
            public=not members_only,
            allow_invites=members_only,
        )

    def accept(self) -> None:
        valid = self._start()
        if valid is not None:
            self.show_progress("Creating the room…")
            self._create(*valid)

    @async_slot
    async def _create(self, account: AccountId, room: Jid, nick: str) -> None:
        try:
            await self._rooms.create(
                account, room, nick, self.config(), self.remember_check.isChecked()
            )
        except SiproxylinError as error:
            self._target = None
            self.show_error(str(error))
