"""QR codes as crisp Qt images (for the OMEMO verification URI).

Owns turning a text into a ``QImage``: the symbol comes from ``segno`` (its
module matrix), every module is drawn as a square of whole pixels, with the
standard quiet zone of four modules around it, so a camera reads it at any size
the dialog shows. Qt only (QtGui).
"""

from __future__ import annotations

import segno
from PySide6.QtGui import QColor, QImage, QPainter

QUIET_ZONE = 4  # modules of white around the symbol (ISO/IEC 18004)


def qr_image(text: str, size: int = 240) -> QImage:
    """A black-on-white QR code of ``text``, at most ``size`` pixels wide.

    Each module is a whole number of pixels (at least 2), so the image may be a
    little smaller than ``size`` but is never blurred.
    """
    code = segno.make(text, error="m", micro=False)
    modules = int(code.symbol_size(scale=1, border=QUIET_ZONE)[0])
    scale = max(2, size // modules)
    side = modules * scale
    image = QImage(side, side, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)  # no antialiasing: whole-pixel squares
    black = QColor("black")
    for y, row in enumerate(code.matrix_iter(scale=1, border=QUIET_ZONE)):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect(x * scale, y * scale, scale, scale, black)
    painter.end()
    return image
