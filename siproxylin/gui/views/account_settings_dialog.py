"""AccountSettingsDialog: every setting of one account, on Account/Connection/Privacy/Logging tabs.

Shows an ``AccountConfig`` and builds the edited one: the address is read-only,
an empty password field means "unchanged", the server and proxy come from
``ServerForm`` and ``ProxyForm``, each ``PrivacyOptions`` field has a checkbox
with a short explanation, and the account's log level is a combo. Errors are
shown inline (the tab holding the field is brought forward) and the dialog
stays open. Saving is the caller's job. Qt widgets and ``domain`` only.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, fields, replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from siproxylin.core.turn_setting import parse_turn_uri
from siproxylin.domain.config import AccountConfig, LogLevel, PrivacyOptions
from siproxylin.domain.ids import InvalidJid, Jid
from siproxylin.domain.notifications import NotifyLevel
from siproxylin.gui.views.forms import align_labels, error_label, hint_label
from siproxylin.gui.views.notification_menu import LEVEL_TEXT
from siproxylin.gui.views.proxy_form import ProxyForm
from siproxylin.gui.views.server_form import ServerForm

ACCOUNT_TAB, CONNECTION_TAB, PRIVACY_TAB, LOGGING_TAB = range(4)

# Checkbox text and explanation of every PrivacyOptions field, in the order shown.
PRIVACY_TEXT: dict[str, tuple[str, str]] = {
    "chat_states": ("Send typing notifications", "Contacts see when you are typing a reply."),
    "read_markers": ("Send read markers", "Contacts see when you have read their messages."),
    "send_idle": (
        "Tell contacts how long you have been idle",
        "Reveals when you last used this computer.",
    ),
    "send_version": (
        "Answer software version requests (name and version; never the OS)",
        "Off: whoever asks gets an error and learns nothing about your client.",
    ),
    "send_time": (
        "Answer local time requests (reveals your time zone)",
        "Off: whoever asks gets an error.",
    ),
    "random_resource": (
        "Use a random resource (hides which app you use)",
        "Contacts can see your resource, the part after “/” in your full address."
        " Ticking this puts a new random one on the Account tab.",
    ),
}
MB = 1024 * 1024
LOG_LEVELS = (LogLevel.OFF, LogLevel.ERROR, LogLevel.WARNING, LogLevel.INFO, LogLevel.DEBUG)
LOG_LEVEL_TEXT = {
    LogLevel.OFF: "Off",
    LogLevel.ERROR: "Error",
    LogLevel.WARNING: "Warning",
    LogLevel.INFO: "Info",
    LogLevel.DEBUG: "Debug",
}


@dataclass(frozen=True, slots=True)
class TurnFields:
    """The account's own TURN server as the Calls tab shows and edits it."""

    uri: str = ""
    username: str = ""
    password: str = ""
    only: bool = True


