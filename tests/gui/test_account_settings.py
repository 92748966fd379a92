"""Per-account proxies in the window: adding with a proxy, the settings dialog, the tree."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Coroutine
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from siproxylin.domain.config import (
    TOR_PRESET,
    AccountConfig,
    LogLevel,
    PrivacyOptions,
    ProxyConfig,
    ProxyKind,
    TlsPolicy,
)
from siproxylin.domain.errors import FailureReason
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ConnectionState
from siproxylin.gui.views.account_settings_dialog import (
    CONNECTION_TAB,
    LOG_LEVELS,
    PRIVACY_TEXT,
    AccountSettingsDialog,
)
from siproxylin.gui.views.add_account_dialog import AddAccountDialog
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.views.proxy_form import KINDS
from siproxylin.gui.window import create_main_window
from tests.fakes import Core, account_config

from .waits import until

SOCKS = ProxyConfig(ProxyKind.SOCKS5, "127.0.0.1", 9050, isolate=True)
REFUSED = "SOCKS5 proxy 127.0.0.1:9050 is unreachable (Connection refused)"


@pytest.fixture
def window(core: Core, qtbot: QtBot) -> MainWindow:
    win = create_main_window(core.services)
    qtbot.addWidget(win)
    win.show()
    return win


def run(loop: asyncio.AbstractEventLoop, scenario: Coroutine[Any, Any, None]) -> None:
    loop.run_until_complete(scenario)


def row_text(window: MainWindow, account: AccountId, role: int = 0) -> str:
    text: str = window.contacts.model.account_index(account).data(role)
    return text


async def add(core: Core, window: MainWindow, config: AccountConfig) -> AccountId:
    stored = await core.accounts.add_account(config, "secret")
    await until(lambda: window.contacts.model.account_entry(stored.id) is not None)
    window.select_account(stored.id)
    return stored.id


def open_settings(window: MainWindow) -> AccountSettingsDialog:
    window.account_menu.settings_action.trigger()
    # An earlier dialog may linger until its deferred delete.
    (dialog,) = [d for d in window.findChildren(AccountSettingsDialog) if d.isVisible()]
    return dialog


# --- adding an account -------------------------------------------------------------


def test_a_new_account_is_stored_with_its_socks5_proxy(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        assert not window.account_menu.settings_action.isEnabled()  # no account yet
        window.add_account_action.trigger()
        dialog = window.findChild(AddAccountDialog)
        assert dialog is not None
        qtbot.keyClicks(dialog.jid_edit, "me@example.org")
        qtbot.keyClicks(dialog.password_edit, "pw")
        form = dialog.proxy_form
        form.kind_combo.setCurrentIndex(KINDS.index(ProxyKind.SOCKS5))
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible()  # no host yet: the error shows in the proxy form
        assert form.error_label.isVisible()
        assert not dialog.error_label.isVisible()
        qtbot.keyClicks(form.host_edit, "10.0.0.7")
        qtbot.keyClicks(form.port_edit, "1080")
        qtbot.keyClicks(form.username_edit, "alice")
        qtbot.keyClicks(form.password_edit, "proxy-pw")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

        await until(lambda: core.account_repo.list_accounts() != [])
        (stored,) = core.account_repo.list_accounts()
        assert stored.proxy == ProxyConfig(
            ProxyKind.SOCKS5, "10.0.0.7", 1080, "alice", "proxy-pw", isolate=True
        )
        assert stored.resource  # random: the app's name is not in the address
        assert stored.resource != "siproxylin"
        assert core.xmpp(stored.id).config.proxy == stored.proxy  # the session uses it
        await until(lambda: "via SOCKS5 10.0.0.7:1080" in row_text(window, stored.id))
        assert window.account_menu.settings_action.isEnabled()

    run(qloop, scenario())


def test_the_add_dialog_shows_other_errors_next_to_a_proxy_error(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.add_account_action.trigger()
    dialog = window.findChild(AddAccountDialog)
    assert dialog is not None
    dialog.proxy_form.apply_tor_preset()
    dialog.proxy_form.port_edit.setText("70000")
    qtbot.keyClicks(dialog.jid_edit, "me@example.org")
    dialog.accept()  # no password, and a bad port
    assert dialog.error_label.text() == "Enter the account's password."
    assert "from 1 to 65535" in dialog.proxy_form.error_label.text()
    assert dialog.proxy_form.error_label.isVisible()
    dialog.reject()


# --- the settings dialog -----------------------------------------------------------


def custom_config(ca_file: str) -> AccountConfig:
    """An account whose every setting differs from the defaults."""
    return AccountConfig(
        AccountId(0),
        Jid.parse("me@x.org"),
        resource="desk",
        server_host="xmpp.x.org",
        server_port=5223,
        enabled=False,
        proxy=ProxyConfig(ProxyKind.HTTP, "10.9.8.7", 3128, "bob", "pp", isolate=False),
        tls=TlsPolicy(ca_file=ca_file, direct_tls=True),
        log_level=LogLevel.DEBUG,
        nickname="Me",
        privacy=PrivacyOptions(True, True, True, True, True, False),
    )


def test_the_settings_dialog_shows_every_field_and_ok_unchanged_keeps_all(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("pem")

    async def scenario() -> None:
        account = await add(core, window, custom_config(str(ca)))
        config = core.accounts.config(account)
        dialog = open_settings(window)
        assert dialog.jid_edit.text() == "me@x.org"
        assert dialog.jid_edit.isReadOnly()
        assert dialog.password_edit.text() == ""
        assert dialog.resource_edit.text() == "desk"
        assert dialog.nickname_edit.text() == "Me"
        assert not dialog.enabled_check.isChecked()
        assert dialog.server_form.host_edit.text() == "xmpp.x.org"
        assert dialog.server_form.port_spin.value() == 5223
        assert dialog.server_form.ca_edit.text() == str(ca)
        assert dialog.server_form.direct_tls_check.isChecked()
        assert dialog.proxy_form.validate() == config.proxy
        assert dialog.log_combo.currentText() == "Debug"
        assert dialog.validate() == config  # a faithful round trip of every field
        session = core.accounts.session(account)
        dialog.accept()
        assert dialog.password() is None
        await asyncio.sleep(0.05)
        assert core.accounts.session(account) is session  # nothing saved, no reconnect

    run(qloop, scenario())


def test_the_privacy_tab_has_a_checkbox_per_option() -> None:
    names = {
        field.name
        for field in PrivacyOptions.__dataclass_fields__.values()
        if field.type in (bool, "bool")
    }
    assert set(PRIVACY_TEXT) == names  # and a size for automatic downloads
    assert PRIVACY_TEXT["send_version"][0] == (
        "Answer software version requests (name and version; never the OS)"
    )


def test_changing_every_setting_calls_update_account(
    core: Core,
    window: MainWindow,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("pem")
    calls: list[tuple[AccountConfig, str | None]] = []
    update = core.accounts.update_account

    async def spy(config: AccountConfig, password: str | None = None) -> None:
        calls.append((config, password))
        await update(config, password)

    async def scenario() -> None:
        account = await add(core, window, account_config("me@x.org"))
        dialog = open_settings(window)
        qtbot.keyClicks(dialog.password_edit, "new-pw")
        dialog.resource_edit.setText("desk")
        qtbot.keyClicks(dialog.nickname_edit, "Me")
        dialog.enabled_check.setChecked(False)
        dialog.tabs.setCurrentIndex(CONNECTION_TAB)
        dialog.server_form.host_edit.setText("xmpp.x.org")
        dialog.server_form.port_spin.setValue(5223)
        dialog.server_form.ca_edit.setText(str(ca))
        dialog.server_form.direct_tls_check.setChecked(True)
        qtbot.mouseClick(dialog.proxy_form.tor_button, Qt.MouseButton.LeftButton)
        for name, check in dialog.privacy_checks.items():
            check.setChecked(name != "random_resource")
        dialog.auto_download_spin.setValue(5)
        dialog.log_combo.setCurrentIndex(LOG_LEVELS.index(LogLevel.WARNING))
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert not dialog.isVisible()
        assert dialog.password_edit.text() == ""  # not kept in the widget

        expected = AccountConfig(
            account,
            Jid.parse("me@x.org"),
            resource="desk",
            server_host="xmpp.x.org",
            server_port=5223,
            enabled=False,
            proxy=TOR_PRESET,
            tls=TlsPolicy(ca_file=str(ca), direct_tls=True),
            log_level=LogLevel.WARNING,
            nickname="Me",
            privacy=PrivacyOptions(
                True, True, True, True, True, False, auto_download_max=5 * 1024 * 1024
            ),
        )
        await until(lambda: calls != [])
        assert calls == [(expected, "new-pw")]
        await until(lambda: core.accounts.config(account) == expected)
        assert core.account_repo.list_accounts() == [expected]
        assert core.secrets.passwords[account] == "new-pw"
        await until(lambda: "via SOCKS5 127.0.0.1:9050" in row_text(window, account))

        dialog = open_settings(window)  # an empty password field keeps the stored one
        dialog.proxy_form.kind_combo.setCurrentIndex(KINDS.index(ProxyKind.NONE))
        dialog.accept()
        await until(lambda: len(calls) == 2)
        assert calls[1] == (replace(expected, proxy=ProxyConfig()), None)
        assert core.secrets.passwords[account] == "new-pw"
        await until(lambda: "via" not in row_text(window, account))

    core.accounts.update_account = spy  # type: ignore[method-assign]
    run(qloop, scenario())


def test_a_bad_proxy_brings_the_connection_tab_forward(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        await add(core, window, account_config("me@x.org"))
        dialog = open_settings(window)
        dialog.proxy_form.kind_combo.setCurrentIndex(KINDS.index(ProxyKind.SOCKS5))
        dialog.accept()
        assert dialog.isVisible()
        assert dialog.tabs.currentIndex() == CONNECTION_TAB
        assert dialog.proxy_form.error_label.isVisible()
        dialog.reject()

    run(qloop, scenario())


def test_random_resource_puts_a_fresh_one_in_the_account_tab(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        config = replace(account_config("me@x.org"), resource="siproxylin")
        config = replace(config, privacy=PrivacyOptions(random_resource=False))
        await add(core, window, config)
        dialog = open_settings(window)
        check = dialog.privacy_checks["random_resource"]
        qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
        assert check.isChecked()
        assert re.fullmatch(r"[0-9a-f]{8}", dialog.resource_edit.text())
        dialog.reject()

    run(qloop, scenario())


def test_settings_open_from_the_context_menu_and_report_a_failed_save(
    core: Core,
    window: MainWindow,
    qloop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    errors: list[tuple[str, str]] = []
    monkeypatch.setattr(window, "show_error", lambda title, text: errors.append((title, text)))

    async def scenario() -> None:
        account = await add(core, window, account_config("me@x.org"))
        menu = window.account_menu.context_menu(window.contacts.model.account_index(account))
        assert menu is not None
        settings = next(a for a in menu.actions() if a.text() == "&Settings…")
        settings.trigger()
        dialog = window.findChild(AccountSettingsDialog)
        assert dialog is not None
        dialog.nickname_edit.setText("Changed")
        await core.accounts.remove_account(account)  # gone while the dialog was open
        dialog.accept()
        await until(lambda: errors != [])
        assert errors[0][0] == "Could not save the account settings"

    run(qloop, scenario())


# --- the tree and the status bar ---------------------------------------------------


def test_the_tree_shows_the_proxy_and_a_proxy_failure(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await add(core, window, replace(account_config("me@x.org"), proxy=SOCKS))
        direct = await add(core, window, account_config("other@x.org"))
        core.xmpp(account).start()
        await until(
            lambda: row_text(window, account).endswith("online · via SOCKS5 127.0.0.1:9050")
        )
        assert row_text(window, direct) == "other@x.org — connecting…"
        tooltip = row_text(window, direct, Qt.ItemDataRole.ToolTipRole)
        assert tooltip.endswith("direct connection (no proxy)")
        window.select_account(account)
        assert window.status_label.text() == (
            "me@x.org: online — via SOCKS5 127.0.0.1:9050 (isolated circuits)"
        )

        core.xmpp(account).end(FailureReason.PROXY, REFUSED)
        await until(lambda: "proxy unreachable" in row_text(window, account))
        text = row_text(window, account)
        assert re.fullmatch(
            r"me@x\.org — proxy unreachable, next try at \d\d:\d\d:\d\d"
            r" · via SOCKS5 127\.0\.0\.1:9050",
            text,
        )
        assert REFUSED not in text  # the long detail is for the tooltip and status bar
        assert REFUSED in row_text(window, account, Qt.ItemDataRole.ToolTipRole)
        assert core.accounts.status(account).state is ConnectionState.RECONNECTING
        await until(lambda: REFUSED in window.status_label.text())
        assert window.status_label.text().startswith("me@x.org: proxy unreachable, next try")

    run(qloop, scenario())


def test_the_calls_tab_keeps_the_accounts_own_turn_server(
    core: Core, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    from siproxylin.core.services.preferences import PreferencesService
    from siproxylin.core.turn_setting import turn_setting
    from tests.calls_api_fakes import FakeCalls
    from tests.notification_fakes import MemorySettings

    preferences = PreferencesService(core.bus, MemorySettings())
    services = replace(core.services, preferences=preferences, calls=FakeCalls(core.bus))
    window = create_main_window(services)
    qtbot.addWidget(window)
    window.show()

    async def scenario() -> None:
        account = await add(core, window, account_config("me@x.org"))
        dialog = open_settings(window)
        assert dialog.turn_uri_edit is not None
        dialog.turn_uri_edit.setText("turn:relay.example.org")  # one typo below
        dialog.turn_uri_edit.setText("turns:relay.example.org:5349?transport=udp")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible()  # refused, with the reason, on the Calls tab
        assert "TURN server address" in dialog.error_label.text()
        assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Ca&lls"
        dialog.turn_uri_edit.setText("turns:relay.example.org:5349")
        dialog.turn_user_edit.setText("me")
        dialog.turn_password_edit.setText("pw")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert not dialog.isVisible()
        setting = turn_setting(preferences, account)
        assert setting is not None
        assert setting.server is not None
        assert (setting.server.host, setting.server.port, setting.replace_offered) == (
            "relay.example.org",
            5349,
            True,
        )
        again = open_settings(window)
        assert again.turn_uri_edit is not None
        assert again.turn_uri_edit.text() == "turns:relay.example.org:5349"
        again.turn_uri_edit.clear()
        qtbot.mouseClick(again.ok_button, Qt.MouseButton.LeftButton)
        assert turn_setting(preferences, account) is None

    run(qloop, scenario())
