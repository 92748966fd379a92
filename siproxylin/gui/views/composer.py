"""Composer: the message input; Enter sends, Shift+Enter starts a new line.

Qt widgets only; what "send" does is up to whoever connects ``submitted``.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

_SEND_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_NEWLINE_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier


class Composer(QPlainTextEdit):
    """A few lines of plain text; emits ``submitted`` on Enter."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("Write a message…")
        self.setTabChangesFocus(True)
        lines = 3
        height = (
            self.fontMetrics().lineSpacing() * lines + 2 * int(self.document().documentMargin()) + 6
        )
        self.setFixedHeight(height)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(400, self.height())

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        if e.key() in _SEND_KEYS and not (e.modifiers() & _NEWLINE_MODIFIERS):
            e.accept()
            self.submitted.emit()
            return
        if e.key() in _SEND_KEYS:
            # Shift+Enter would insert a paragraph separator; a plain newline is wanted.
            self.insertPlainText("\n")
            e.accept()
            return
        super().keyPressEvent(e)
