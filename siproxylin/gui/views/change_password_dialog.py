"""ChangePasswordDialog: the new password of an account, typed twice.

Owns the two fields and their check (not empty, the same twice). The change on
the server is the caller's job. Qt widgets only.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from siproxylin.gui.views.forms import error_label


class ChangePasswordDialog(QDialog):
    """Asks for a new password; read ``password()`` once accepted."""

    def __init__(self, account: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change Password")
        self.setMinimumWidth(400)
        intro = QLabel(f"The new password of {account}, changed on its server.", self)
        intro.setWordWrap(True)
        self.password_edit = QLineEdit(self)
        self.repeat_edit = QLineEdit(self)
        for edit in (self.password_edit, self.repeat_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.textEdited.connect(self._on_edited)
        form = QFormLayout()
        form.addRow("&New password:", self.password_edit)
        form.addRow("&Repeat:", self.repeat_edit)
        self.error_label = error_label(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def password(self) -> str:
        """The new password."""
        return self.password_edit.text()

    def accept(self) -> None:
        error = ""
        if not self.password_edit.text():
            error = "Enter the new password."
        elif self.password_edit.text() != self.repeat_edit.text():
            error = "The two passwords differ."
        if error:
            self.error_label.setText(error)
            self.error_label.show()
            return
        super().accept()

    def _on_edited(self, _text: str) -> None:
        self.error_label.hide()
