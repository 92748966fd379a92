"""AddContactDialog: choose an account, give an address and an optional name.

Owns the form and its validation (``Jid.parse``, a bare address). Adding the
contact is the caller's job. Qt widgets and ``domain`` only.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.gui.theme import set_tone


class AddContactDialog(QDialog):
    """Form for a new contact; ``contact()`` after it is accepted."""

    def __init__(
        self,
        accounts: Sequence[tuple[AccountId, Jid]],
        selected: AccountId | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add Contact")
        self.setMinimumWidth(400)
        self._result: tuple[AccountId, Jid, str] | None = None
        self.account_combo = QComboBox(self)
        for account, jid in accounts:
            self.account_combo.addItem(str(jid), account)
            if account == selected:
                self.account_combo.setCurrentIndex(self.account_combo.count() - 1)
        self.jid_edit = QLineEdit(self)
        self.jid_edit.setPlaceholderText("friend@example.org")
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("optional")
        form = QFormLayout()
        form.addRow("A&ccount:", self.account_combo)
        form.addRow("&Address:", self.jid_edit)
        form.addRow("&Name:", self.name_edit)
        self.error_label = QLabel(self)
        set_tone(self.error_label, "failed")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
            self,
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add Contact")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.jid_edit.textEdited.connect(self.error_label.hide)

    def contact(self) -> tuple[AccountId, Jid, str]:
        """(account, bare address, name). Only after accept."""
        if self._result is None:
            raise RuntimeError("the dialog was not accepted")
        return self._result

    def validate(self) -> tuple[AccountId, Jid, str] | str:
        """The contact, or an error text to show."""
        account = self.account_combo.currentData()
        if account is None:
            return "Add an account first."
        try:
            jid = Jid.parse(self.jid_edit.text())
        except InvalidJid:
            return "This is not a valid address: write it as name@server.org."
        if not jid.is_bare:
            return "Give the address without a /resource."
        return AccountId(int(account)), jid, self.name_edit.text().strip()

    def accept(self) -> None:
        result = self.validate()
        if isinstance(result, str):
            self.error_label.setText(result)
            self.error_label.show()
            return
        self._result = result
        super().accept()
