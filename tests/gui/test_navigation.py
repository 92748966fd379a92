"""Keyboard navigation of the main window: next unread, new chat, close chat, contact search."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Availability
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.window import create_main_window
from tests.fakes import Core, account_config, roster_item

from .waits import until

BOB, CAROL, DAVE = (Jid.parse(f"{n}@x.org") for n in ("bob", "carol", "dave"))


@pytest.fixture
def window(core: Core, qtbot: QtBot) -> MainWindow:
    win = create_main_window(core.services)
    qtbot.addWidget(win)
    win.show()
    return win


def run(loop: asyncio.AbstractEventLoop, scenario: Coroutine[Any, Any, None]) -> None:
    loop.run_until_complete(asyncio.wait_for(scenario, 20))


async def three_contacts(core: Core, window: MainWindow) -> AccountId:
    stored = await core.accounts.add_account(account_config("me@x.org"), "secret")
    xmpp = core.xmpp(stored.id)
    xmpp.start()
    xmpp.receive_roster(
        roster_item("bob@x.org", "Bob"),
        roster_item("carol@x.org", "Carol"),
        roster_item("dave@x.org", "Dave"),
    )
    for jid in (BOB, CAROL, DAVE):
        xmpp.receive_presence(f"{jid}/a", Availability.ONLINE)
    await until(lambda: window.contacts.model.contact_index(stored.id, DAVE).isValid())
    return stored.id


def shown(window: MainWindow, account: AccountId) -> list[str]:
    model = window.contacts.model
    parent = model.account_index(account)
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


def test_next_unread_goes_round_the_conversations_with_unread_messages(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await three_contacts(core, window)
        xmpp = core.xmpp(account)
        xmpp.receive_message("carol@x.org/a", "hi from carol")
        xmpp.receive_message("dave@x.org/a", "hi from dave")
        await until(lambda: window.contacts.model.contact(account, DAVE).unread == 1)
        qtbot.keyClick(window, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
        await until(lambda: window.chat.conversation is not None)
        first = window.chat.conversation
        assert first in ((account, CAROL), (account, DAVE))
        window.navigation.next_unread_action.trigger()
        await until(lambda: window.chat.conversation != first)
        assert window.chat.conversation in ((account, CAROL), (account, DAVE))
        # Both are read now: nothing more to go to.
        await until(lambda: window.contacts.model.contact(account, CAROL).unread == 0)
        await until(lambda: window.contacts.model.contact(account, DAVE).unread == 0)
        assert not window.navigation.next_unread()

    run(qloop, scenario())


def test_the_search_box_filters_the_list_and_enter_opens_the_first_match(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await three_contacts(core, window)
        qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        assert window.contact_search.hasFocus()
        qtbot.keyClicks(window.contact_search, "car")
        await until(lambda: shown(window, account) == ["Carol"])
        window.contact_search.setText("x.org")  # addresses match too
        await until(lambda: len(shown(window, account)) == 3)
        window.contact_search.setText("DAV")
        await until(lambda: shown(window, account) == ["Dave"])
        qtbot.keyClick(window.contact_search, Qt.Key.Key_Return)
        assert window.chat.conversation == (account, DAVE)
        qtbot.keyClick(window.contact_search, Qt.Key.Key_Escape)
        await until(lambda: len(shown(window, account)) == 3)
        assert window.contact_search.text() == ""

    run(qloop, scenario())


def test_new_chat_opens_any_address_and_close_chat_closes_it(
    core: Core,
    window: MainWindow,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def scenario() -> None:
        account = await three_contacts(core, window)
        monkeypatch.setattr(
            QInputDialog, "getText", staticmethod(lambda *_a, **_k: ("erin@y.org/phone", True))
        )
        window.navigation.new_chat_action.trigger()
        assert window.chat.conversation == (account, Jid.parse("erin@y.org"))
        assert window.navigation.close_chat_action.isEnabled()
        qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
        assert window.chat.conversation is None
        assert not window.navigation.close_chat_action.isEnabled()
        monkeypatch.setattr(
            QInputDialog, "getText", staticmethod(lambda *_a, **_k: ("not an address@", True))
        )
        window.navigation.new_chat_action.trigger()
        assert window.chat.conversation is None

    run(qloop, scenario())


def test_tab_goes_from_the_search_to_the_list_to_the_composer(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await three_contacts(core, window)
        window.open_chat(account, BOB)
        window.activateWindow()
        window.contact_search.setFocus()
        steps = []
        for _ in range(3):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            steps.append(QApplication.focusWidget())
        assert steps == [
            window.contact_tree,
            window.chat_view.composer,
            window.chat_view.send_button,
        ]

    run(qloop, scenario())
