"""MessageDelegate: paints a message row as a bubble with its time and delivery mark.

Incoming bubbles sit on the left, outgoing ones on the right with a tinted
background and a mark (◷ pending, ✓ sent, ✓✓ acked, ✗ failed). Text wraps at
word boundaries, or anywhere for a long word such as a link. Row heights are
cached per message id for the current width: a row's height never depends on its
delivery state. Qt widgets only; reads rows through ``MessageRole``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from math import ceil

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPalette,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QListView, QStyledItemDelegate, QStyleOptionViewItem

from siproxylin.domain.models import ChatMessage, DeliveryState, Direction
from siproxylin.gui import labels
from siproxylin.gui.models.messages import MessageRole

Index = QModelIndex | QPersistentModelIndex

_MARGIN_X = 10.0  # between the view's edge and a bubble
_MARGIN_Y = 3.0  # between two bubbles
_PAD_X = 10.0  # inside a bubble
_PAD_Y = 6.0
_RADIUS = 8.0
_MAX_SHARE = 0.72  # of the view's width a bubble may use
_FAILED = QColor("#d03434")


@dataclass(frozen=True, slots=True)
class _Geometry:
    bubble: QRectF  # relative to the row's top-left corner
    text_origin: QPointF
    layout: QTextLayout


def _mix(a: QColor, b: QColor, share: float) -> QColor:
    """``a`` with ``share`` of ``b`` mixed in."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * share,
        a.greenF() + (b.greenF() - a.greenF()) * share,
        a.blueF() + (b.blueF() - a.blueF()) * share,
    )


class MessageDelegate(QStyledItemDelegate):
    """Bubble painter for ``MessageListModel`` rows in a ``QListView``."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view
        self._heights: dict[int, int] = {}
        self._width = -1
        self._font = QFont()
        self._metrics = QFontMetricsF(self._font)
        self._meta_height = QFontMetricsF(_meta_font(self._font)).height()

    def forget_sizes(self) -> None:
        """Drop the cached row heights (another conversation was loaded)."""
        self._heights.clear()

    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: Index
    ) -> QSize:
        message: ChatMessage | None = index.data(MessageRole.MESSAGE)
        width = self._view.viewport().width()
        if width != self._width:
            self._heights.clear()
            self._width = width
        if message is None:
            return QSize(width, 0)
        height = self._heights.get(message.id)
        if height is None:
            height = self._height(message.body, option.font, width)
            self._heights[message.id] = height
        return QSize(width, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        message: ChatMessage | None = index.data(MessageRole.MESSAGE)
        if message is None:
            return
        rect = QRectF(option.rect)
        geometry = self._geometry(message, option.font, int(rect.width()))
        palette = option.palette
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        outgoing = message.direction is Direction.OUTGOING
        if outgoing:
            fill = _mix(base, palette.color(QPalette.ColorRole.Highlight), 0.16)
        else:
            fill = _mix(base, text, 0.07)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(rect.topLeft())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(geometry.bubble, _RADIUS, _RADIUS)
        painter.setPen(text)
        geometry.layout.draw(painter, geometry.text_origin)
        self._paint_meta(painter, message, option.font, geometry.bubble, _mix(fill, text, 0.55))
        painter.restore()

    # --- internals ---------------------------------------------------------------

    def _height(self, body: str, font: QFont, width: int) -> int:
        """A row's height; a short one-line body skips the text layout."""
        if font != self._font:
            self._font = QFont(font)
            self._metrics = QFontMetricsF(font)
            self._meta_height = QFontMetricsF(_meta_font(font)).height()
        room = _room(width)
        if "\n" not in body and self._metrics.horizontalAdvance(body) <= room:
            text_height = self._metrics.height()
        else:
            text_height = _wrap(body, font, room)[2]
        return ceil(text_height + self._meta_height + 2 * _PAD_Y + 2 * _MARGIN_Y)

    def _geometry(self, message: ChatMessage, font: QFont, width: int) -> _Geometry:
        room = _room(width)
        layout, text_width, text_height = _wrap(message.body, font, room)
        meta_font = _meta_font(font)
        meta = QFontMetricsF(meta_font)
        meta_width = meta.horizontalAdvance(_meta_text(message, 0.0)) + 4
        inner_width = max(text_width, meta_width)
        bubble_width = inner_width + 2 * _PAD_X
        bubble_height = text_height + meta.height() + 2 * _PAD_Y
        left = (
            width - _MARGIN_X - bubble_width
            if message.direction is Direction.OUTGOING
            else _MARGIN_X
        )
        bubble = QRectF(left, _MARGIN_Y, bubble_width, bubble_height)
        return _Geometry(bubble, QPointF(left + _PAD_X, _MARGIN_Y + _PAD_Y), layout)

    def _paint_meta(
        self,
        painter: QPainter,
        message: ChatMessage,
        font: QFont,
        bubble: QRectF,
        colour: QColor,
    ) -> None:
        meta_font = _meta_font(font)
        metrics = QFontMetricsF(meta_font)
        painter.setFont(meta_font)
        baseline = bubble.bottom() - _PAD_Y - metrics.descent()
        right = bubble.right() - _PAD_X
        mark = labels.delivery_mark(message.state)
        if mark:
            right -= metrics.horizontalAdvance(mark)
            painter.setPen(_FAILED if message.state is DeliveryState.FAILED else colour)
            painter.drawText(QPointF(right, baseline), mark)
            right -= metrics.horizontalAdvance(" ")
        stamp = labels.message_time(message.timestamp, time.time())
        painter.setPen(colour)
        painter.drawText(QPointF(right - metrics.horizontalAdvance(stamp), baseline), stamp)


def _room(width: int) -> float:
    """The widest a bubble's text may be in a view ``width`` pixels wide."""
    return max(80.0, (width - 2 * _MARGIN_X) * _MAX_SHARE - 2 * _PAD_X)


def _meta_font(font: QFont) -> QFont:
    small = QFont(font)
    size = font.pointSizeF()
    if size > 0:
        small.setPointSizeF(size * 0.82)
    return small


def _meta_text(message: ChatMessage, now: float) -> str:
    """The widest meta line this message can have (used for its bubble's width)."""
    stamp = labels.message_time(message.timestamp, now or time.time())
    if message.direction is Direction.OUTGOING:
        return f"{stamp} ✓✓"
    return stamp


def _wrap(text: str, font: QFont, width: float) -> tuple[QTextLayout, float, float]:
    """Lay ``text`` out in lines at most ``width`` wide; return layout and size."""
    # QTextLayout breaks lines only at U+2028; a plain "\n" would show as a space.
    layout = QTextLayout(text.replace("\r\n", "\n").replace("\n", "\u2028"), font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    height = 0.0
    natural = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        line.setPosition(QPointF(0.0, height))
        height += line.height()
        natural = max(natural, line.naturalTextWidth())
    layout.endLayout()
    return layout, natural, height
