"""The main window driven like a user would, over the real core with a fake XMPP session."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from siproxylin.domain.events import BlocklistReceived
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Availability, ConnectionState, DeliveryState
from siproxylin.gui import labels
from siproxylin.gui.models.messages import MessageRole
from siproxylin.gui.views.add_account_dialog import AddAccountDialog
from siproxylin.gui.views.add_contact_dialog import AddContactDialog
from siproxylin.gui.views.info_bar import InfoBar
from siproxylin.gui.views.main_window import INSECURE_PASSWORDS, MainWindow
from siproxylin.gui.window import create_main_window
from tests.fakes import Core, account_config, make_core, roster_item

from .waits import turns, until

BOB = Jid.parse("bob@x.org")


@pytest.fixture
def window(core: Core, qtbot: QtBot) -> MainWindow:
    win = create_main_window(core.services)
    qtbot.addWidget(win)
    win.show()
    return win


def run(loop: asyncio.AbstractEventLoop, scenario: Coroutine[Any, Any, None]) -> None:
    loop.run_until_complete(scenario)


def tree_texts(window: MainWindow) -> list[str]:
    model = window.contacts.model
    texts = []
    for row in range(model.rowCount()):
        account = model.index(row, 0)
        texts.append(account.data())
        texts.extend(
            "  " + model.index(child, 0, account).data() for child in range(model.rowCount(account))
        )
    return texts


async def online_account(core: Core, window: MainWindow) -> AccountId:
    stored = await core.accounts.add_account(account_config("me@x.org"), "secret")
    core.xmpp(stored.id).start()
    await until(lambda: window.contacts.model.account_entry(stored.id) is not None)
    return stored.id


def double_click_contact(qtbot: QtBot, window: MainWindow, account: AccountId, jid: Jid) -> None:
    tree = window.contact_tree
    index = window.contacts.model.contact_index(account, jid)
    assert index.isValid()
    center = tree.visualRect(index).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=center)
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=center)


def test_adding_an_account_through_the_dialog(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        window.add_account_action.trigger()
        dialog = window.findChild(AddAccountDialog)
        assert dialog is not None
        assert dialog.isVisible()
        qtbot.keyClicks(dialog.jid_edit, "Me@Example.org")
        qtbot.keyClicks(dialog.password_edit, "s3cret")
        qtbot.keyClicks(dialog.host_edit, "xmpp.example.org")
        dialog.port_spin.setValue(5223)
        qtbot.mouseClick(dialog.direct_tls_check, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

        await until(lambda: core.accounts.accounts() != [])
        (config,) = core.accounts.accounts()
        assert str(config.jid) == "me@example.org"
        assert config.address == ("xmpp.example.org", 5223)
        assert config.tls.direct_tls
        assert core.secrets.passwords[config.id] == "s3cret"
        assert dialog.password_edit.text() == ""  # not kept in the widget

        await until(lambda: tree_texts(window) == ["me@example.org — connecting…"])
        assert window.selected_account() == config.id
        core.xmpp(config.id).start()
        await until(lambda: tree_texts(window) == ["me@example.org — online"])
        assert window.status_label.text() == (
            "me@example.org: online — direct connection (no proxy)"
        )

    run(qloop, scenario())


def test_a_bad_address_shows_an_inline_error(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    window.add_account_action.trigger()
    dialog = window.findChild(AddAccountDialog)
    assert dialog is not None
    qtbot.keyClicks(dialog.jid_edit, "not an address@")
    qtbot.keyClicks(dialog.password_edit, "pw")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.error_label.isVisible()
    assert "not a valid address" in dialog.error_label.text()
    dialog.jid_edit.clear()
    qtbot.keyClicks(dialog.jid_edit, "example.org")
    assert not dialog.error_label.isVisible()  # editing clears it
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "name before the @" in dialog.error_label.text()
    dialog.reject()
    run(qloop, turns())
    assert core.accounts.accounts() == []


def test_roster_and_presence_show_in_the_tree(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online_account(core, window)
        xmpp = core.xmpp(account)
        xmpp.receive_roster(roster_item("bob@x.org", "Bob"), roster_item("carol@x.org", "Carol"))
        xmpp.receive_presence("carol@x.org/a", Availability.AWAY, "lunch")
        await until(lambda: tree_texts(window) == ["me@x.org — online", "  Carol", "  Bob"])
        carol = window.contacts.model.contact_index(account, Jid.parse("carol@x.org"))
        assert "away: lunch" in carol.data(Qt.ItemDataRole.ToolTipRole)
        assert window.contact_tree.isExpanded(window.contacts.model.account_index(account))

        window.show_offline_action.trigger()
        await until(lambda: tree_texts(window) == ["me@x.org — online", "  Carol"])

    run(qloop, scenario())


def test_received_message_appears_in_the_open_chat(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online_account(core, window)
        xmpp = core.xmpp(account)
        xmpp.receive_roster(roster_item("bob@x.org", "Bob"))
        xmpp.receive_presence("bob@x.org/phone", Availability.ONLINE, "around")
        await until(lambda: window.contacts.model.contact_index(account, BOB).isValid())
        double_click_contact(qtbot, window, account, BOB)
        assert window.chat.conversation == (account, BOB)
        assert window.chat_view.peer_label.text() == "Bob"
        assert "online: around" in window.chat_view.status_label.text()

        xmpp.receive_message("bob@x.org/phone", "hello there")
        model = window.chat.model
        await until(lambda: model.rowCount() == 1)
        assert model.index(0, 0).data() == "hello there"
        xmpp.receive_presence("bob@x.org/phone", Availability.DND)
        await until(lambda: "do not disturb" in window.chat_view.status_label.text())

    run(qloop, scenario())


def test_enter_sends_and_the_delivery_mark_follows_the_ack(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online_account(core, window)
        window.open_chat(account, BOB)
        composer = window.chat_view.composer
        qtbot.keyClicks(composer, "first line")
        qtbot.keyClick(composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClicks(composer, "second line")
        assert core.xmpp(account).sent == []
        qtbot.keyClick(composer, Qt.Key.Key_Return)

        xmpp = core.xmpp(account)
        assert [s.body for s in xmpp.sent] == ["first line\nsecond line"]
        assert composer.toPlainText() == ""
        model = window.chat.model
        await until(lambda: model.rowCount() == 1)
        row = model.index(0, 0)
        assert row.data(MessageRole.STATE) is DeliveryState.SENT
        assert labels.delivery_mark(row.data(MessageRole.STATE)) == "✓"

        xmpp.ack(xmpp.sent[0].origin_id)
        await until(lambda: row.data(MessageRole.STATE) is DeliveryState.ACKED)
        assert labels.delivery_mark(row.data(MessageRole.STATE)) == "✓"
        assert "received by the server" in row.data(Qt.ItemDataRole.ToolTipRole)

    run(qloop, scenario())


def test_a_message_written_offline_waits_as_pending(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        stored = await core.accounts.add_account(account_config("me@x.org"), "pw")
        window.open_chat(stored.id, BOB)
        qtbot.keyClicks(window.chat_view.composer, "later")
        qtbot.mouseClick(window.chat_view.send_button, Qt.MouseButton.LeftButton)
        model = window.chat.model
        await until(lambda: model.rowCount() == 1)
        assert model.message(0).state is DeliveryState.PENDING
        core.xmpp(stored.id).start()  # the outbox is flushed on login
        await until(lambda: model.message(0).state is DeliveryState.SENT)

    run(qloop, scenario())


def test_subscription_request_shows_a_bar_and_allow_answers_it(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online_account(core, window)
        core.xmpp(account).request_subscription("zoe@x.org")
        await until(lambda: window.findChild(InfoBar) is not None)
        bar = window.findChild(InfoBar)
        assert bar is not None
        assert "zoe@x.org wants to add you" in bar.label.text()
        allow = next(b for b in bar.findChildren(QPushButton) if b.text() == "Allow")
        qtbot.mouseClick(allow, Qt.MouseButton.LeftButton)
        await until(lambda: (Jid.parse("zoe@x.org"), True) in core.xmpp(account).answers)
        await until(lambda: window.findChild(InfoBar) is None)  # the bar is gone

    run(qloop, scenario())


def test_insecure_password_storage_is_warned_once(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    core = make_core(secure=False)
    window = create_main_window(core.services)
    qtbot.addWidget(window)
    bars = window.findChildren(InfoBar)
    assert [bar.label.text() for bar in bars] == [INSECURE_PASSWORDS]


def test_account_context_menu_and_edit_menu_commands(
    core: Core,
    window: MainWindow,
    qloop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def scenario() -> None:
        account = await online_account(core, window)
        core.xmpp(account).receive_roster(roster_item("bob@x.org", "Bob"))
        await until(lambda: window.contacts.model.contact_index(account, BOB).isValid())
        model = window.contacts.model

        menu = window.account_menu.context_menu(model.account_index(account))
        assert menu is not None
        assert [a.text() for a in menu.actions() if a.text()] == [
            "&Settings…",
            "Re&connect",
            "&Disable",
            "&Remove…",
        ]
        contact_menu = window.account_menu.context_menu(model.contact_index(account, BOB))
        assert contact_menu is not None
        assert [a.text() for a in contact_menu.actions() if a.text()] == [
            "&Open Chat",
            "&Block…",
            "&Remove Contact…",
        ]
        contact_menu.actions()[0].trigger()
        assert window.chat.conversation == (account, BOB)

        window.select_account(account)
        window.account_menu.disable_action.trigger()
        await until(lambda: core.accounts.status(account).state is ConnectionState.DISABLED)
        await until(lambda: "disabled" in window.status_label.text())
        assert window.account_menu.enable_action.isEnabled()
        window.account_menu.enable_action.trigger()
        await until(lambda: core.accounts.status(account).state is ConnectionState.CONNECTING)

        monkeypatch.setattr(window, "confirm", lambda _title, _text: True)
        window.account_menu.remove_action.trigger()
        await until(lambda: model.rowCount() == 0)
        assert core.accounts.accounts() == []
        assert window.chat.conversation is None

    run(qloop, scenario())


def test_add_contact_dialog_adds_through_the_roster_service(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online_account(core, window)
        window.add_contact_action.trigger()
        dialog = window.findChild(AddContactDialog)
        assert dialog is not None
        qtbot.keyClicks(dialog.jid_edit, "bad jid@")
        dialog.accept()
        assert dialog.error_label.isVisible()
        dialog.jid_edit.clear()
        qtbot.keyClicks(dialog.jid_edit, "new@x.org")
        qtbot.keyClicks(dialog.name_edit, "Newbie")
        dialog.accept()
        assert core.xmpp(account).added == [(Jid.parse("new@x.org"), "Newbie")]

    run(qloop, scenario())


def test_quit_asks_the_app_to_shut_down(window: MainWindow, qtbot: QtBot) -> None:
    with qtbot.waitSignal(window.quit_requested, timeout=1000):
        window.quit_action.trigger()
    assert not window.isVisible()


def test_block_and_unblock_from_the_contact_menu(
    core: Core,
    window: MainWindow,
    qloop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def scenario() -> None:
        account = await online_account(core, window)
        xmpp = core.xmpp(account)
        xmpp.receive_roster(roster_item("bob@x.org", "Bob"))
        await until(lambda: window.contacts.model.contact_index(account, BOB).isValid())
        monkeypatch.setattr(window, "confirm", lambda _title, _text: True)
        menu = window.account_menu.context_menu(window.contacts.model.contact_index(account, BOB))
        assert menu is not None
        block = next(a for a in menu.actions() if a.text() == "&Block…")
        block.trigger()
        assert xmpp.commands[-1] == ("blocked", (BOB,), True)
        # The list changes when the server confirms.
        core.bus.publish(BlocklistReceived(account, (BOB,)))
        menu = window.account_menu.context_menu(window.contacts.model.contact_index(account, BOB))
        assert menu is not None
        unblock = next(a for a in menu.actions() if a.text() == "Un&block")
        unblock.trigger()
        assert xmpp.commands[-1] == ("blocked", (BOB,), False)

    run(qloop, scenario())
