"""ServerForm: where an account connects (host, port) and how its certificate is checked.

A widget reused by the add-account and account-settings dialogs: an optional
server host and port (taken from the address when empty), an optional CA or
certificate file for a self-hosted server, and direct TLS. It validates them
and returns plain values. Qt widgets and ``domain`` only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from siproxylin.domain.config import TlsPolicy


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """The values of the form: ``AccountConfig.server_host``/``server_port``/``tls``."""

    host: str
    port: int
    tls: TlsPolicy


class ServerForm(QWidget):
    """Server fields; ``validate()`` gives ``ServerSettings`` or an error text."""

    edited = Signal()  # the user changed a field

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host_edit = QLineEdit(self)
        self.host_edit.setPlaceholderText("optional: taken from the address")
        self.port_spin = QSpinBox(self)
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText("automatic")
        self.ca_edit = QLineEdit(self)
        self.ca_edit.setPlaceholderText("optional: for a self-hosted server")
        self.browse_button = QPushButton("Browse…", self)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(self.browse_button)
        self.direct_tls_check = QCheckBox("Use direct TLS (instead of STARTTLS)", self)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow("Server &host:", self.host_edit)
        self.form.addRow("Server p&ort:", self.port_spin)
        ca_label = QLabel("CA / &certificate:", self)
        ca_label.setBuddy(self.ca_edit)  # a row holding a layout gets no buddy by itself
        self.form.addRow(ca_label, ca_row)
        self.form.addRow("", self.direct_tls_check)
        self.browse_button.clicked.connect(self._on_browse_clicked)
        for edit in (self.host_edit, self.ca_edit):
            edit.textEdited.connect(self._on_user_edit)
        self.port_spin.valueChanged.connect(self._on_user_edit)
        self.direct_tls_check.clicked.connect(self._on_user_edit)

    def set_values(self, host: str, port: int, tls: TlsPolicy) -> None:
        """Show an account's server settings."""
        self.host_edit.setText(host)
        self.port_spin.setValue(port)
        self.ca_edit.setText(tls.ca_file)
        self.direct_tls_check.setChecked(tls.direct_tls)

    def validate(self) -> ServerSettings | str:
        """The settings, or an error text to show."""
        host = self.host_edit.text().strip()
        if any(c.isspace() for c in host) or "/" in host:
            return "The server host must be a host name or an IP address."
        ca_file = self.ca_edit.text().strip()
        if ca_file and not os.path.isfile(ca_file):
            return f"The certificate file {ca_file} does not exist."
        tls = TlsPolicy(ca_file=ca_file, direct_tls=self.direct_tls_check.isChecked())
        return ServerSettings(host, self.port_spin.value(), tls)

    # --- handlers ----------------------------------------------------------------

    def _on_user_edit(self) -> None:
        self.edited.emit()

    def _on_browse_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            "CA or certificate file",
            os.path.dirname(self.ca_edit.text()),
            "Certificates (*.pem *.crt *.cer);;All files (*)",
        )
        if path:
            self.ca_edit.setText(path)
            self.edited.emit()
