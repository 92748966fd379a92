"""ProxyForm driven like a user would: proxy types, the Tor preset, hints and validation."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from siproxylin.domain.config import TOR_PRESET, ProxyConfig, ProxyKind
from siproxylin.gui.views.proxy_form import HOST_HINT, KINDS, ProxyForm


@pytest.fixture
def form(qtbot: QtBot) -> ProxyForm:
    widget = ProxyForm()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def choose(form: ProxyForm, kind: ProxyKind) -> None:
    form.kind_combo.setCurrentIndex(KINDS.index(kind))


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def test_no_proxy_is_the_default_and_disables_the_fields(form: ProxyForm) -> None:
    assert form.kind() is ProxyKind.NONE
    assert form.kind_combo.currentText() == "None (direct connection)"
    assert [form.kind_combo.itemText(i) for i in range(form.kind_combo.count())] == [
        "None (direct connection)",
        "SOCKS5",
        "HTTP CONNECT",
    ]
    for widget in (form.host_edit, form.port_edit, form.username_edit, form.password_edit):
        assert not widget.isEnabled()
    assert not form.isolate_check.isEnabled()
    assert form.validate() == ProxyConfig()
    assert form.password_edit.echoMode() is QLineEdit.EchoMode.Password


def test_the_tor_preset_fills_socks5_localhost_with_isolation(
    form: ProxyForm, qtbot: QtBot
) -> None:
    form.set_proxy(
        ProxyConfig(ProxyKind.SOCKS5, "10.0.0.1", 1080, "old", "pw", isolate=False)
    )  # the preset drops a login: isolation needs none
    with qtbot.waitSignal(form.edited):
        qtbot.mouseClick(form.tor_button, Qt.MouseButton.LeftButton)
    assert form.kind() is ProxyKind.SOCKS5
    assert (form.host_edit.text(), form.port_edit.text()) == ("127.0.0.1", "9050")
    assert form.username_edit.text() == ""
    assert form.isolate_check.isChecked()
    assert form.isolate_check.isEnabled()
    assert not form.host_hint.isVisibleTo(form)
    assert form.validate() == TOR_PRESET


def test_host_and_port_are_required_once_a_type_is_chosen(form: ProxyForm, qtbot: QtBot) -> None:
    choose(form, ProxyKind.SOCKS5)
    assert form.host_edit.isEnabled()
    assert form.validate() == "Enter the proxy's host, such as 127.0.0.1."
    type_into(qtbot, form.host_edit, "10.0.0.1")
    assert form.validate() == "Enter the proxy's port (1–65535)."
    for bad in ("0", "65536", "99999"):
        type_into(qtbot, form.port_edit, bad)
        assert form.validate() == "The proxy port must be a number from 1 to 65535."
    type_into(qtbot, form.port_edit, "12ab")  # the validator keeps letters out
    assert form.port_edit.text() == "12"
    type_into(qtbot, form.port_edit, "1080")
    assert form.validate() == ProxyConfig(ProxyKind.SOCKS5, "10.0.0.1", 1080, isolate=True)


@pytest.mark.parametrize(
    ("host", "error"),
    [
        ("socks5://127.0.0.1", "without “socks5://” or a path"),
        ("my proxy", "without “socks5://” or a path"),
        ("127.0.0.1:9050", "port in its own field"),
        ("proxy.lan:8080", "port in its own field"),
    ],
)
def test_a_malformed_host_is_refused(form: ProxyForm, host: str, error: str) -> None:
    choose(form, ProxyKind.HTTP)
    form.host_edit.setText(host)
    form.port_edit.setText("8080")
    result = form.validate()
    assert isinstance(result, str)
    assert error in result


def test_ipv6_hosts_are_accepted_with_or_without_brackets(form: ProxyForm) -> None:
    choose(form, ProxyKind.SOCKS5)
    form.port_edit.setText("9050")
    for host in ("::1", "[::1]"):
        form.host_edit.setText(host)
        result = form.validate()
        assert isinstance(result, ProxyConfig)
        assert result.host == "::1"
        assert not form.host_hint.isVisibleTo(form)


def test_check_shows_the_error_inline_and_editing_clears_it(form: ProxyForm, qtbot: QtBot) -> None:
    choose(form, ProxyKind.SOCKS5)
    assert form.check() is None
    assert form.error_label.isVisible()
    assert form.error_label.text() == "Enter the proxy's host, such as 127.0.0.1."
    qtbot.keyClicks(form.host_edit, "1")
    assert not form.error_label.isVisible()
    form.port_edit.setText("1")
    assert form.check() == ProxyConfig(ProxyKind.SOCKS5, "1", 1)  # a number is a host too


def test_a_host_name_shows_the_lookup_hint(form: ProxyForm, qtbot: QtBot) -> None:
    choose(form, ProxyKind.SOCKS5)
    assert not form.host_hint.isVisibleTo(form)
    qtbot.keyClicks(form.host_edit, "tor.lan")
    assert form.host_hint.isVisibleTo(form)
    assert form.host_hint.text() == HOST_HINT
    type_into(qtbot, form.host_edit, "192.168.1.2")
    assert not form.host_hint.isVisibleTo(form)
    form.host_edit.setText("tor.lan")
    choose(form, ProxyKind.NONE)  # no proxy, no lookup
    assert not form.host_hint.isVisibleTo(form)


def test_isolation_is_only_offered_for_socks5_without_a_login(
    form: ProxyForm, qtbot: QtBot
) -> None:
    choose(form, ProxyKind.SOCKS5)
    assert form.isolate_check.isEnabled()
    qtbot.keyClicks(form.username_edit, "me")
    assert not form.isolate_check.isEnabled()
    form.username_edit.clear()
    qtbot.keyClicks(form.password_edit, "pw")
    assert not form.isolate_check.isEnabled()
    form.password_edit.clear()
    assert form.isolate_check.isEnabled()
    choose(form, ProxyKind.HTTP)
    assert not form.isolate_check.isEnabled()
    assert not form.isolate_check.isChecked()  # never seems to promise isolation
    choose(form, ProxyKind.SOCKS5)
    assert form.isolate_check.isChecked()  # the choice comes back where it applies
    qtbot.mouseClick(form.isolate_check, Qt.MouseButton.LeftButton)
    assert not form.isolate_check.isChecked()
    choose(form, ProxyKind.HTTP)
    choose(form, ProxyKind.SOCKS5)
    assert not form.isolate_check.isChecked()
    form.host_edit.setText("127.0.0.1")
    form.port_edit.setText("9050")
    assert form.validate() == ProxyConfig(ProxyKind.SOCKS5, "127.0.0.1", 9050, isolate=False)


def test_a_proxy_login_round_trips_and_a_password_needs_a_user(form: ProxyForm) -> None:
    proxy = ProxyConfig(ProxyKind.HTTP, "10.1.2.3", 3128, "alice", "s3cret", isolate=False)
    form.set_proxy(proxy)
    assert form.validate() == proxy
    form.username_edit.clear()
    assert form.validate() == "A proxy password needs a user name."
    form.set_proxy(ProxyConfig())
    assert form.kind() is ProxyKind.NONE
    assert form.host_edit.text() == ""
    assert form.port_edit.text() == ""