class AccountSettingsDialog(QDialog):
    """Edits one account; read ``account_config()``/``password()`` once accepted."""

    def __init__(
        self,
        config: AccountConfig,
        parent: QWidget | None = None,
        *,
        notify_level: NotifyLevel | None = None,
        show_notifications: bool = False,
        turn: TurnFields | None = None,
    ) -> None:
        super().__init__(parent)
        self.original = config
        self._notify_level = notify_level
        self._show_notifications = show_notifications
        self._config: AccountConfig | None = None
        self.setWindowTitle(f"Account Settings — {config.jid}")
        self.setMinimumWidth(520)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._account_tab(), "&Account")
        self.tabs.addTab(self._connection_tab(), "Co&nnection")
        self.tabs.addTab(self._privacy_tab(), "Pri&vacy")
        self.tabs.addTab(self._logging_tab(), "&Logging")
        self.turn_uri_edit: QLineEdit | None = None
        if turn is not None:
            self.tabs.addTab(self._calls_tab(turn), "Ca&lls")
        self.error_label = error_label(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
            Qt.Orientation.Horizontal,
            self,
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self._show(config)
        for edit in (self.password_edit, self.resource_edit, self.nickname_edit):
            edit.textEdited.connect(self.error_label.hide)
        self.server_form.edited.connect(self.error_label.hide)
        self.privacy_checks["random_resource"].clicked.connect(self._on_random_resource_clicked)

    # --- construction ------------------------------------------------------------

    def _account_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.jid_edit = QLineEdit(page)
        self.jid_edit.setReadOnly(True)
        self.password_edit = QLineEdit(page)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("unchanged")
        self.resource_edit = QLineEdit(page)
        self.resource_edit.setPlaceholderText("chosen by the server")
        self.nickname_edit = QLineEdit(page)
        self.nickname_edit.setPlaceholderText("optional")
        self.enabled_check = QCheckBox("Enabled: connect this account", page)
        form.addRow("Address:", self.jid_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("", hint_label("Leave it empty to keep the stored password.", page))
        form.addRow("&Resource:", self.resource_edit)
        form.addRow(
            "",
            hint_label("The part after “/” in your full address; contacts can see it.", page),
        )
        form.addRow("&Nickname:", self.nickname_edit)
        form.addRow("", hint_label("The name offered to others.", page))
        form.addRow("", self.enabled_check)
        return page

    def _connection_tab(self) -> QWidget:
        page = QWidget(self)
        server_box = QGroupBox("Server", page)
        self.server_form = ServerForm(server_box)
        QVBoxLayout(server_box).addWidget(self.server_form)
        proxy_box = QGroupBox("Proxy", page)
        self.proxy_form = ProxyForm(proxy_box)
        QVBoxLayout(proxy_box).addWidget(self.proxy_form)
        align_labels(self.server_form.form, self.proxy_form.form)
        column = QVBoxLayout(page)
        column.addWidget(server_box)
        column.addWidget(proxy_box)
        column.addStretch(1)
        return page

    def _calls_tab(self, turn: TurnFields) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        column.addWidget(
            hint_label(
                "Calls always go through a TURN relay, so the other side never learns your"
                " address. By default the relay your XMPP server offers is used; here you"
                " can name your own (e.g. turns:turn.example.org:5349). An account behind"
                " a proxy reaches it over TCP or TLS through that proxy.",
                page,
            )
        )
        form = QFormLayout()
        self.turn_uri_edit = QLineEdit(turn.uri, page)
        self.turn_uri_edit.setPlaceholderText("empty: the server's relay")
        self.turn_user_edit = QLineEdit(turn.username, page)
        self.turn_password_edit = QLineEdit(turn.password, page)
        self.turn_password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.turn_only_check = QCheckBox("Use only this relay (never the server's)", page)
        self.turn_only_check.setChecked(turn.only)
        form.addRow("TURN &server:", self.turn_uri_edit)
        form.addRow("User &name:", self.turn_user_edit)
        form.addRow("Pass&word:", self.turn_password_edit)
        form.addRow("", self.turn_only_check)
        column.addLayout(form)
        column.addStretch(1)
        return page

    def turn_fields(self) -> TurnFields | None:
        """The edited TURN server (None when the tab is not shown)."""
        if self.turn_uri_edit is None:
            return None
        return TurnFields(
            self.turn_uri_edit.text().strip(),
            self.turn_user_edit.text().strip(),
            self.turn_password_edit.text(),
            self.turn_only_check.isChecked(),
        )

    def _privacy_tab(self) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        column.addWidget(
            hint_label(
                "What this account lets others learn. OK reconnects the account to apply changes.",
                page,
            )
        )
        self.privacy_checks: dict[str, QCheckBox] = {}
        for name, (text, explanation) in PRIVACY_TEXT.items():
            check = QCheckBox(text, page)
            check.setObjectName(name)
            self.privacy_checks[name] = check
            column.addSpacing(4)
            column.addWidget(check)
            hint = hint_label(explanation, page)
            hint.setIndent(check.iconSize().width() + 8)
            column.addWidget(hint)
        column.addSpacing(8)
        row = QHBoxLayout()
        label = QLabel("Fetch shared files &without asking up to", page)
        self.auto_download_spin = QSpinBox(page)
        self.auto_download_spin.setObjectName("auto_download_max")
        self.auto_download_spin.setRange(0, 1024)
        self.auto_download_spin.setSuffix(" MB")
        self.auto_download_spin.setSpecialValueText("never")
        label.setBuddy(self.auto_download_spin)
        row.addWidget(label)
        row.addWidget(self.auto_download_spin)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(
            hint_label(
                "Only files on the contact's own server, in one-to-one chats. Fetching a"
                " file tells its server that you are online.",
                page,
            )
        )
        self._notification_row(page, column)
        column.addStretch(1)
        return page

    def _notification_row(self, page: QWidget, column: QVBoxLayout) -> None:
        self.notify_combo = QComboBox(page)
        self.notify_combo.setObjectName("notify_level")
        for level, text in LEVEL_TEXT.items():
            self.notify_combo.addItem(text.replace("&", ""), level)
        self.notify_combo.setItemText(0, "Default (as the app)")
        self.notify_combo.setCurrentIndex(list(LEVEL_TEXT).index(self._notify_level))
        if not self._show_notifications:
            self.notify_combo.hide()
            return
        column.addSpacing(8)
        row = QHBoxLayout()
        label = QLabel("Notifications &show", page)
        label.setBuddy(self.notify_combo)
        row.addWidget(label)
        row.addWidget(self.notify_combo)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(
            hint_label(
                "The notification daemon may keep or mirror what it shows (lock screen,"
                " history). A chat's own setting (its context menu) comes first.",
                page,
            )
        )

    def _logging_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.log_combo = QComboBox(page)
        for level in LOG_LEVELS:
            self.log_combo.addItem(LOG_LEVEL_TEXT[level])
        form.addRow("Account &log level:", self.log_combo)
        form.addRow(
            "",
            hint_label(
                f"Level of this account's log file, account-{self.original.id}-app.log in"
                " the data folder. Passwords and keys are never written to it; Off writes"
                " nothing. Debug is verbose: use it to look into a problem.",
                page,
            ),
        )
        return page

    def _show(self, config: AccountConfig) -> None:
        self.jid_edit.setText(str(config.jid))
        self.resource_edit.setText(config.resource)
        self.nickname_edit.setText(config.nickname)
        self.enabled_check.setChecked(config.enabled)
        self.server_form.set_values(config.server_host, config.server_port, config.tls)
        self.proxy_form.set_proxy(config.proxy)
        for name, check in self.privacy_checks.items():
            check.setChecked(bool(getattr(config.privacy, name)))
        self.auto_download_spin.setValue(-(-config.privacy.auto_download_max // MB))
        self.log_combo.setCurrentIndex(LOG_LEVELS.index(config.log_level))

    # --- results -----------------------------------------------------------------

    def account_config(self) -> AccountConfig:
        """The edited settings, once accepted."""
        if self._config is None:
            raise RuntimeError("the dialog was not accepted")
        return self._config

    def password(self) -> str | None:
        """The new password, or None to keep the stored one."""
        return self.password_edit.text() or None

    def notify_level(self) -> NotifyLevel | None:
        """The chosen notification level; None follows the app."""
        level = self.notify_combo.currentData()
        return level if isinstance(level, NotifyLevel) else None

    def validate(self) -> AccountConfig | str:
        """The edited settings, or an error text to show (the proxy's included)."""
        error = self._resource_error()
        if error:
            return error
        turn = self.turn_fields()
        if turn is not None and turn.uri and parse_turn_uri(turn.uri) is None:
            return (
                f"“{turn.uri}” is not a TURN server address"
                " (turn:host[:port][?transport=udp|tcp] or turns:host[:port])."
            )
        server = self.server_form.validate()
        if isinstance(server, str):
            return server
        proxy = self.proxy_form.validate()
        if isinstance(proxy, str):
            return proxy
        privacy = PrivacyOptions(
            **{
                f.name: self.privacy_checks[f.name].isChecked()
                for f in fields(PrivacyOptions)
                if f.name in self.privacy_checks
            },
            auto_download_max=self.auto_download_spin.value() * MB,
        )
        return replace(
            self.original,
            resource=self.resource_edit.text().strip(),
            nickname=self.nickname_edit.text().strip(),
            enabled=self.enabled_check.isChecked(),
            server_host=server.host,
            server_port=server.port,
            tls=server.tls,
            proxy=proxy,
            privacy=privacy,
            log_level=LOG_LEVELS[self.log_combo.currentIndex()],
        )

    def _resource_error(self) -> str:
        resource = self.resource_edit.text().strip()
        if resource:
            try:
                Jid.parse(f"{self.original.jid}/{resource}")
            except InvalidJid:
                return "This resource cannot be part of an address."
        return ""

    # --- Qt virtuals -------------------------------------------------------------

    def accept(self) -> None:
        proxy_ok = self.proxy_form.check() is not None  # its error shows under its fields
        result = self.validate()
        if isinstance(result, str):
            # Every error but the resource's is about the server or the proxy.
            turn = self.turn_fields()
            if turn is not None and turn.uri and parse_turn_uri(turn.uri) is None:
                self.tabs.setCurrentIndex(self.tabs.count() - 1)
            else:
                self.tabs.setCurrentIndex(ACCOUNT_TAB if self._resource_error() else CONNECTION_TAB)
            if proxy_ok or result != self.proxy_form.error_label.text():
                self.error_label.setText(result)
                self.error_label.show()
            return
        self._config = result
        super().accept()

    # --- handlers ----------------------------------------------------------------

    def _on_random_resource_clicked(self, checked: bool) -> None:
        if checked:
            self.resource_edit.setText(secrets.token_hex(4))
