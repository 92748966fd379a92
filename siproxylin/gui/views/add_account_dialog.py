"""AddAccountDialog: asks for a new account's address, password and connection settings.

Owns the form and its validation (the address through ``Jid.parse``, a password,
and in a "Connection" section the server fields of ``ServerForm`` and the proxy
of ``ProxyForm``). Errors are shown inline and the dialog stays open. It builds
an ``AccountConfig`` with id 0; storing it is the caller's job. Qt widgets and
``domain`` only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from siproxylin.domain.config import AccountConfig
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.gui.views.forms import align_labels, error_label
from siproxylin.gui.views.proxy_form import ProxyForm
from siproxylin.gui.views.server_form import ServerForm


class AddAccountDialog(QDialog):
    """New-account form; read ``account_config()``/``password()`` once accepted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add Account")
        self.setMinimumWidth(480)
        self._config: AccountConfig | None = None
        self._build()

    def _build(self) -> None:
        form = QFormLayout()
        self.jid_edit = QLineEdit(self)
        self.jid_edit.setPlaceholderText("you@example.org")
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("&Address:", self.jid_edit)
        form.addRow("&Password:", self.password_edit)
        connection = QGroupBox("Connection", self)
        self.server_form = ServerForm(connection)
        self.proxy_form = ProxyForm(connection)
        column = QVBoxLayout(connection)
        column.addWidget(self.server_form)
        column.addSpacing(6)
        column.addWidget(self.proxy_form)
        align_labels(self.server_form.form, self.proxy_form.form)
        # The server fields under their old names.
        self.host_edit = self.server_form.host_edit
        self.port_spin = self.server_form.port_spin
        self.ca_edit = self.server_form.ca_edit
        self.direct_tls_check = self.server_form.direct_tls_check
        self.error_label = error_label(self)
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
        layout.addWidget(connection)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        for edit in (self.jid_edit, self.password_edit):
            edit.textEdited.connect(self._on_field_edited)
        self.server_form.edited.connect(self.error_label.hide)

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
        """The settings, or an error text to show (the proxy's included)."""
        try:
            jid = Jid.parse(self.jid_edit.text())
        except InvalidJid:
            return "This is not a valid address: write it as name@server.org."
        if not jid.local:
            return "The address needs a name before the @, as in name@server.org."
        if not self.password_edit.text():
            return "Enter the account's password."
        server = self.server_form.validate()
        if isinstance(server, str):
            return server
        proxy = self.proxy_form.validate()
        if isinstance(proxy, str):
            return proxy
        return AccountConfig(
            id=AccountId(0),
            jid=jid.bare,
            # Empty: the account manager picks a random one, unless the address had one.
            resource=jid.resource,
            server_host=server.host,
            server_port=server.port,
            proxy=proxy,
            tls=server.tls,
        )

    # --- Qt virtuals -------------------------------------------------------------

    def accept(self) -> None:
        proxy_ok = self.proxy_form.check() is not None  # its error shows under its fields
        result = self.validate()
        if isinstance(result, str):
            if proxy_ok or result != self.proxy_form.error_label.text():
                self.error_label.setText(result)
                self.error_label.show()
            return
        self._config = result
        super().accept()

    # --- handlers ----------------------------------------------------------------

    def _on_field_edited(self, _text: str) -> None:
        self.error_label.hide()
