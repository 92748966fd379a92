"""Thumbnails of image files, made locally and kept in memory.

``Thumbnails`` scales a downloaded (or our own) image file down to fit a box,
decoding it at the reduced size where the format allows (``QImageReader``), and
keeps the most recent ones. Nothing is fetched: only files already on disk are
read. A file that is not a readable image gives None. Qt GUI classes only.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader

BOX = QSize(240, 180)
KEEP = 200
MAX_PIXELS = 100_000_000  # refuse decompression bombs


class Thumbnails:
    """Scaled-down images by file path (see the module doc)."""

    def __init__(self, box: QSize = BOX, keep: int = KEEP) -> None:
        self._box = box
        self._keep = keep
        self._images: OrderedDict[tuple[str, float], QImage | None] = OrderedDict()

    def get(self, path: str) -> QImage | None:
        """The thumbnail of the image at ``path``; None if it is not a readable image."""
        try:
            stamp = Path(path).stat().st_mtime
        except OSError:
            return None
        key = (path, stamp)
        if key in self._images:
            self._images.move_to_end(key)
            return self._images[key]
        image = self._load(path)
        self._images[key] = image
        while len(self._images) > self._keep:
            self._images.popitem(last=False)
        return image

    def _load(self, path: str) -> QImage | None:
        reader = QImageReader(path)
        reader.setAutoTransform(True)
        size = reader.size()
        if not size.isValid() or size.width() * size.height() > MAX_PIXELS:
            return None
        scaled = size.scaled(self._box, Qt.AspectRatioMode.KeepAspectRatio)
        if scaled.width() < size.width():
            reader.setScaledSize(scaled)
        image = reader.read()
        return None if image.isNull() else image
