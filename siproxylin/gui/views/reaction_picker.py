"""ReactionPicker: a small popup row of emoji to react to a message with.

Shows the common reactions followed by those already on the message (ours
marked as checked: picking one again takes it away). Qt widgets only; what a pick
does is up to whoever connects ``picked``.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QWidget

from siproxylin.domain.models import Reaction

COMMON_REACTIONS = ("👍", "❤️", "😂", "😮", "😢", "🙏")


class ReactionPicker(QFrame):
    """A popup of emoji buttons; emits ``picked`` with the chosen one and closes."""

    picked = Signal(str)

    def __init__(self, existing: Iterable[Reaction] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("reactionPicker")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 4, 4, 4)
        row.setSpacing(2)
        own = {reaction.emoji for reaction in existing if reaction.own}
        emojis = list(COMMON_REACTIONS)
        emojis.extend(r.emoji for r in existing if r.emoji not in emojis)
        self.buttons: dict[str, QToolButton] = {}
        for emoji in emojis:
            button = QToolButton(self)
            button.setText(emoji)
            button.setAutoRaise(True)
            button.setCheckable(True)
            button.setChecked(emoji in own)
            font = QFont(button.font())
            font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.3)
            button.setFont(font)
            button.setToolTip("Take back" if emoji in own else "React with " + emoji)
            button.clicked.connect(lambda _checked=False, e=emoji: self._pick(e))
            row.addWidget(button)
            self.buttons[emoji] = button

    def popup(self, at: QPoint) -> None:
        """Show at the global position ``at``."""
        self.adjustSize()
        self.move(at)
        self.show()

    def _pick(self, emoji: str) -> None:
        self.picked.emit(emoji)
        self.close()
