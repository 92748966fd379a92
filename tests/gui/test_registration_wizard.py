"""The Create Account wizard driven like a user would, over a fake registration service."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from siproxylin.domain.config import ProxyConfig, ProxyKind
from siproxylin.domain.registration import RegistrationError, RegistrationFailed
from siproxylin.gui.views.change_password_dialog import ChangePasswordDialog
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.views.proxy_form import KINDS
from siproxylin.gui.views.registration_wizard import (
    FORM_PAGE,
    RESULT_PAGE,
    SERVER_PAGE,
    RegistrationWizard,
)
from siproxylin.gui.window import create_main_window
from tests.fakes import Core, account_config, make_core
from tests.gui.registration_support import CAPTCHA_TEXT, TAKEN, FakeRegistration
from tests.gui.waits import turns, until

pytestmark = [pytest.mark.gui, pytest.mark.registration]


@pytest.fixture
def service() -> FakeRegistration:
    return FakeRegistration()


@pytest.fixture
def wizard(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, service: FakeRegistration
) -> RegistrationWizard:
    dialog = RegistrationWizard(service)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def finish(loop: asyncio.AbstractEventLoop, wizard: RegistrationWizard) -> None:
    assert wizard.task is not None
    loop.run_until_complete(wizard.task)


def fill_server_page(qtbot: QtBot, wizard: RegistrationWizard) -> None:
    qtbot.keyClicks(wizard.server_edit, "example.test")
    wizard.proxy_form.kind_combo.setCurrentIndex(KINDS.index(ProxyKind.SOCKS5))
    qtbot.keyClicks(wizard.proxy_form.host_edit, "127.0.0.1")
    qtbot.keyClicks(wizard.proxy_form.port_edit, "9050")


def editor(wizard: RegistrationWizard, var: str) -> Any:
    assert wizard.form_view is not None
    return wizard.form_view.editors[var]


def fill_form(qtbot: QtBot, wizard: RegistrationWizard, user: str, captcha: str) -> None:
    for var, text in (("username", user), ("password", "s3cret"), ("ocr", captcha)):
        edit = editor(wizard, var)
        edit.clear()
        qtbot.keyClicks(edit, text)


def test_nothing_connects_before_next_and_the_proxy_is_asked_first(
    wizard: RegistrationWizard, service: FakeRegistration, qtbot: QtBot
) -> None:
    assert wizard.page() == SERVER_PAGE
    assert not service.requests
    wizard.next_button.click()  # no server yet
    assert wizard.server_error.isVisibleTo(wizard)
    assert "server's name" in wizard.server_error.text()
    assert wizard.task is None
    qtbot.keyClicks(wizard.server_edit, "example.test")
    wizard.proxy_form.kind_combo.setCurrentIndex(KINDS.index(ProxyKind.SOCKS5))
    wizard.next_button.click()  # a proxy without a host
    assert wizard.task is None
    assert not service.requests


def test_register_with_the_captcha_then_the_account_is_created_with_its_proxy(
    wizard: RegistrationWizard,
    service: FakeRegistration,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    created: list[Any] = []
    wizard.account_created.connect(created.append)
    fill_server_page(qtbot, wizard)
    wizard.next_button.click()
    finish(qloop, wizard)
    assert service.requests[0].proxy == ProxyConfig(ProxyKind.SOCKS5, "127.0.0.1", 9050)
    assert service.requests[0].server == "example.test"
    assert wizard.page() == FORM_PAGE
    # Every kind of field is drawn; the hidden ones are not.
    assert isinstance(editor(wizard, "password"), QLineEdit)
    assert editor(wizard, "password").echoMode() is QLineEdit.EchoMode.Password
    assert isinstance(editor(wizard, "lang"), QComboBox)
    assert isinstance(editor(wizard, "news"), QCheckBox)
    assert "challenge" not in wizard.form_view.editors  # type: ignore[union-attr]
    image = wizard.form_view.image_label  # type: ignore[union-attr]
    assert image is not None
    assert not image.pixmap().isNull()
    wizard.next_button.click()  # required fields empty
    assert "Fill in" in wizard.form_error.text()
    assert not service.submitted
    fill_form(qtbot, wizard, "newbie", CAPTCHA_TEXT)
    wizard.next_button.click()
    finish(qloop, wizard)
    answers = service.submitted[-1]
    assert answers["username"] == ("newbie",)
    assert answers["lang"] == ("en",)
    assert answers["news"] == ("0",)
    assert wizard.page() == RESULT_PAGE
    assert "newbie@example.test was created" in wizard.result_label.text()
    assert "SOCKS5 127.0.0.1:9050" in wizard.result_label.text()
    assert [c.proxy for c in created] == [service.requests[0].proxy]


def test_wrong_captcha_shows_why_and_a_new_form_keeps_the_answers(
    wizard: RegistrationWizard,
    service: FakeRegistration,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    fill_server_page(qtbot, wizard)
    wizard.next_button.click()
    finish(qloop, wizard)
    fill_form(qtbot, wizard, "newbie", "wrong")
    wizard.next_button.click()
    finish(qloop, wizard)
    assert wizard.page() == RESULT_PAGE
    assert RegistrationError.BAD_CAPTCHA.text in wizard.result_error.text()
    assert service.form is not None  # a fresh CAPTCHA was fetched at once
    wizard.back_button.click()
    assert wizard.page() == FORM_PAGE
    assert editor(wizard, "username").text() == "newbie"
    assert editor(wizard, "ocr").text() == ""  # the old CAPTCHA answer is not kept
    fill_form(qtbot, wizard, TAKEN, CAPTCHA_TEXT)
    wizard.next_button.click()
    finish(qloop, wizard)
    assert RegistrationError.CONFLICT.text in wizard.result_error.text()


def test_a_proxy_failure_is_shown_on_the_server_page(
    wizard: RegistrationWizard,
    service: FakeRegistration,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    service.fail_fetch = RegistrationFailed(
        RegistrationError.PROXY, "SOCKS5 proxy 127.0.0.1:9050 is unreachable"
    )
    fill_server_page(qtbot, wizard)
    wizard.next_button.click()
    finish(qloop, wizard)
    assert wizard.page() == SERVER_PAGE
    assert "proxy could not be used" in wizard.server_error.text()
    assert wizard.next_button.isEnabled()


def test_cancel_closes_the_conversation(
    wizard: RegistrationWizard,
    service: FakeRegistration,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    fill_server_page(qtbot, wizard)
    wizard.next_button.click()
    finish(qloop, wizard)
    wizard.close_button.click()
    qloop.run_until_complete(asyncio.sleep(0.01))
    assert service.cancelled == 1


# --- from the main window -------------------------------------------------------------


@pytest.fixture
def reg_core(qloop: asyncio.AbstractEventLoop) -> Core:
    return make_core()


@pytest.fixture
def reg_window(reg_core: Core, qtbot: QtBot) -> MainWindow:
    from siproxylin.core.services.registration import RegistrationService

    service = RegistrationService(reg_core.accounts, lambda *args: None)  # type: ignore[arg-type,return-value]
    services = replace(reg_core.services, registration=service)
    win = create_main_window(services)
    qtbot.addWidget(win)
    win.show()
    return win


def test_file_menu_opens_the_wizard(reg_window: MainWindow) -> None:
    assert reg_window.create_account_action.isEnabled()
    reg_window.create_account_action.trigger()
    assert isinstance(reg_window._dialog, RegistrationWizard)


def test_password_change_and_deletion_from_the_account_menu(
    reg_core: Core,
    reg_window: MainWindow,
    qloop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def scenario() -> None:
        stored = await reg_core.accounts.add_account(account_config("al@example.test"), "old")
        session = reg_core.xmpp(stored.id)
        session.start()
        await turns()
        reg_window.select_account(stored.id)
        await turns()
        menu = reg_window.account_menu
        assert menu.password_action.isEnabled()
        menu.password_action.trigger()
        dialog = reg_window._dialog
        assert isinstance(dialog, ChangePasswordDialog)
        dialog.password_edit.setText("new-one")
        dialog.repeat_edit.setText("other")
        dialog.accept()
        assert dialog.error_label.text() == "The two passwords differ."
        dialog.repeat_edit.setText("new-one")
        dialog.accept()
        await until(lambda: reg_core.secrets.get_password(stored.id) == "new-one")
        assert ("change_password", "new-one") in session.commands
        fresh = reg_core.xmpp(stored.id)
        fresh.start()
        await turns()
        monkeypatch.setattr(reg_window, "confirm", lambda *_args: True)
        menu.delete_on_server(stored.id)
        await until(lambda: not reg_core.accounts.accounts())
        assert ("remove_from_server",) in fresh.commands

    qloop.run_until_complete(scenario())
