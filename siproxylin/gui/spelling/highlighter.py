"""SpellingHighlighter: red wavy underlines under misspelled words of a text document.

A ``QSyntaxHighlighter``: Qt calls ``highlightBlock`` for each paragraph that
changed, so a keystroke re-checks one block, and each word goes through the
dictionary's cache. It only adds character formats; text direction (Arabic,
Hebrew) stays Qt's business. The block state says whether a ``` block is open
after the block, so the next one knows it is code. ``misspelling_at`` tells the
context menu which word is under the mouse. Imports Qt and ``gui.spelling``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtGui import (
    QColor,
    QSyntaxHighlighter,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)

from siproxylin.gui.spelling.dictionaries import Dictionary
from siproxylin.gui.spelling.words import Word, line_words, utf16_positions, words

UNDERLINE = QColor("#d32f2f")
_IN_CODE = 1


@dataclass(frozen=True, slots=True)
class Misspelling:
    """A misspelled word in the document (positions in Qt's units)."""

    start: int
    end: int
    word: str


def misspelled_format() -> QTextCharFormat:
    """The format drawn under a misspelled word."""
    underline = QTextCharFormat()
    underline.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
    underline.setUnderlineColor(UNDERLINE)
    return underline


class SpellingHighlighter(QSyntaxHighlighter):
    """Underlines what the current dictionary rejects; nothing without one."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._dictionary: Dictionary | None = None
        self._names: frozenset[str] = frozenset()
        self._format = misspelled_format()

    @property
    def dictionary(self) -> Dictionary | None:
        """The dictionary in use; None when checking is off."""
        return self._dictionary

    def set_dictionary(self, dictionary: Dictionary | None) -> None:
        """Check with ``dictionary`` (None: stop checking) and draw again."""
        if dictionary is not self._dictionary:
            self._dictionary = dictionary
            self.rehighlight()

    def set_names(self, names: Iterable[str]) -> None:
        """Words never flagged: the names of the people in the conversation."""
        known = frozenset(word.text.casefold() for name in names for word in words(name))
        if known != self._names:
            self._names = known
            if self._dictionary is not None:
                self.rehighlight()

    def refresh(self) -> None:
        """Draw again (a word was added or ignored)."""
        self.rehighlight()

    def misspelled(self, word: str) -> bool:
        """Whether ``word`` gets underlined."""
        dictionary = self._dictionary
        return (
            dictionary is not None
            and word.casefold() not in self._names
            and not dictionary.check(word)
        )

    def highlightBlock(self, text: str) -> None:  # noqa: N802
        found, in_code = line_words(text, self.previousBlockState() == _IN_CODE)
        self.setCurrentBlockState(_IN_CODE if in_code else 0)
        if self._dictionary is None:
            return
        positions = utf16_positions(text)
        for word in found:
            if self.misspelled(word.text):
                start, end = _qt_span(word, positions)
                self.setFormat(start, end - start, self._format)

    def misspelling_at(self, cursor: QTextCursor) -> Misspelling | None:
        """The misspelled word at (or just before) the cursor's position, if any."""
        block = cursor.block()
        at = cursor.positionInBlock()
        for word, (start, end) in _block_words(block):
            if start <= at <= end and self.misspelled(word.text):
                offset = block.position()
                return Misspelling(offset + start, offset + end, word.text)
        return None


def _qt_span(word: Word, positions: list[int] | None) -> tuple[int, int]:
    if positions is None:
        return word.start, word.end
    return positions[word.start], positions[word.end]


def _block_words(block: QTextBlock) -> list[tuple[Word, tuple[int, int]]]:
    previous = block.previous()
    in_code = previous.isValid() and previous.userState() == _IN_CODE
    text = block.text()
    positions = utf16_positions(text)
    found, _open = line_words(text, in_code)
    return [(word, _qt_span(word, positions)) for word in found]


def replace(document: QTextDocument, misspelling: Misspelling, text: str) -> None:
    """Put ``text`` in place of the misspelled word (one undo step)."""
    cursor = QTextCursor(document)
    cursor.setPosition(misspelling.start)
    cursor.setPosition(misspelling.end, QTextCursor.MoveMode.KeepAnchor)
    cursor.insertText(text)
