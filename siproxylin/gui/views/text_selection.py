"""TextSelection: a message's text in a small window where it can be selected with the mouse.

Bubbles are painted, not text widgets, so selecting part of a message happens here:
double-click a bubble (or "Select Text…" in its menu) and the text opens read-only,
wrapped, with links underlined and selectable but never opened (a browser would not
go through the account's proxy). Ctrl+C copies the selection; Escape closes. Qt
widgets only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget


class TextSelection(QDialog):
    """A message's text, selectable (see the module doc)."""

    def __init__(self, text: str, author: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Message from {author}" if author else "Message")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.text = QTextBrowser(self)
        self.text.setOpenLinks(False)
        self.text.setOpenExternalLinks(False)
        self.text.setPlainText(text)
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.text.selectAll()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.text)
        column.addWidget(buttons)
        QShortcut(QKeySequence.StandardKey.Copy, self, self.text.copy)
        self.resize(480, 260)
