"""Small icons drawn in code: coloured dots for presence and account state.

Qt only (QtGui); the pixmaps are made on first use (a QGuiApplication must
exist) and cached for the life of the process.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from siproxylin.domain.models import Availability, ConnectionState, RoomState

_GREEN = "#2e9e44"
_AMBER = "#e0a100"
_ORANGE = "#d9731a"
_RED = "#d03434"
_GREY = "#9a9a9a"

_PRESENCE_COLOUR = {
    Availability.CHAT: _GREEN,
    Availability.ONLINE: _GREEN,
    Availability.AWAY: _AMBER,
    Availability.XA: _ORANGE,
    Availability.DND: _RED,
    Availability.OFFLINE: _GREY,
}

_STATE_COLOUR = {
    ConnectionState.ONLINE: _GREEN,
    ConnectionState.CONNECTING: _AMBER,
    ConnectionState.RECONNECTING: _AMBER,
    ConnectionState.FAILED: _RED,
    ConnectionState.DISABLED: _GREY,
}

_ROOM_COLOUR = {
    RoomState.JOINED: _GREEN,
    RoomState.JOINING: _AMBER,
    RoomState.FAILED: _RED,
    RoomState.LEFT: _GREY,
}

_SIZE = 16


@cache
def dot_icon(colour: str, hollow: bool = False) -> QIcon:
    """A round dot of ``colour``; ``hollow`` draws a ring (used for offline)."""
    icon = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(_SIZE * scale, _SIZE * scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(4 * scale, 4 * scale, 8 * scale, 8 * scale)
        if hollow:
            pen = painter.pen()
            pen.setColor(QColor(colour))
            pen.setWidthF(1.5 * scale)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(rect.adjusted(scale, scale, -scale, -scale))
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(colour))
            painter.drawEllipse(rect)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        icon.addPixmap(pixmap)
    return icon


def presence_icon(availability: Availability) -> QIcon:
    """The dot shown next to a contact."""
    return dot_icon(_PRESENCE_COLOUR[availability], hollow=availability is Availability.OFFLINE)


def presence_colour(availability: Availability) -> QColor:
    """The colour of a presence, for text or painted marks."""
    return QColor(_PRESENCE_COLOUR[availability])


def account_state_icon(state: ConnectionState) -> QIcon:
    """The dot shown next to an account."""
    return dot_icon(_STATE_COLOUR[state], hollow=state is ConnectionState.DISABLED)


@cache
def bubbles_icon(colour: str) -> QIcon:
    """Two overlapping speech bubbles of ``colour``: a group chat."""
    icon = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(_SIZE * scale, _SIZE * scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        back = QColor(colour)
        back.setAlphaF(0.55)
        painter.setBrush(back)
        painter.drawRoundedRect(
            QRectF(6 * scale, 2 * scale, 9 * scale, 7 * scale), scale * 2, scale * 2
        )
        painter.setBrush(QColor(colour))
        painter.drawRoundedRect(
            QRectF(1 * scale, 6 * scale, 10 * scale, 8 * scale), scale * 2, scale * 2
        )
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        icon.addPixmap(pixmap)
    return icon


def room_icon(state: RoomState) -> QIcon:
    """The icon of a group chat row, coloured by where we are with the room."""
    return bubbles_icon(_ROOM_COLOUR[state])


def _paint_lock(painter: QPainter, side: float, closed: bool) -> None:
    """A padlock filling a ``side`` x ``side`` square at the painter's origin."""
    unit = side / 16
    colour = QColor(_GREEN if closed else _GREY)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = painter.pen()
    pen.setColor(colour)
    pen.setWidthF(max(1.0, 1.8 * unit))
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    # The shackle: an arch over the body; when open, shifted aside with one end free.
    shackle = (
        QRectF(4.5 * unit, 1.5 * unit, 7 * unit, 9 * unit)
        if closed
        else QRectF(8.5 * unit, 0.5 * unit, 6 * unit, 8 * unit)
    )
    painter.drawArc(shackle, 0, 180 * 16)
    middle, bottom = shackle.center().y(), 8 * unit
    painter.drawLine(QPointF(shackle.left(), middle), QPointF(shackle.left(), bottom))
    right_end = bottom if closed else middle + unit
    painter.drawLine(QPointF(shackle.right(), middle), QPointF(shackle.right(), right_end))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(
        QRectF(2.5 * unit, 7.5 * unit, 11 * unit, 8 * unit), 1.5 * unit, 1.5 * unit
    )
    if side >= 12:  # the keyhole; at text size it would only blur the body
        painter.setBrush(Qt.GlobalColor.white)
        painter.drawEllipse(QRectF(7 * unit, 10 * unit, 2 * unit, 2.5 * unit))


@cache
def lock_icon(closed: bool) -> QIcon:
    """A padlock: closed and green (encrypted), or open and grey (not encrypted)."""
    icon = QIcon()
    for scale in (1, 2):
        icon.addPixmap(lock_pixmap(_SIZE, closed, scale))
    return icon


@cache
def lock_pixmap(side: int, closed: bool = True, scale: int = 1) -> QPixmap:
    """The padlock drawn for exactly ``side`` logical pixels (no scaling blur)."""
    pixmap = QPixmap(side * scale, side * scale)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    _paint_lock(painter, side * scale, closed)
    painter.end()
    pixmap.setDevicePixelRatio(scale)
    return pixmap
