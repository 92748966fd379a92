"""Avatar pictures for the GUI: round avatars, initials fallback, presence or room badge, scaling.

Owns how an avatar looks (a circle cut from the cached picture, or the name's
initials on a colour derived from the address) and how a picture the user
picks becomes our avatar (cropped square, at most ``OWN_AVATAR_SIDE`` pixels,
PNG). Qt GUI types and ``domain`` only.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPainterPath, QPixmap

from siproxylin.domain.models import Availability, RoomState
from siproxylin.domain.profiles import MAX_AVATAR_BYTES
from siproxylin.gui import icons
from siproxylin.gui.nick_colours import nick_hue

OWN_AVATAR_SIDE = 192
ICON_SIDE = 24


def initials(name: str) -> str:
    """One or two letters for a name or address ("Alice Liddell" -> "AL")."""
    words = [w for w in name.replace("@", " ").replace(".", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1 or "@" in name:
        return words[0][0].upper()
    return (words[0][0] + words[1][0]).upper()


@lru_cache(maxsize=512)
def avatar_pixmap(path: str, name: str, key: str, side: int, scale: int = 1) -> QPixmap:
    """A round avatar of ``side`` pixels: the picture at ``path``, or initials.

    Args:
        path: The cached picture ("" for none, or when it cannot be read).
        name: The name to take initials from.
        key: What decides the fallback's colour (the address).
        side: Logical size in pixels.
        scale: Device pixel ratio to render for.
    """
    pixels = side * scale
    pixmap = QPixmap(pixels, pixels)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    clip = QPainterPath()
    clip.addEllipse(QRectF(0, 0, pixels, pixels))
    painter.setClipPath(clip)
    image = QImage(path) if path else QImage()
    if not image.isNull():
        square = _square(image).scaled(
            pixels,
            pixels,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        painter.drawImage(0, 0, square)
    else:
        painter.fillRect(0, 0, pixels, pixels, QColor.fromHslF(nick_hue(key) / 360, 0.45, 0.5))
        font = QFont()
        font.setPixelSize(max(6, int(pixels * 0.42)))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(QRectF(0, 0, pixels, pixels), Qt.AlignmentFlag.AlignCenter, initials(name))
    painter.end()
    pixmap.setDevicePixelRatio(scale)
    return pixmap


def contact_icon(path: str, name: str, key: str, availability: Availability) -> QIcon:
    """A contact's round avatar with its presence dot at the bottom right."""
    return _contact_icon(path, name, key, availability)


@lru_cache(maxsize=512)
def _contact_icon(path: str, name: str, key: str, availability: Availability) -> QIcon:
    return _badged(path, name, key, icons.presence_icon(availability), 0.36)


def room_avatar_icon(path: str, name: str, key: str, state: RoomState) -> QIcon:
    """A room's round avatar with its state's bubbles at the bottom right."""
    return _room_avatar_icon(path, name, key, state)


@lru_cache(maxsize=256)
def _room_avatar_icon(path: str, name: str, key: str, state: RoomState) -> QIcon:
    return _badged(path, name, key, icons.room_icon(state), 0.5)


def _badged(path: str, name: str, key: str, badge: QIcon, part: float) -> QIcon:
    """A round avatar with ``badge`` on a white disc (``part`` of the side) at its corner."""
    icon = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(avatar_pixmap(path, name, key, ICON_SIDE, scale))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = ICON_SIDE * part
        rect = QRectF(ICON_SIDE - side, ICON_SIDE - side, side, side)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("white"))
        painter.drawEllipse(rect.adjusted(-1, -1, 1, 1))
        if part < 0.4:  # a presence dot: its icon has a wide transparent margin
            rect = rect.adjusted(-side * 0.5, -side * 0.5, side * 0.5, side * 0.5)
        else:
            rect = rect.adjusted(side * 0.08, side * 0.08, -side * 0.08, -side * 0.08)
        painter.drawPixmap(rect.toRect(), badge.pixmap(32))
        painter.end()
        icon.addPixmap(pixmap)
        # A selected row shows the picture as it is, not tinted by the highlight.
        icon.addPixmap(pixmap, QIcon.Mode.Selected)
    return icon


def forget_cached() -> None:
    """Drop rendered avatars (a picture file was replaced)."""
    avatar_pixmap.cache_clear()
    _contact_icon.cache_clear()
    _room_avatar_icon.cache_clear()


def scaled_avatar(data: bytes) -> tuple[bytes, int, int]:
    """Our avatar from a picture file's bytes: a centred square, PNG, small.

    Returns:
        The PNG bytes, its width and its height.

    Raises:
        ValueError: If the data is not an image Qt can read, or the result is too big.
    """
    image = QImage()
    if not image.loadFromData(data):
        raise ValueError("not an image this program can read")
    square = _square(image)
    if square.width() > OWN_AVATAR_SIDE:
        square = square.scaled(
            OWN_AVATAR_SIDE,
            OWN_AVATAR_SIDE,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 6.12 takes the format as str at run time; its stubs say bytes.
    square.save(buffer, "PNG")  # type: ignore[call-overload]
    png = bytes(QByteArray(buffer.data()).data())
    if len(png) > MAX_AVATAR_BYTES:
        raise ValueError("the picture is too big even when scaled down")
    return png, square.width(), square.height()


def _square(image: QImage) -> QImage:
    side = min(image.width(), image.height())
    return image.copy((image.width() - side) // 2, (image.height() - side) // 2, side, side)
