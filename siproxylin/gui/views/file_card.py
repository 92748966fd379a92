"""The card a shared file shows inside its message bubble.

From top to bottom: the image's thumbnail (an image on disk, made locally), then a
row with the file's name and, under it, its size and state ("3.2 MB · 40 %",
"failed: <reason>"), a progress bar while it moves, and one action button on the
right: Download (a peer's file, nothing is fetched before), Cancel (moving),
Open (here), Retry (our failed upload). ``lay_out_card`` is pure geometry;
``paint_card`` draws it. Qt GUI classes only.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter

from siproxylin.domain.models import Direction, FileTransfer, TransferState
from siproxylin.gui.file_actions import CardAction, action_for

_PAD = 6.0
_GAP = 4.0
_BAR = 4.0
_BUTTON_PAD_X = 10.0
_BUTTON_PAD_Y = 3.0
MIN_WIDTH = 220.0


@dataclass(frozen=True, slots=True)
class CardLayout:
    """Where a card's parts go, relative to its top-left corner."""

    width: float
    height: float
    thumbnail: QRectF | None
    name: str  # elided to fit
    name_origin: QPointF
    status: str
    status_origin: QPointF
    bar: QRectF | None
    button: QRectF | None
    action: CardAction | None


def size_text(count: int) -> str:
    """A byte count as people read it ("" when unknown)."""
    if count < 0:
        return ""
    if count < 1024:
        return f"{count} bytes"
    value = float(count)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            return f"{value:.1f} {unit}"
    return ""


def status_text(transfer: FileTransfer, direction: Direction) -> str:
    """The line under the name: size and state."""
    state = transfer.state
    if state is TransferState.FAILED:
        return f"failed: {transfer.error}" if transfer.error else "failed"
    if state in (TransferState.UPLOADING, TransferState.DOWNLOADING):
        verb = "uploading" if state is TransferState.UPLOADING else "downloading"
        if transfer.size > 0:
            share = min(100, transfer.done * 100 // transfer.size)
            return f"{size_text(transfer.size)} · {verb} {share} %"
        return _joined(size_text(transfer.done), verb)
    words = {
        TransferState.CANCELLED: "cancelled",
        TransferState.OFFERED: "not downloaded",
        TransferState.DONE: "shared" if direction is Direction.OUTGOING else "downloaded",
    }
    return _joined(size_text(transfer.size), words.get(state, ""))


def _joined(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def lay_out_card(
    transfer: FileTransfer,
    direction: Direction,
    thumbnail: QImage | None,
    font: QFont,
    small: QFont,
    room: float,
) -> CardLayout:
    """The card's geometry for a bubble whose text may be ``room`` wide."""
    metrics, small_metrics = QFontMetricsF(font), QFontMetricsF(small)
    action = action_for(transfer, direction)
    button_width = (
        small_metrics.horizontalAdvance(action.value) + 2 * _BUTTON_PAD_X if action else 0.0
    )
    width = max(MIN_WIDTH, min(room, 300.0))
    y = 0.0
    thumb: QRectF | None = None
    if thumbnail is not None:
        scale = min(1.0, width / max(1, thumbnail.width()))
        thumb = QRectF(0, 0, thumbnail.width() * scale, thumbnail.height() * scale)
        y = thumb.height() + _GAP
    text_width = width - (button_width + _GAP if action else 0.0)
    name = metrics.elidedText(transfer.name, Qt.TextElideMode.ElideMiddle, text_width)
    name_origin = QPointF(0, y + metrics.ascent())
    y += metrics.height()
    status = small_metrics.elidedText(
        status_text(transfer, direction), Qt.TextElideMode.ElideRight, text_width
    )
    status_origin = QPointF(0, y + small_metrics.ascent())
    lines_top = name_origin.y() - metrics.ascent()
    y += small_metrics.height()
    button: QRectF | None = None
    if action is not None:
        height = small_metrics.height() + 2 * _BUTTON_PAD_Y
        middle = lines_top + (y - lines_top) / 2
        button = QRectF(width - button_width, middle - height / 2, button_width, height)
    bar: QRectF | None = None
    if transfer.state in (TransferState.UPLOADING, TransferState.DOWNLOADING):
        bar = QRectF(0, y + _GAP, width, _BAR)
        y += _GAP + _BAR
    return CardLayout(
        width, y + _PAD / 2, thumb, name, name_origin, status, status_origin, bar, button, action
    )


def paint_card(
    painter: QPainter,
    layout: CardLayout,
    origin: QPointF,
    transfer: FileTransfer,
    thumbnail: QImage | None,
    fonts: tuple[QFont, QFont],
    colours: tuple[QColor, QColor, QColor, QColor],
) -> None:
    """Draw the card at ``origin``; colours: text, dim, accent, failed."""
    text, dim, accent, failed = colours
    painter.save()
    painter.translate(origin)
    if layout.thumbnail is not None and thumbnail is not None:
        painter.drawImage(layout.thumbnail, thumbnail)
    painter.setFont(fonts[0])
    painter.setPen(text)
    painter.drawText(layout.name_origin, layout.name)
    painter.setFont(fonts[1])
    painter.setPen(failed if transfer.state is TransferState.FAILED else dim)
    painter.drawText(layout.status_origin, layout.status)
    if layout.bar is not None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(dim)
        painter.drawRoundedRect(layout.bar, 2, 2)
        if transfer.size > 0:
            share = min(1.0, transfer.done / transfer.size)
            done = QRectF(layout.bar)
            done.setWidth(layout.bar.width() * share)
            painter.setBrush(accent)
            painter.drawRoundedRect(done, 2, 2)
    if layout.button is not None and layout.action is not None:
        painter.setPen(accent)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        radius = layout.button.height() / 2
        painter.drawRoundedRect(layout.button.adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
        painter.drawText(layout.button, Qt.AlignmentFlag.AlignCenter, layout.action.value)
    painter.restore()
