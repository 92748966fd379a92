"""Search as you type (presenter, dialog) and opening a hit in the main window."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatMessage
from siproxylin.gui.bridge import EventBridge
from siproxylin.gui.models.search_results import SearchRole
from siproxylin.gui.presenters.chat import AROUND, ChatPresenter
from siproxylin.gui.presenters.search import SearchPresenter
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.views.search_dialog import SearchDialog, utf16_offsets
from siproxylin.gui.window import create_main_window
from tests.fakes import Core, account_config, roster_item

from .search_support import StoreCore, make_store_core
from .waits import turns, until

BOB = Jid.parse("bob@x.org")
CAROL = Jid.parse("carol@y.org")


def run(loop: asyncio.AbstractEventLoop, scenario: Coroutine[Any, Any, None]) -> None:
    loop.run_until_complete(scenario)


def later(_callback: Callable[[], None]) -> None:
    """A bridge scheduler that never runs: tests drain with ``flush``."""


async def online(core: Core | StoreCore, jid: str) -> AccountId:
    stored = await core.accounts.add_account(account_config(jid), "pw")
    core.xmpp(stored.id).start()
    return stored.id


# --- the presenter ---------------------------------------------------------------


def test_typing_searches_once_after_a_pause(
    core: Core, qapp: QApplication, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        first = await online(core, "me@x.org")
        second = await online(core, "me@y.org")
        core.xmpp(first).receive_roster(roster_item("bob@x.org", "Bob B."))
        core.xmpp(first).receive_message("bob@x.org/phone", "lunch at noon?")
        core.xmpp(second).receive_message("carol@y.org/pc", "Lunch is ready")
        presenter = SearchPresenter(core.search, core.accounts, core.roster, delay_ms=40)
        searches = core.search_repo.searches
        for end in range(1, 6):
            presenter.set_query("lunch"[:end])
            assert presenter.pending
            await asyncio.sleep(0.005)
        assert searches == []  # nothing runs while the user types
        await until(lambda: not presenter.pending)
        assert [s[0] for s in searches] == ["lunch"]
        model = presenter.model
        assert model.rowCount() == 2
        assert model.index(0, 0).data(SearchRole.PEER) == "carol@y.org"
        assert model.index(0, 0).data(SearchRole.ACCOUNT) == "me@y.org"
        assert model.index(1, 0).data(SearchRole.PEER) == "Bob B."  # the roster name
        assert model.index(1, 0).data() == "Bob B.: lunch at noon?"
        assert model.index(1, 0).data(SearchRole.MATCHES) == ((0, 5),)
        assert "lunch at noon?" in model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)

        presenter.set_query("lunch ")  # the same query: no new search
        presenter.run()
        assert len(searches) == 1
        presenter.set_query("   ")  # blank: cleared at once, nothing searched
        assert not presenter.pending
        assert model.rowCount() == 0
        assert len(searches) == 1

    run(qloop, scenario())


def test_utf16_offsets_for_qt() -> None:
    assert utf16_offsets("ab cd", ((3, 5),)) == [(3, 2)]
    text = "🎉 party 𝒳 é"
    assert utf16_offsets(text, ((2, 7), (10, 11))) == [(3, 5), (12, 1)]


# --- ChatPresenter.open_at ----------------------------------------------------------


@pytest.fixture
def chat(core: Core, qapp: QApplication) -> Iterator[tuple[ChatPresenter, EventBridge]]:
    bridge = EventBridge(core.bus, later)
    presenter = ChatPresenter(core.chat, core.roster, search=core.search)
    presenter.register(bridge)
    yield presenter, bridge
    bridge.close()


def test_open_at_loads_the_messages_around_a_hit(
    core: Core, chat: tuple[ChatPresenter, EventBridge], qloop: asyncio.AbstractEventLoop
) -> None:
    presenter, bridge = chat
    account = qloop.run_until_complete(online(core, "me@x.org"))
    xmpp = core.xmpp(account)
    for i in range(500):
        xmpp.receive_message("bob@x.org/phone", f"message {i}")
    bridge.flush()
    (hit,) = core.search.search("message 100")
    focused: list[int] = []
    presenter.focus_requested.connect(focused.append)

    presenter.open_at(account, BOB, hit.message.id)
    bodies = [m.body for m in presenter.model.messages()]
    assert bodies == [f"message {i}" for i in range(100 - AROUND, 101 + AROUND)]
    assert focused == [hit.message.id]
    assert not presenter.showing_latest

    xmpp.receive_message("bob@x.org/phone", "brand new")  # not appended after the gap
    bridge.flush()
    assert presenter.model.messages()[-1].body == f"message {100 + AROUND}"

    presenter.open_at(account, BOB, hit.message.id)  # loaded: focus only, no reload
    assert focused == [hit.message.id] * 2

    presenter.open(account, BOB)  # the conversation again: the newest messages
    assert presenter.showing_latest
    assert presenter.model.messages()[-1].body == "brand new"

    (recent,) = core.search.search("message 450")
    presenter.open_at(account, BOB, recent.message.id)  # near the end: stays live
    assert presenter.showing_latest
    assert presenter.model.messages()[-1].body == "brand new"


def test_sending_after_open_at_shows_the_newest_messages(
    core: Core, chat: tuple[ChatPresenter, EventBridge], qloop: asyncio.AbstractEventLoop
) -> None:
    presenter, bridge = chat
    account = qloop.run_until_complete(online(core, "me@x.org"))
    for i in range(400):
        core.xmpp(account).receive_message("bob@x.org/phone", f"message {i}")
    bridge.flush()
    hit = core.search.search("message 5")[-1]  # 5, 50..59, 150... match as prefixes
    assert hit.message.body == "message 5"
    presenter.open_at(account, BOB, hit.message.id)
    assert not presenter.showing_latest
    presenter.send("my answer")
    bridge.flush()
    assert presenter.showing_latest
    assert [m.body for m in presenter.model.messages()[-2:]] == ["message 399", "my answer"]


def test_open_at_without_a_search_service_opens_the_latest(
    core: Core, qapp: QApplication, qloop: asyncio.AbstractEventLoop
) -> None:
    presenter = ChatPresenter(core.chat, core.roster)
    account = qloop.run_until_complete(online(core, "me@x.org"))
    for i in range(300):
        core.xmpp(account).receive_message("bob@x.org/phone", f"message {i}")
    focused: list[int] = []
    presenter.focus_requested.connect(focused.append)
    old, recent = core.search.search("message 3")[-1], core.search.search("message 299")[0]
    presenter.open_at(account, BOB, old.message.id)  # older than the history loaded
    assert presenter.conversation == (account, BOB)
    assert focused == []
    presenter.open_at(account, BOB, recent.message.id)
    assert focused == [recent.message.id]


# --- the dialog and the window, over the real store ----------------------------------


@pytest.fixture
def store_core(tmp_path: Path, qloop: asyncio.AbstractEventLoop) -> Iterator[StoreCore]:
    built = make_store_core(tmp_path / "siproxylin.db")
    yield built
    built.db.close()


@pytest.fixture
def window(store_core: StoreCore, qtbot: QtBot) -> MainWindow:
    win = create_main_window(store_core.services)
    qtbot.addWidget(win)
    win.show()
    return win


def visible_in(view_rect: QRect, rect: QRect) -> bool:
    return view_rect.intersects(rect) and rect.height() > 0


def test_find_a_message_and_open_it_in_its_conversation(
    store_core: StoreCore, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        first = await online(store_core, "me@x.org")
        second = await online(store_core, "me@y.org")
        xmpp = store_core.xmpp(first)
        xmpp.receive_roster(roster_item("bob@x.org", "Bob"))
        for i in range(600):
            body = "the needle is in this haystack" if i == 150 else f"hay {i}"
            xmpp.receive_message("bob@x.org/phone", body)
        store_core.xmpp(second).receive_message("carol@y.org/pc", "Needles and pins")
        await turns()
        await until(lambda: window.contacts.model.contact_index(first, BOB).isValid())

        window.find_action.trigger()
        dialog = window.findChild(SearchDialog)
        assert dialog is not None
        assert dialog.isVisible()
        assert window.find_action.shortcut().toString() == "Ctrl+F"
        qtbot.keyClicks(dialog.query_edit, "needl")
        results = dialog.presenter.model
        await until(lambda: results.rowCount() == 2 and not dialog.presenter.pending)
        assert [results.index(r, 0).data(SearchRole.PEER) for r in range(2)] == [
            "carol@y.org",
            "Bob",
        ]
        top: ChatMessage = results.hit(0).message
        assert top.account == second
        hit = results.hit(1)
        assert [hit.snippet[s:e] for s, e in hit.matches] == ["needle"]
        assert "2 messages found" in dialog.status_label.text()

        # Down moves to Bob's hit while typing stays in the query; Enter opens it.
        qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Down)
        assert dialog.results.currentIndex().row() == 1
        qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)
        assert not dialog.isVisible()
        chat = window.chat
        assert chat.conversation == (first, BOB)
        row = chat.model.row_of(hit.message.id)
        assert row is not None
        assert not chat.showing_latest
        messages = window.chat_view.messages
        await until(lambda: window.chat_highlight.row == row)
        await turns()
        rect = messages.visualRect(chat.model.index(row, 0))
        assert visible_in(messages.viewport().rect(), rect)
        assert window.chat_highlight.geometry() == rect
        assert window.contact_tree.currentIndex() == window.contacts.model.contact_index(first, BOB)

        # Ctrl+F again: the same query and hits; a double-click opens Carol's message.
        window.find_action.trigger()
        assert dialog.isVisible()
        assert dialog.query_edit.text() == "needl"
        center = dialog.results.visualRect(results.index(0, 0)).center()
        qtbot.mouseClick(dialog.results.viewport(), Qt.MouseButton.LeftButton, pos=center)
        qtbot.mouseDClick(dialog.results.viewport(), Qt.MouseButton.LeftButton, pos=center)
        assert not dialog.isVisible()
        assert chat.conversation == (second, CAROL)
        assert chat.showing_latest
        await until(lambda: window.chat_highlight.row == chat.model.row_of(top.id))

    run(qloop, scenario())


def test_find_is_disabled_without_a_search_service(
    store_core: StoreCore, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    from dataclasses import replace

    win = create_main_window(replace(store_core.services, search=None))
    qtbot.addWidget(win)
    assert not win.find_action.isEnabled()
    assert win.show_search() is None
