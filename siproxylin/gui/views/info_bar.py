"""InfoBar: a non-modal strip above the content with a message and a few buttons.

Used for warnings (passwords stored without a keyring) and questions from the
core (subscription requests). Pressing any button closes the bar. Its colours
come from the theme's style sheet (``gui/theme.py``), by its ``kind`` property.
Qt widgets only.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class BarKind(enum.Enum):
    """Colour scheme of a bar (the theme's info or warning bar colours)."""

    INFO = "info"
    WARNING = "warning"


class InfoBar(QFrame):
    """A message with buttons; emits ``closed`` once, when any button is pressed."""

    closed = Signal()

    def __init__(
        self, text: str, kind: BarKind = BarKind.INFO, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("InfoBar")
        self.setProperty("kind", kind.value)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout.addWidget(self.label, 1)
        self._done = False

    def add_button(self, text: str, on_click: Callable[[], None] | None = None) -> QPushButton:
        """Add a button that runs ``on_click`` and then closes the bar."""
        button = QPushButton(text, self)
        button.clicked.connect(lambda: self._on_button_clicked(on_click))
        self._layout.addWidget(button)
        return button

    def dismiss(self) -> None:
        """Close the bar without running any button's action."""
        if self._done:
            return
        self._done = True
        self.hide()
        self.closed.emit()
        self.deleteLater()

    def _on_button_clicked(self, on_click: Callable[[], None] | None) -> None:
        if self._done:
            return
        if on_click is not None:
            on_click()
        self.dismiss()
