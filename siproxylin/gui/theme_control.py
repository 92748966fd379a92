"""ThemeController: which theme is in use, from the user's choice and the desktop.

Owns the ``theme`` preference (``system``, ``light``, ``dark``, ``high-contrast``;
``system`` by default) and, for ``system``, the desktop's colour scheme: dark
desktops get the dark theme, anything else the light one, and a change of the
desktop's scheme is followed at once. Imports Qt, ``core`` (the preferences
service, which may be absent: the choice then lasts for the session) and ``gui``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication

from siproxylin.core.services.preferences import PreferencesService
from siproxylin.gui.theme import apply_theme
from siproxylin.gui.theme_file import load_theme

log = logging.getLogger(__name__)

PREFERENCE_KEY = "theme"
SYSTEM = "system"
CHOICES = {
    SYSTEM: "&System",
    "light": "&Light",
    "dark": "&Dark",
    "high-contrast": "&High Contrast",
}


class ThemeController(QObject):
    """Applies the chosen theme and keeps following the desktop for ``system``.

    Args:
        preferences: Where the choice is remembered; None keeps it for the session.
        folder: Where theme files are read from; None reads the ones shipped.
    """

    applied = Signal(str)  # the theme file now in use: "light", "dark"...

    def __init__(
        self,
        preferences: PreferencesService | None,
        parent: QObject | None = None,
        folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self._preferences = preferences
        self._folder = folder
        self.choice = SYSTEM
        self.current = ""

    def start(self) -> None:
        """Apply the remembered choice and follow the desktop's scheme from now on."""
        stored = self._preferences.text(PREFERENCE_KEY, SYSTEM) if self._preferences else SYSTEM
        self.choice = stored if stored in CHOICES else SYSTEM
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._on_color_scheme_changed)
        self._apply(hints.colorScheme())

    def choose(self, choice: str) -> None:
        """Use ``choice`` (one of ``CHOICES``) now and remember it."""
        if choice not in CHOICES:
            raise ValueError(f"unknown theme {choice!r}")
        self.choice = choice
        if self._preferences is not None:
            self._preferences.set(PREFERENCE_KEY, choice)
        self._apply(QGuiApplication.styleHints().colorScheme())

    def resolve(self, scheme: Qt.ColorScheme) -> str:
        """The theme file for the current choice when the desktop's scheme is ``scheme``."""
        if self.choice != SYSTEM:
            return self.choice
        return "dark" if scheme == Qt.ColorScheme.Dark else "light"

    def _on_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.choice == SYSTEM:
            self._apply(scheme)

    def _apply(self, scheme: Qt.ColorScheme) -> None:
        key = self.resolve(scheme)
        if key == self.current:
            return
        spec = load_theme(key, self._folder)
        apply_theme(spec)
        self.current = key
        log.info("Theme %s (%s)", spec.name, self.choice)
        self.applied.emit(key)
