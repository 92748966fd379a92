"""EmojiPicker: a popup to put an emoji into the message being written.

Emoji are grouped as the Unicode blocks group them (smileys, people and
gestures, animals and plants, food, activities, travel, objects, symbols), with
the ones picked recently first; a search box filters by the characters' Unicode
names ("cat", "heart"). Built from ``unicodedata``: no data file, no network.
Qt widgets only; what a pick does is up to whoever connects ``picked``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLineEdit,
    QScrollArea,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

COLUMNS = 10
RECENT_KEPT = 20

# (tab title, code point ranges) in the order the tabs show.
GROUPS: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = (
    ("😀", ((0x1F600, 0x1F64F), (0x1F910, 0x1F92F), (0x1F970, 0x1F97A), (0x1F9D0, 0x1F9D6))),
    ("👋", ((0x1F44A, 0x1F450), (0x1F466, 0x1F487), (0x1F918, 0x1F91F), (0x1F4AA, 0x1F4AA))),
    ("🐱", ((0x1F400, 0x1F43F), (0x1F330, 0x1F344), (0x1F980, 0x1F9AE))),
    ("🍕", ((0x1F345, 0x1F37F), (0x1F950, 0x1F96F))),
    ("⚽", ((0x1F380, 0x1F3CA), (0x1F3CF, 0x1F3D3), (0x1F3F8, 0x1F3FF))),
    ("🚀", ((0x1F680, 0x1F6C5), (0x1F3D4, 0x1F3F0))),
    ("💡", ((0x1F4A0, 0x1F4FF), (0x1F50A, 0x1F53D), (0x1F570, 0x1F5FF))),
    ("❤", ((0x2764, 0x2764), (0x1F493, 0x1F49F), (0x2600, 0x2604), (0x2614, 0x2615))),
)


def group_emoji(ranges: Iterable[tuple[int, int]]) -> list[str]:
    """The named characters in ``ranges`` (unassigned code points are skipped)."""
    found = []
    for first, last in ranges:
        for point in range(first, last + 1):
            char = chr(point)
            if unicodedata.name(char, ""):
                found.append(char)
    return found


def matches(emoji: str, text: str) -> bool:
    """True when every word of ``text`` is in the emoji's Unicode name."""
    name = unicodedata.name(emoji[0], "").casefold()
    return all(word in name for word in text.casefold().split())


class EmojiPicker(QFrame):
    """A popup of emoji in tabs with a search box; emits ``picked`` and closes.

    Args:
        recent: Emoji picked before, newest first (shown in their own tab).
    """

    picked = Signal(str)

    def __init__(self, recent: Iterable[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("emojiPicker")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search emoji (e.g. cat, heart)")
        self.search.setClearButtonEnabled(True)
        column.addWidget(self.search)
        self.tabs = QTabWidget(self)
        column.addWidget(self.tabs)
        self._font = QFont(self.font())
        self._font.setPointSizeF(max(12.0, self.font().pointSizeF() * 1.5))
        recent = list(dict.fromkeys(recent))[:RECENT_KEPT]
        if recent:
            self.tabs.addTab(self._grid(recent), "🕘")
        for title, ranges in GROUPS:
            self.tabs.addTab(self._grid(group_emoji(ranges)), title)
        self._results: QScrollArea | None = None  # the search's tab, while searching
        self.search.textChanged.connect(self._on_search)
        self.resize(COLUMNS * 38 + 40, 320)

    def popup(self, at: QPoint) -> None:
        """Show at ``at`` (global coordinates), the search box focused."""
        self.move(at)
        self.show()
        self.search.setFocus()

    def buttons(self) -> list[QToolButton]:
        """The emoji buttons of the tab shown (tests)."""
        page = self.tabs.currentWidget()
        return page.findChildren(QToolButton) if page is not None else []

    def _grid(self, emojis: list[str]) -> QScrollArea:
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        inner = QWidget(area)
        grid = QGridLayout(inner)
        grid.setSpacing(2)
        grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        for number, emoji in enumerate(emojis):
            button = QToolButton(inner)
            button.setText(emoji)
            button.setFont(self._font)
            button.setAutoRaise(True)
            button.setToolTip(unicodedata.name(emoji[0], "").title())
            button.clicked.connect(lambda _checked=False, e=emoji: self._pick(e))
            grid.addWidget(button, number // COLUMNS, number % COLUMNS)
        area.setWidget(inner)
        return area

    def _on_search(self, text: str) -> None:
        if self._results is not None:
            self.tabs.removeTab(self.tabs.indexOf(self._results))
            self._results.deleteLater()
            self._results = None
        if not text.strip():
            return
        found = [
            emoji
            for _title, ranges in GROUPS
            for emoji in group_emoji(ranges)
            if matches(emoji, text)
        ]
        self._results = self._grid(found)
        self.tabs.insertTab(0, self._results, "🔎")
        self.tabs.setCurrentIndex(0)

    def _pick(self, emoji: str) -> None:
        self.picked.emit(emoji)
        self.close()
