"""Spell checking in the composer: underlines in several languages, the menu, languages per chat."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind
from siproxylin.gui.presenters.spelling import DEFAULT_KEY, KEY, NO_ENCHANT, SpellingPresenter
from siproxylin.gui.spelling.dictionaries import Dictionaries, Dictionary
from siproxylin.gui.spelling.highlighter import UNDERLINE, SpellingHighlighter
from siproxylin.gui.views import spelling_menu
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.window import create_main_window
from tests.fakes import Core, account_config, roster_item

from .room_support import arrive, enter, make_room_core, occupant, settle
from .room_support import online as room_online
from .spelling_support import (
    MemorySettings,
    action_texts,
    find_action,
    services_with_spelling,
    submenu,
    underlined,
)
from .waits import until

BOB = Jid.parse("bob@x.org")
CAROL = Jid.parse("carol@x.org")
ZORBLAX = Jid.parse("zorblax@x.org")


def dictionary(tag: str, dictionaries: Dictionaries | None = None) -> Dictionary:
    found = (dictionaries or Dictionaries()).get(tag)
    assert found is not None, f"no {tag} dictionary: run tools/install-test-deps.sh"
    return found


def document_of(text: str) -> QTextDocument:
    document = QTextDocument()
    document.documentLayout()  # as in an editor: without a layout, edits are not announced
    document.setPlainText(text)
    return document


def highlight(text: str, tag: str) -> tuple[QTextDocument, SpellingHighlighter]:
    document = document_of(text)
    highlighter = SpellingHighlighter(document)
    highlighter.set_dictionary(dictionary(tag))
    return document, highlighter


# --- the highlighter ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "text", "wrong"),
    [
        ("en_US", "This sentense has one mistake.", ["sentense"]),
        ("de_DE", "Ich habe heute einen Fehlr gemacht.", ["Fehlr"]),
        ("ru_RU", "Я люблю читать книги, но иногда делаю ашибки.", ["ашибки"]),
        ("ar", "أنا أحب قراءة الكتب كثيرا في المساءء", ["المساءء"]),
    ],
)
def test_misspelled_words_are_underlined(
    qapp: object, tag: str, text: str, wrong: list[str]
) -> None:
    document, _highlighter = highlight(text, tag)
    assert underlined(document) == wrong
    span = document.firstBlock().layout().formats()[0]
    assert span.start == text.index(wrong[0])
    assert span.length == len(wrong[0])
    assert span.format.underlineStyle() == QTextCharFormat.UnderlineStyle.SpellCheckUnderline
    assert span.format.underlineColor() == UNDERLINE


def test_arabic_stays_right_to_left(qapp: object) -> None:
    text = "أنا أحب قراءة الكتب كثيرا في المساءء"
    document, _highlighter = highlight(text, "ar")
    block = document.firstBlock()
    assert block.textDirection() == Qt.LayoutDirection.RightToLeft
    assert block.text() == text  # formats only, the text is untouched
    assert underlined(document) == ["المساءء"]


def test_offsets_after_emoji_are_counted_as_qt_does(qapp: object) -> None:
    document, _highlighter = highlight("😀😀 a speling error", "en_US")
    assert underlined(document) == ["speling"]


def test_addresses_mentions_code_and_numbers_are_not_flagged(qapp: object) -> None:
    text = (
        "see https://exmaple.org/pathh and xmpp:roomm@conference.exmaple.org?join\n"
        "@bobby: look at `pip instal foo` 3rd v2 file_nmae.txt\n"
        "```\n"
        "def fnuc(): retrun\n"
        "```\n"
        "a wrnog word"
    )
    document, _highlighter = highlight(text, "en_US")
    assert underlined(document) == ["wrnog"]


def test_names_in_the_conversation_are_not_flagged(qapp: object) -> None:
    document, highlighter = highlight("ask Zorblax about it", "en_US")
    assert underlined(document) == ["Zorblax"]
    highlighter.set_names(["Zorblax Qwimby"])
    assert underlined(document) == []


def test_without_a_dictionary_nothing_is_underlined(qapp: object) -> None:
    document, highlighter = highlight("a wrnog word", "en_US")
    highlighter.set_dictionary(None)
    assert underlined(document) == []


def test_a_long_message_asks_each_word_once(qapp: object) -> None:
    english = dictionary("en_US")
    line = " ".join(["the quick brown fox jumps over the lazy dgo"] * 2000)  # 18,000 words
    document = document_of(line)
    highlighter = SpellingHighlighter(document)
    start = time.perf_counter()
    highlighter.set_dictionary(english)
    first = time.perf_counter() - start
    assert english.lookups == 8  # unique words
    assert len(underlined(document)) == 2000
    cursor = QTextCursor(document)
    cursor.movePosition(QTextCursor.MoveOperation.End)
    start = time.perf_counter()
    for char in " more":  # typing at the end re-checks the block from the cache
        cursor.insertText(char)
    typing = (time.perf_counter() - start) / 5
    assert english.lookups == 8 + 3  # "mo", "mor", "more": only new words reach Enchant
    assert underlined(document)[-1] == "mor" or len(underlined(document)) == 2000
    assert first < 2.0
    assert typing < 0.2, f"{typing:.3f} s per keystroke"


# --- in the chat view ------------------------------------------------------------------------


@pytest.fixture
def settings() -> MemorySettings:
    return MemorySettings()


@pytest.fixture
def window(core: Core, qtbot: QtBot, tmp_path: Path, settings: MemorySettings) -> MainWindow:
    services, _preferences = services_with_spelling(core, tmp_path / "personal.dic", settings)
    win = create_main_window(services)
    qtbot.addWidget(win)
    win.resize(800, 600)
    win.show()
    return win


def run(loop: asyncio.AbstractEventLoop, window: MainWindow, core: Core) -> AccountId:
    async def online() -> AccountId:
        stored = await core.accounts.add_account(account_config("me@x.org"), "secret")
        xmpp = core.xmpp(stored.id)
        xmpp.start()
        xmpp.receive_roster(roster_item("bob@x.org", "Bob"), roster_item("carol@x.org", "Carol"))
        await until(lambda: window.contacts.model.contact(stored.id, CAROL) is not None)
        return stored.id

    return loop.run_until_complete(online())


def menu_at(window: MainWindow, word: str) -> QMenu:
    composer = window.chat_view.composer
    menus = window.chat_view.spelling_menu
    assert menus is not None
    cursor = QTextCursor(composer.document())
    cursor.setPosition(composer.toPlainText().index(word) + 1)
    return menus.menu_for(cursor)


def highlighter(window: MainWindow) -> SpellingHighlighter:
    menus = window.chat_view.spelling_menu
    assert menus is not None
    return menus.highlighter


def test_a_suggestion_replaces_the_word(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    account = run(qloop, window, core)
    window.open_chat(account, BOB)
    composer = window.chat_view.composer
    composer.set_text("I made a speling mistake")
    assert underlined(composer.document()) == ["speling"]
    menu = menu_at(window, "speling")
    texts = action_texts(menu)
    assert "spelling" in texts
    assert (
        texts.index("spelling") < texts.index(spelling_menu.ADD) < texts.index(spelling_menu.IGNORE)
    )
    find_action(menu, "spelling").trigger()
    assert composer.toPlainText() == "I made a spelling mistake"
    assert underlined(composer.document()) == []
    composer.undo()
    assert composer.toPlainText() == "I made a speling mistake"


def test_a_correct_word_gets_the_standard_menu_and_the_language_menu(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    account = run(qloop, window, core)
    window.open_chat(account, BOB)
    window.chat_view.composer.set_text("all good here")
    menu = menu_at(window, "good")
    texts = action_texts(menu)
    assert spelling_menu.ADD not in texts
    assert any("Copy" in text for text in texts)
    languages = submenu(menu, spelling_menu.SPELLING)
    assert "English (United States)" in action_texts(languages)
    assert find_action(languages, "English (United States)").isChecked()


def test_add_to_dictionary_persists_for_a_new_highlighter(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    account = run(qloop, window, core)
    window.open_chat(account, BOB)
    composer = window.chat_view.composer
    composer.set_text("Siproxylin works")
    assert underlined(composer.document()) == ["Siproxylin"]
    find_action(menu_at(window, "Siproxylin"), spelling_menu.ADD).trigger()
    assert underlined(composer.document()) == []
    # a later start of the app: new dictionaries over the same file
    document, _highlighter = highlight("Siproxylin works", "en_US")
    assert underlined(document) == ["Siproxylin"]  # without the personal list
    fresh = Dictionaries(tmp_path / "personal.dic")
    again = document_of("Siproxylin funktioniert")  # one list for every language
    SpellingHighlighter(again).set_dictionary(dictionary("de_DE", fresh))
    assert underlined(again) == []


def test_ignore_lasts_for_the_session_only(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    account = run(qloop, window, core)
    window.open_chat(account, BOB)
    composer = window.chat_view.composer
    composer.set_text("Zorblax again")
    find_action(menu_at(window, "Zorblax"), spelling_menu.IGNORE).trigger()
    assert underlined(composer.document()) == []
    window.open_chat(account, CAROL)
    composer.set_text("Zorblax here too")
    assert underlined(composer.document()) == []
    assert not dictionary("en_US", Dictionaries(tmp_path / "personal.dic")).check("Zorblax")


def test_the_language_is_remembered_per_conversation(
    core: Core,
    window: MainWindow,
    qloop: asyncio.AbstractEventLoop,
    settings: MemorySettings,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    account = run(qloop, window, core)
    window.open_chat(account, BOB)
    composer = window.chat_view.composer
    languages = submenu(menu_at(window, ""), spelling_menu.SPELLING)
    find_action(languages, "German (Germany)").trigger()
    assert highlighter(window).dictionary is not None
    assert highlighter(window).dictionary.tag == "de_DE"  # type: ignore[union-attr]
    composer.set_text("Ich habe einen Fehlr gemacht")
    assert underlined(composer.document()) == ["Fehlr"]
    window.open_chat(account, CAROL)
    composer.set_text("Ich habe einen Fehlr gemacht")
    assert "Ich" in underlined(composer.document())  # Carol's conversation: English
    window.open_chat(account, BOB)
    composer.set_text("Ich habe einen Fehlr gemacht")
    assert underlined(composer.document()) == ["Fehlr"]
    assert settings.get_str(f"chat/{BOB}/{KEY}", account=account) == "de_DE"
    # after a restart (a new window over the same settings)
    services, _preferences = services_with_spelling(core, tmp_path / "personal.dic", settings)
    second = create_main_window(services)
    qtbot.addWidget(second)
    second.open_chat(account, BOB)
    assert highlighter(second).dictionary is not None
    assert highlighter(second).dictionary.tag == "de_DE"  # type: ignore[union-attr]


def test_off_and_a_new_default(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop, settings: MemorySettings
) -> None:
    account = run(qloop, window, core)
    window.open_chat(account, BOB)
    composer = window.chat_view.composer
    composer.set_text("a wrnog word")
    languages = submenu(menu_at(window, "word"), spelling_menu.SPELLING)
    find_action(languages, spelling_menu.OFF).trigger()
    assert underlined(composer.document()) == []
    assert find_action(
        submenu(menu_at(window, "word"), spelling_menu.SPELLING), spelling_menu.OFF
    ).isChecked()
    window.open_chat(account, CAROL)
    languages = submenu(menu_at(window, ""), spelling_menu.SPELLING)
    find_action(languages, "Russian (Russia)").trigger()
    languages = submenu(menu_at(window, ""), spelling_menu.SPELLING)
    find_action(languages, "Use Russian (Russia) for New Conversations").trigger()
    assert settings.get_str(DEFAULT_KEY) == "ru_RU"
    window.open_chat(account, Jid.parse("dave@x.org"))
    assert highlighter(window).dictionary is not None
    assert highlighter(window).dictionary.tag == "ru_RU"  # type: ignore[union-attr]
    window.open_chat(account, BOB)
    assert highlighter(window).dictionary is None  # still off


def test_a_missing_dictionary_is_reported_and_checking_stops(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop, settings: MemorySettings
) -> None:
    account = run(qloop, window, core)
    settings.set(f"chat/{BOB}/{KEY}", "xx_YY", account)  # chosen when it was installed
    window.open_chat(account, BOB)
    view = window.chat_view
    assert view.error_label.isVisible()
    assert "no dictionary for xx_YY" in view.error_label.text()
    assert highlighter(window).dictionary is None
    view.composer.set_text("a wrnog word")
    assert underlined(view.composer.document()) == []
    languages = submenu(menu_at(window, "word"), spelling_menu.SPELLING)
    missing = find_action(languages, "xx_YY (not installed)")
    assert missing.isChecked()
    assert not missing.isEnabled()
    window.open_chat(account, CAROL)  # English: checking again, the note gone
    assert not view.error_label.isVisible()
    view.composer.set_text("a wrnog word")
    assert underlined(view.composer.document()) == ["wrnog"]


def test_choosing_a_missing_dictionary_is_reported(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    account = run(qloop, window, core)
    window.open_chat(account, BOB)
    spelling = window.chat_view.spelling_menu
    assert spelling is not None
    notes: list[str] = []
    presenter = spelling.presenter
    presenter.note.connect(notes.append)
    presenter.choose("fi_FI")
    assert notes == [
        "Spell checking is off: no dictionary for Finnish (Finland) (fi_FI) is installed."
    ]
    assert window.chat_view.error_label.text() == notes[0]
    assert highlighter(window).dictionary is None


def test_without_enchant_the_menu_says_so(
    core: Core, qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    services, preferences = services_with_spelling(core, tmp_path / "personal.dic")
    window = create_main_window(services)
    qtbot.addWidget(window)
    presenter = SpellingPresenter(
        Dictionaries(load=lambda: None), window.chat, preferences, parent=window
    )
    window.chat_view.attach_spelling(presenter)
    account = run(qloop, window, core)
    window.open_chat(account, BOB)
    assert window.chat_view.error_label.text() == NO_ENCHANT
    assert highlighter(window).dictionary is None
    languages = submenu(menu_at(window, ""), spelling_menu.SPELLING)
    texts = action_texts(languages)
    assert texts[0] == spelling_menu.NO_ENCHANT
    assert "English (United States) (not installed)" in texts


def test_the_peers_name_is_not_flagged(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def online() -> AccountId:
        stored = await core.accounts.add_account(account_config("me@x.org"), "secret")
        xmpp = core.xmpp(stored.id)
        xmpp.start()
        xmpp.receive_roster(roster_item("zorblax@x.org", "Qwimby Zorblax"))
        await until(lambda: window.contacts.model.contact(stored.id, ZORBLAX) is not None)
        return stored.id

    account = qloop.run_until_complete(online())
    window.open_chat(account, ZORBLAX)
    composer = window.chat_view.composer
    composer.set_text("Qwimby, Zorblax and Fnordix")
    assert underlined(composer.document()) == ["Fnordix"]
    window.open_chat(account, BOB)
    composer.set_text("Qwimby, Zorblax and Fnordix")
    assert underlined(composer.document()) == ["Qwimby", "Zorblax", "Fnordix"]


def test_room_occupants_nicks_are_not_flagged(
    tmp_path: Path, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    room_core = make_room_core(tmp_path / "siproxylin.db")
    window = create_main_window(room_core.services)
    qtbot.addWidget(window)
    window.show()
    lobby = Jid.parse("lobby@conference.x.org")

    async def scenario() -> None:
        account = await room_online(room_core)
        me = occupant("me", own=True)
        await enter(room_core, account, lobby, me, [occupant("Fnordix")])
        await until(
            lambda: window.rooms is not None and window.rooms.state_text(account, lobby) == "joined"
        )
        window.open_chat(account, lobby, ChatKind.GROUPCHAT)
        await settle()
        composer = window.chat_view.composer
        composer.set_text("Fnordix and Glorbit")
        assert underlined(composer.document()) == ["Glorbit"]
        arrive(room_core, account, lobby, occupant("Glorbit"))
        await until(lambda: underlined(composer.document()) == [])

    try:
        qloop.run_until_complete(scenario())
    finally:
        qloop.run_until_complete(room_core.accounts.shutdown())
        room_core.db.close()
