"""AddAccountDialog: asks for a new account's address, password and connection settings.

Owns the form and its validation (the address through ``Jid.parse``, a password,
an optional server host/port, an optional CA or certificate file for a
self-hosted server, direct TLS). Errors are shown inline and the dialog stays
open. It builds an ``AccountConfig`` with id 0; storing it is the caller's job.
Qt widgets and ``domain`` only.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from siproxylin.domain.config import AccountConfig, TlsPolicy
from siproxylin.domain.ids import AccountId, InvalidJid, Jid


class AddAccountDialog(QDialog):
    """New-account form; read ``account_config()``/``password()`` once accepted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add Account")
        self.setMinimumWidth(440)
        self._config: AccountConfig | None = None
        self._build()

    def _build(self) -> None:
        form = QFormLayout()
        self.jid_edit = QLineEdit(self)
        self.jid_edit.setPlaceholderText("you@example.org")
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.host_edit = QLineEdit(self)
        self.host_edit.setPlaceholderText("optional: taken from the address")
        self.port_spin = QSpinBox(self)
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText("automatic")
        self.ca_edit = QLineEdit(self)
        self.ca_edit.setPlaceholderText("optional: for a self-hosted server")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._on_browse_clicked)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(browse)
        self.direct_tls_check = QCheckBox("Use direct TLS (instead of STARTTLS)", self)
        form.addRow("&Address:", self.jid_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("Server &host:", self.host_edit)
        form.addRow("Server p&ort:", self.port_spin)
        ca_label = QLabel("CA / &certificate:", self)
        ca_label.setBuddy(self.ca_edit)  # a row holding a layout gets no buddy by itself
        form.addRow(ca_label, ca_row)
        form.addRow("", self.direct_tls_check)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("error")
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
            Qt.Orientation.Horizontal,
            self,
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add Account")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        for edit in (self.jid_edit, self.password_edit, self.host_edit, self.ca_edit):
            edit.textEdited.connect(self._on_field_edited)

    # --- results -----------------------------------------------------------------

    def account_config(self) -> AccountConfig:
        """The new account's settings (id 0: the store assigns one), once accepted."""
        if self._config is None:
            raise RuntimeError("the dialog was not accepted")
        return self._config

    def password(self) -> str:
        """The password typed."""
        return self.password_edit.text()

    def validate(self) -> AccountConfig | str:
        """The settings, or an error text to show."""
        try:
            jid = Jid.parse(self.jid_edit.text())
        except InvalidJid:
            return "This is not a valid address: write it as name@server.org."
        if not jid.local:
            return "The address needs a name before the @, as in name@server.org."
        if not self.password_edit.text():
            return "Enter the account's password."
        host = self.host_edit.text().strip()
        if any(c.isspace() for c in host) or "/" in host:
            return "The server host must be a host name or an IP address."
        ca_file = self.ca_edit.text().strip()
        if ca_file and not os.path.isfile(ca_file):
            return f"The certificate file {ca_file} does not exist."
        return AccountConfig(
            id=AccountId(0),
            jid=jid.bare,
            resource=jid.resource or "siproxylin",
            server_host=host,
            server_port=self.port_spin.value(),
            tls=TlsPolicy(ca_file=ca_file, direct_tls=self.direct_tls_check.isChecked()),
        )

    # --- Qt virtuals -------------------------------------------------------------

    def accept(self) -> None:
        result = self.validate()
        if isinstance(result, str):
            self.error_label.setText(result)
            self.error_label.show()
            return
        self._config = result
        super().accept()

    # --- handlers ----------------------------------------------------------------

    def _on_field_edited(self, _text: str) -> None:
        self.error_label.hide()

    def _on_browse_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            "CA or certificate file",
            os.path.dirname(self.ca_edit.text()),
            "Certificates (*.pem *.crt *.cer);;All files (*)",
        )
        if path:
            self.ca_edit.setText(path)
