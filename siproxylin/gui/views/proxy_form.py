"""ProxyForm: the fields of an account's proxy (type, host, port, login, Tor isolation).

A widget reused by the add-account and account-settings dialogs. It owns the
fields, the "Tor" preset, the hint that a host name is looked up on this
computer, enabling the isolation box only where it means something, and the
validation with its inline error text. It returns a ``ProxyConfig``; storing it
is the caller's job. Qt widgets and ``domain`` only.
"""

from __future__ import annotations

import ipaddress

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from siproxylin.domain.config import TOR_PRESET, ProxyConfig, ProxyKind
from siproxylin.gui.views.forms import error_label, hint_label

KINDS = (ProxyKind.NONE, ProxyKind.SOCKS5, ProxyKind.HTTP)
KIND_TEXT = {
    ProxyKind.NONE: "None (direct connection)",
    ProxyKind.SOCKS5: "SOCKS5",
    ProxyKind.HTTP: "HTTP CONNECT",
}
HOST_HINT = (
    "An IP address is recommended: a name is looked up on this computer once, before connecting."
)
ISOLATE_TEXT = "Isolate this account's Tor circuits"
ISOLATE_TIP = (
    "Sends a random user name and password to the proxy, so that Tor puts this"
    " account on circuits of its own and exit relays cannot link it to your other"
    " accounts. Only for SOCKS5 without a user name and password."
)
TOR_TIP = (
    "Use the Tor service on this computer: SOCKS5 127.0.0.1:9050, with isolated"
    " circuits. (Tor Browser listens on port 9150 instead.)"
)
MAX_PORT = 65535


def is_ip_address(host: str) -> bool:
    """True for an IPv4 or IPv6 literal (brackets allowed around IPv6)."""
    try:
        ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return True


def _host_error(host: str) -> str:
    if not host:
        return "Enter the proxy's host, such as 127.0.0.1."
    if "/" in host or any(c.isspace() for c in host):
        return "The proxy host must be an IP address or a name, without “socks5://” or a path."
    if ":" in host and not is_ip_address(host):
        return "Write the proxy's port in its own field, not after the host."
    return ""


def _port_error(text: str) -> str:
    if not text:
        return "Enter the proxy's port (1–65535)."
    if not text.isdigit() or not 1 <= int(text) <= MAX_PORT:
        return "The proxy port must be a number from 1 to 65535."
    return ""


