"""Shared files in GUI tests: a window with the FileService, and an image to share."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtGui import QColor, QImage

from siproxylin.core.services.files import FileService
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.window import create_main_window
from tests.fakes import Core
from tests.file_fakes import (
    BOB,
    ME,
    FakeUploadServer,
    MemoryFileTransfers,
    file_from_bob,
    file_service,
)

__all__ = [
    "BOB",
    "ME",
    "FakeUploadServer",
    "MemoryFileTransfers",
    "file_from_bob",
    "file_service",
    "files_window",
    "picture",
]


def files_window(core: Core, files: FileService) -> MainWindow:
    return create_main_window(replace(core.services, files=files))


def picture(path: Path, colour: str = "#3a7bd5", size: tuple[int, int] = (640, 400)) -> Path:
    """A PNG image file (a gradient) to share."""
    image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
    base = QColor(colour)
    for y in range(size[1]):
        shade = base.lighter(100 + y * 60 // size[1]).rgb()
        for x in range(0, size[0], 1):
            image.setPixel(x, y, shade)
    image.save(str(path), "PNG")  # type: ignore[call-overload]
    return path
