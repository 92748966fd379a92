"""The chat view's message features driven like a user would: menu, keys, clicks, labels."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from siproxylin.domain.config import PrivacyOptions
from siproxylin.domain.events import ChatStateReceived, ReactionsReceived
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, ChatMessage, ChatState
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.views.message_menu import MessageMenu
from siproxylin.gui.window import create_main_window
from tests.fakes import Core, FakeXmppSession, account_config, roster_item

from .waits import until

BOB = Jid.parse("bob@x.org")


@pytest.fixture
def window(core: Core, qtbot: QtBot) -> MainWindow:
    win = create_main_window(core.services)
    qtbot.addWidget(win)
    win.resize(800, 600)
    win.show()
    return win


def run(loop: asyncio.AbstractEventLoop, scenario: Coroutine[Any, Any, None]) -> None:
    loop.run_until_complete(scenario)


async def online(
    core: Core, window: MainWindow, *, typing: bool = False
) -> tuple[AccountId, FakeXmppSession]:
    config = replace(account_config("me@x.org"), privacy=PrivacyOptions(chat_states=typing))
    stored = await core.accounts.add_account(config, "secret")
    xmpp = core.xmpp(stored.id)
    xmpp.start()
    xmpp.receive_roster(roster_item("bob@x.org", "Bob"))
    await until(lambda: window.contacts.model.contact(stored.id, BOB) is not None)
    return stored.id, xmpp


def texts(menu: QMenu) -> list[str]:
    return [action.text() for action in menu.actions()]


def row_index(window: MainWindow, row: int) -> QModelIndex:
    return window.chat.model.index(row, 0)


def message(window: MainWindow, row: int) -> ChatMessage:
    return window.chat.model.message(row)


def trigger(menu: QMenu, text: str) -> None:
    action = MessageMenu.action(menu, text)
    assert action is not None, texts(menu)
    action.trigger()


def test_the_context_menu_offers_what_applies_to_the_message(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account, xmpp = await online(core, window)
        xmpp.receive_message("bob@x.org/phone", "theirs")
        window.open_chat(account, BOB)
        window.chat.send("first")
        window.chat.send("mine")
        await until(lambda: window.chat.model.rowCount() == 3)
        menu = window.chat_view.menu
        assert texts(menu.menu_for(message(window, 0))) == [
            "Reply",
            "React…",
            "Select Text…",
            "Copy text",
        ]
        assert texts(menu.menu_for(message(window, 1))) == [
            "Reply",
            "React…",
            "Select Text…",
            "Copy text",
            "",
            "Retract…",
        ]
        assert texts(menu.menu_for(message(window, 2))) == [
            "Reply",
            "Correct",
            "React…",
            "Select Text…",
            "Copy text",
            "",
            "Retract…",
        ]
        trigger(menu.menu_for(message(window, 0)), "Copy text")
        assert QGuiApplication.clipboard().text() == "theirs"

    run(qloop, scenario())


def test_reply_from_the_menu_shows_the_bar_and_escape_cancels(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account, xmpp = await online(core, window)
        xmpp.receive_message("bob@x.org/phone", "Are you coming tonight?")
        window.open_chat(account, BOB)
        await until(lambda: window.chat.model.rowCount() == 1)
        view = window.chat_view
        trigger(view.menu.menu_for(message(window, 0)), "Reply")
        assert view.compose_bar.isVisible()
        assert view.compose_bar.label.text() == "↪ Replying to Bob: Are you coming tonight?"
        qtbot.keyClick(view.composer, Qt.Key.Key_Escape)
        assert not view.compose_bar.isVisible()
        assert window.chat.reply_to is None

        trigger(view.menu.menu_for(message(window, 0)), "Reply")
        qtbot.keyClicks(view.composer, "yes")
        qtbot.keyClick(view.composer, Qt.Key.Key_Return)
        await until(lambda: window.chat.model.rowCount() == 2)
        assert not view.compose_bar.isVisible()
        sent = xmpp.sent[-1].message
        assert sent is not None
        assert sent.reply_to == message(window, 0).message_id

    run(qloop, scenario())


def test_up_in_an_empty_input_corrects_the_last_message(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account, xmpp = await online(core, window)
        window.open_chat(account, BOB)
        view = window.chat_view
        qtbot.keyClicks(view.composer, "see you at nine")
        qtbot.keyClick(view.composer, Qt.Key.Key_Return)
        await until(lambda: window.chat.model.rowCount() == 1)

        qtbot.keyClick(view.composer, Qt.Key.Key_Up)
        assert view.compose_bar.isVisible()
        assert view.compose_bar.label.text().startswith("✎ Editing")
        assert view.composer.toPlainText() == "see you at nine"
        view.composer.set_text("see you at ten")
        qtbot.keyClick(view.composer, Qt.Key.Key_Return)
        await until(lambda: message(window, 0).body == "see you at ten")
        assert message(window, 0).edited
        assert view.composer.toPlainText() == ""
        assert not view.compose_bar.isVisible()
        correction = xmpp.sent[-1].message
        assert correction is not None
        assert correction.replaces == message(window, 0).origin_id

        # Up with text in the input moves the cursor, it does not start a correction
        qtbot.keyClicks(view.composer, "draft")
        qtbot.keyClick(view.composer, Qt.Key.Key_Up)
        assert window.chat.editing is None
        # a cancelled correction empties the input it had filled
        view.composer.clear()
        qtbot.keyClick(view.composer, Qt.Key.Key_Up)
        assert view.composer.toPlainText() == "see you at ten"
        qtbot.keyClick(view.composer, Qt.Key.Key_Escape)
        assert view.composer.toPlainText() == ""

    run(qloop, scenario())


def test_up_without_own_messages_says_so(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account, xmpp = await online(core, window)
        xmpp.receive_message("bob@x.org/phone", "hello")
        window.open_chat(account, BOB)
        view = window.chat_view
        qtbot.keyClick(view.composer, Qt.Key.Key_Up)
        assert window.chat.editing is None
        assert not view.error_label.isHidden()

    run(qloop, scenario())


def test_a_correction_while_offline_is_refused_with_a_reason(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account, xmpp = await online(core, window)
        window.open_chat(account, BOB)
        window.chat.send("typo")
        await until(lambda: window.chat.model.rowCount() == 1)
        xmpp.end()
        view = window.chat_view
        qtbot.keyClick(view.composer, Qt.Key.Key_Up)
        view.composer.set_text("fixed")
        qtbot.keyClick(view.composer, Qt.Key.Key_Return)
        assert view.error_label.text().startswith("Not corrected")
        assert view.composer.toPlainText() == "fixed"  # nothing is lost
        assert message(window, 0).body == "typo"

    run(qloop, scenario())


def test_me_typed_in_the_input_is_sent_as_is_and_shown_as_an_action(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account, xmpp = await online(core, window)
        window.open_chat(account, BOB)
        qtbot.keyClicks(window.chat_view.composer, "/me waves")
        qtbot.keyClick(window.chat_view.composer, Qt.Key.Key_Return)
        await until(lambda: window.chat.model.rowCount() == 1)
        assert xmpp.sent[-1].body == "/me waves"
        assert message(window, 0).is_action
        assert window.chat.author(message(window, 0)) == "me"

    run(qloop, scenario())


def test_retract_asks_first(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account, xmpp = await online(core, window)
        window.open_chat(account, BOB)
        window.chat.send("regret")
        await until(lambda: window.chat.model.rowCount() == 1)
        menu = window.chat_view.menu
        questions: list[str] = []
        menu.confirm = lambda _parent, question: questions.append(question) is not None
        trigger(menu.menu_for(message(window, 0)), "Retract…")
        assert len(questions) == 1
        assert [c for c in xmpp.commands if c[0] == "retraction"] == []

        menu.confirm = lambda _parent, _question: True
        trigger(menu.menu_for(message(window, 0)), "Retract…")
        await until(lambda: message(window, 0).retracted)
        assert [c[0] for c in xmpp.commands if c[0] == "retraction"] == ["retraction"]

    run(qloop, scenario())


def test_reaction_picker_and_chips(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account, xmpp = await online(core, window)
        xmpp.receive_message("bob@x.org/phone", "Pizza tonight?")
        window.open_chat(account, BOB)
        await until(lambda: window.chat.model.rowCount() == 1)
        view = window.chat_view
        plain_height = view.messages.visualRect(row_index(window, 0)).height()
        target = message(window, 0)
        core.bus.publish(
            ReactionsReceived(
                account,
                Jid.parse("bob@x.org/phone"),
                Jid.parse("me@x.org"),
                target.message_id,
                ("🍕",),
            )
        )
        await until(lambda: bool(message(window, 0).reactions))

        picker = view.menu.open_picker(message(window, 0))
        assert list(picker.buttons)[-1] == "🍕"  # what is already there can be picked too
        assert not picker.buttons["🍕"].isChecked()
        picker.buttons["👍"].click()
        await until(lambda: len(message(window, 0).reactions) == 2)
        sent = [c for c in xmpp.commands if c[0] == "reactions"]
        assert sent[-1][3:] == (target.message_id, ("👍",))

        await until(lambda: view.messages.visualRect(row_index(window, 0)).height() > plain_height)
        chips = view.delegate.chip_rects(row_index(window, 0))
        assert set(chips) == {"🍕", "👍"}
        center = chips["🍕"].center().toPoint()
        assert view.delegate.chip_tooltip(row_index(window, 0), center) == "🍕 bob@x.org"
        qtbot.mouseClick(view.messages.viewport(), Qt.MouseButton.LeftButton, pos=center)
        sent = [c for c in xmpp.commands if c[0] == "reactions"]
        assert sent[-1][3:] == (target.message_id, ("👍", "🍕"))
        await until(lambda: all(r.own for r in message(window, 0).reactions))

        center = view.delegate.chip_rects(row_index(window, 0))["👍"].center().toPoint()
        qtbot.mouseClick(view.messages.viewport(), Qt.MouseButton.LeftButton, pos=center)
        sent = [c for c in xmpp.commands if c[0] == "reactions"]
        assert sent[-1][3:] == (target.message_id, ("🍕",))

    run(qloop, scenario())


def test_clicking_a_reply_excerpt_shows_the_answered_message(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account, xmpp = await online(core, window)
        xmpp.receive_message("bob@x.org/phone", "Question?")
        window.open_chat(account, BOB)
        await until(lambda: window.chat.model.rowCount() == 1)
        window.chat.start_reply(message(window, 0))
        window.chat.send("Answer")
        await until(lambda: window.chat.model.rowCount() == 2)
        view = window.chat_view
        await until(lambda: not view.delegate.reply_rect(row_index(window, 1)).isEmpty())
        excerpt = view.delegate.reply_rect(row_index(window, 1)).center().toPoint()
        with qtbot.waitSignal(window.chat.focus_requested) as focused:
            qtbot.mouseClick(view.messages.viewport(), Qt.MouseButton.LeftButton, pos=excerpt)
        assert focused.args == [message(window, 0).id]
        # a click elsewhere on the bubble does nothing
        body = view.delegate.bubble_rect(row_index(window, 1)).bottomRight().toPoint()
        assert not view.menu.click(body - body.__class__(12, 4))

    run(qloop, scenario())


def test_typing_shows_under_the_conversation_and_is_sent(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account, xmpp = await online(core, window, typing=True)
        window.open_chat(account, BOB)
        view = window.chat_view
        core.bus.publish(
            ChatStateReceived(account, Jid.parse("bob@x.org/phone"), ChatState.COMPOSING)
        )
        await until(lambda: view.typing_label.text() == "Bob is typing…")
        qtbot.keyClicks(view.composer, "hi")
        states = [c for c in xmpp.commands if c[0] == "chat_state"]
        assert states == [("chat_state", BOB, ChatKind.CHAT, ChatState.COMPOSING)]
        view.composer.clear()  # set by the program: not typing
        assert len([c for c in xmpp.commands if c[0] == "chat_state"]) == 1
        core.bus.publish(ChatStateReceived(account, Jid.parse("bob@x.org/phone"), ChatState.GONE))
        await until(lambda: view.typing_label.text() == "")

    run(qloop, scenario())


def test_an_active_window_marks_the_open_conversation_read(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account, xmpp = await online(core, window)
        xmpp.receive_message("bob@x.org/phone", "ping")
        window.open_chat(account, BOB)
        window.activateWindow()
        await until(window.isActiveWindow)
        await until(lambda: core.chat.unread_count(account, BOB) == 0)
        model = window.contacts.model
        await until(lambda: getattr(model.contact(account, BOB), "unread", None) == 0)

    run(qloop, scenario())


def test_links_in_a_message_are_copied_never_opened() -> None:
    from siproxylin.gui.views.message_menu import links_in

    body = (
        "see https://x.org/wiki/0.4, and xmpp:lobby@conference.x.org?join "
        "(or https://x.org/wiki/0.4 again) http://a.example/path?q=1."
    )
    assert links_in(body) == [
        "https://x.org/wiki/0.4",
        "xmpp:lobby@conference.x.org?join",
        "http://a.example/path?q=1",
    ]
    assert links_in("no links here") == []


def test_double_clicking_a_bubble_opens_its_text_for_selection(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    from siproxylin.gui.views.text_selection import TextSelection

    async def scenario() -> None:
        account, xmpp = await online(core, window)
        xmpp.receive_message("bob@x.org/phone", "select me: https://x.org/a")
        window.open_chat(account, BOB)
        await until(lambda: window.chat.model.rowCount() == 1)
        view = window.chat_view
        index = window.chat.model.index(0, 0)
        centre = view.delegate.bubble_rect(index).center().toPoint()
        qtbot.mouseDClick(view.messages.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        (dialog,) = [d for d in window.findChildren(TextSelection) if d.isVisible()]
        assert dialog.text.toPlainText() == "select me: https://x.org/a"
        assert dialog.text.textCursor().selectedText() == "select me: https://x.org/a"
        assert not dialog.text.openLinks()
        dialog.close()

    run(qloop, scenario())
