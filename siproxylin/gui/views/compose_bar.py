"""ComposeBar: the strip above the message input saying "Replying to …" or "Editing".

Shows what the next send will do, with a button to cancel it. Qt widgets only;
``ChatView`` fills it from ``ChatPresenter``'s compose state.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from siproxylin.gui import labels


class ComposeBar(QFrame):
    """One line of text and a cancel button; hidden while there is nothing to say."""

    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composeBar")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 2, 2)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setStyleSheet("color: palette(placeholder-text);")
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText("✕")
        self.cancel_button.setAutoRaise(True)
        self.cancel_button.setToolTip("Cancel (Esc)")
        self.cancel_button.clicked.connect(self.cancelled)
        row.addWidget(self.label, 1)
        row.addWidget(self.cancel_button)
        self.hide()

    def show_reply(self, author: str, body: str) -> None:
        """ "Replying to Bob: excerpt"."""
        self.label.setText(f"↪ Replying to {labels.quote_text(body, author, 70)}")
        self.show()

    def show_editing(self, body: str) -> None:
        """ "Editing: excerpt"."""
        self.label.setText(f"✎ Editing: {labels.excerpt(body, 60)}")
        self.show()
