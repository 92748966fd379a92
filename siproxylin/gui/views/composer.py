"""Composer: the message input; Enter sends, Shift+Enter starts a new line.

Up in an empty input asks to correct the last message, Escape to cancel a reply
or correction. ``edited`` fires for the user's own changes only, not for text
set by the program (``set_text``, ``clear``), so typing notifications follow the
keyboard. Qt widgets only; what the signals do is up to whoever connects them.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

_SEND_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_NEWLINE_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier


class Composer(QPlainTextEdit):
    """A few lines of plain text; emits ``submitted`` on Enter."""

    submitted = Signal()
    edit_last_requested = Signal()  # Up in an empty input
    cancel_requested = Signal()  # Escape
    edited = Signal(str)  # the user changed the text (to this)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._programmatic = False
        self.textChanged.connect(self._on_text_changed)
        self.setPlaceholderText("Write a message…")
        self.setTabChangesFocus(True)
        lines = 3
        height = (
            self.fontMetrics().lineSpacing() * lines + 2 * int(self.document().documentMargin()) + 6
        )
        self.setFixedHeight(height)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(400, self.height())

    def set_text(self, text: str) -> None:
        """Replace the text without it counting as typing; the cursor goes to the end."""
        self._programmatic = True
        try:
            self.setPlainText(text)
        finally:
            self._programmatic = False
        self.moveCursor(QTextCursor.MoveOperation.End)

    def clear(self) -> None:
        """Empty the input without it counting as typing."""
        self.set_text("")

    def _on_text_changed(self) -> None:
        if not self._programmatic:
            self.edited.emit(self.toPlainText())

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        if e.key() == Qt.Key.Key_Up and not self.toPlainText() and not e.modifiers():
            e.accept()
            self.edit_last_requested.emit()
            return
        if e.key() == Qt.Key.Key_Escape:
            e.accept()
            self.cancel_requested.emit()
            return
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
