"""Small pieces shared by the account forms: inline error and hint labels, aligned labels.

Qt widgets only.
"""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from siproxylin.gui.theme import set_tone


def error_label(parent: QWidget) -> QLabel:
    """A hidden, red, word-wrapped label for a form's validation error."""
    label = QLabel(parent)
    label.setObjectName("error")
    set_tone(label, "failed")
    label.setWordWrap(True)
    label.hide()
    return label


def hint_label(text: str, parent: QWidget) -> QLabel:
    """A dimmer, word-wrapped explanation shown under a field."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    palette = label.palette()
    colour = palette.color(QPalette.ColorRole.WindowText)
    colour.setAlphaF(0.65)
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    label.setPalette(palette)
    font = label.font()
    if font.pointSizeF() > 0:  # -1 when the size is set in pixels
        font.setPointSizeF(font.pointSizeF() * 0.9)
        label.setFont(font)
    return label


def align_labels(*forms: QFormLayout) -> None:
    """Give the label columns of forms stacked in one window the same width."""
    labels: list[QWidget] = []
    for form in forms:
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            widget = item.widget() if item is not None else None
            if widget is not None:
                labels.append(widget)
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)
