"""The composer's emoji picker: Unicode groups, search by name, a pick goes in at the cursor."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from siproxylin.gui.views.chat_view import ChatView
from siproxylin.gui.views.emoji_picker import GROUPS, EmojiPicker, group_emoji, matches
from siproxylin.gui.window import create_main_window
from tests.fakes import Core


def test_groups_hold_named_emoji_only() -> None:
    for _title, ranges in GROUPS:
        found = group_emoji(ranges)
        assert found
    smileys = group_emoji(GROUPS[0][1])
    assert "😀" in smileys
    assert matches("🐱", "cat face")
    assert not matches("🐱", "dog")


def test_search_then_pick_inserts_at_the_cursor(core: Core, qtbot: QtBot) -> None:
    window = create_main_window(core.services)
    qtbot.addWidget(window)
    window.show()
    view: ChatView = window.chat_view
    view.composer.setEnabled(True)
    view.composer.setPlainText("hello ")
    cursor = view.composer.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    view.composer.setTextCursor(cursor)
    picker = view.show_emoji_picker()
    assert isinstance(picker, EmojiPicker)
    picker.search.setText("cat face")
    names = [b.text() for b in picker.buttons()]
    assert "🐱" in names
    assert "😀" not in names
    next(b for b in picker.buttons() if b.text() == "🐱").click()
    assert view.composer.toPlainText() == "hello 🐱"
    again = view.show_emoji_picker()
    assert again.tabs.tabText(0) == "🕘"  # recently used first
    assert [b.text() for b in again.buttons()][:1] == ["🐱"]
    again.close()


def test_each_group_opens_on_its_emoji(qtbot: QtBot) -> None:
    picker = EmojiPicker()
    qtbot.addWidget(picker)
    for index in range(picker.tabs.count()):
        picker.tabs.setCurrentIndex(index)
        assert picker.buttons(), picker.tabs.tabText(index)
