"""Nick colours: a stable colour per name, the same on every client that hashes alike.

Owns the mapping from a nick (or address) to a hue, computed like the consistent
colour generation of XMPP clients (SHA-1 of the UTF-8 text, its first two bytes
read little-endian as a fraction of the circle), and a Qt colour of that hue whose
lightness suits the background it is drawn on. Imports Qt's ``QColor`` only.
"""

from __future__ import annotations

import hashlib

from PySide6.QtGui import QColor

_SATURATION = 0.65
_LIGHT_ON_DARK = 0.68  # lightness of a nick drawn on a dark background
_DARK_ON_LIGHT = 0.36  # ... and on a light one


def nick_hue(nick: str) -> float:
    """The hue of ``nick`` in degrees, 0 <= hue < 360."""
    digest = hashlib.sha1(nick.encode(), usedforsecurity=False).digest()
    return (digest[0] | digest[1] << 8) / 65536 * 360


def nick_colour(nick: str, background: QColor) -> QColor:
    """A readable colour for ``nick`` on ``background``."""
    dark = background.lightnessF() < 0.5
    lightness = _LIGHT_ON_DARK if dark else _DARK_ON_LIGHT
    return QColor.fromHslF(nick_hue(nick) / 360, _SATURATION, lightness)