class ProxyForm(QWidget):
    """Proxy fields; ``validate()``/``check()`` give the ``ProxyConfig``."""

    edited = Signal()  # the user changed a field

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._isolate = True  # the user's choice, kept while the box does not apply
        self._build()
        self._on_changed()

    def _build(self) -> None:
        self.kind_combo = QComboBox(self)
        for kind in KINDS:
            self.kind_combo.addItem(KIND_TEXT[kind])
        self.tor_button = QPushButton("Tor", self)
        self.tor_button.setToolTip(TOR_TIP)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind_combo, 1)
        kind_row.addWidget(self.tor_button)
        self.host_edit = QLineEdit(self)
        self.host_edit.setPlaceholderText("IP address, e.g. 127.0.0.1")
        self.host_hint = hint_label(HOST_HINT, self)
        self.port_edit = QLineEdit(self)
        self.port_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,5}"), self.port_edit)
        )
        self.port_edit.setMaximumWidth(self.port_edit.fontMetrics().horizontalAdvance("0") * 10)
        self.username_edit = QLineEdit(self)
        self.username_edit.setPlaceholderText("optional")
        self.password_edit = QLineEdit(self)
        self.password_edit.setPlaceholderText("optional")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.isolate_check = QCheckBox(ISOLATE_TEXT, self)
        self.isolate_check.setToolTip(ISOLATE_TIP)
        self.isolate_check.setChecked(True)
        self.error_label = error_label(self)

        self.form = QFormLayout()
        self.form.setContentsMargins(0, 0, 0, 0)
        kind_label = QLabel("Proxy &type:", self)
        kind_label.setBuddy(self.kind_combo)  # a row holding a layout gets no buddy by itself
        self.form.addRow(kind_label, kind_row)
        self.form.addRow("Proxy &host:", self.host_edit)
        self.form.addRow("", self.host_hint)
        self.form.addRow("Proxy p&ort:", self.port_edit)
        self.form.addRow("&User name:", self.username_edit)
        self.form.addRow("Pass&word:", self.password_edit)
        self.form.addRow("", self.isolate_check)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self.form)
        column.addWidget(self.error_label)

        self.kind_combo.activated.connect(self._on_user_edit)
        self.kind_combo.currentIndexChanged.connect(self._on_changed)
        self.tor_button.clicked.connect(self.apply_tor_preset)
        self.isolate_check.clicked.connect(self._on_user_edit)
        self.isolate_check.toggled.connect(self._on_isolate_toggled)
        for edit in (self.host_edit, self.port_edit, self.username_edit, self.password_edit):
            edit.textChanged.connect(self._on_changed)
            edit.textEdited.connect(self._on_user_edit)

    # --- values ------------------------------------------------------------------

    def kind(self) -> ProxyKind:
        """The proxy type chosen."""
        return KINDS[max(self.kind_combo.currentIndex(), 0)]

    def set_proxy(self, proxy: ProxyConfig) -> None:
        """Show ``proxy`` in the fields (a direct connection leaves them empty)."""
        self.kind_combo.setCurrentIndex(KINDS.index(proxy.kind))
        self.host_edit.setText(proxy.host)
        self.port_edit.setText(str(proxy.port) if proxy.port else "")
        self.username_edit.setText(proxy.username)
        self.password_edit.setText(proxy.password)
        self._isolate = proxy.isolate
        self._on_changed()
        self.clear_error()

    def apply_tor_preset(self) -> None:
        """Fill in the local Tor SOCKS port, without a login, with isolated circuits."""
        self.set_proxy(TOR_PRESET)
        self.edited.emit()

    def validate(self) -> ProxyConfig | str:
        """The proxy, or an error text to show."""
        kind = self.kind()
        if kind is ProxyKind.NONE:
            return ProxyConfig()
        host = self.host_edit.text().strip()
        port_text = self.port_edit.text().strip()
        username, password = self.username_edit.text().strip(), self.password_edit.text()
        error = _host_error(host) or _port_error(port_text)
        if not error and password and not username:
            error = "A proxy password needs a user name."
        if error:
            return error
        return ProxyConfig(
            kind,
            host.removeprefix("[").removesuffix("]"),
            int(port_text),
            username,
            password,
            self._isolate,
        )

    def check(self) -> ProxyConfig | None:
        """The proxy, or None after showing the error under the fields."""
        result = self.validate()
        if isinstance(result, str):
            self.show_error(result)
            return None
        self.clear_error()
        return result

    def show_error(self, text: str) -> None:
        """Show a validation error under the fields."""
        self.error_label.setText(text)
        self.error_label.show()

    def clear_error(self) -> None:
        """Hide the validation error."""
        self.error_label.hide()

    # --- handlers ----------------------------------------------------------------

    def _on_user_edit(self) -> None:
        self.clear_error()
        self.edited.emit()

    def _on_isolate_toggled(self, checked: bool) -> None:
        if self.isolate_check.isEnabled():
            self._isolate = checked

    def _on_changed(self) -> None:
        proxied = self.kind() is not ProxyKind.NONE
        for widget in (self.host_edit, self.port_edit, self.username_edit, self.password_edit):
            widget.setEnabled(proxied)
        login = bool(self.username_edit.text().strip() or self.password_edit.text())
        applies = self.kind() is ProxyKind.SOCKS5 and not login
        # Unticked while it does not apply, so that it never seems to promise isolation.
        self.isolate_check.setEnabled(applies)
        self.isolate_check.setChecked(self._isolate and applies)
        host = self.host_edit.text().strip()
        self.form.setRowVisible(self.host_hint, proxied and bool(host) and not is_ip_address(host))
