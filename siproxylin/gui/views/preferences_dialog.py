"""Edit > Preferences…: the app-wide choices, in one dialog.

Appearance (theme: follow the system, light, dark, high contrast), notifications
(what a notification shows for accounts and chats without their own choice, and
do-not-disturb), and spelling (the language new conversations are checked in).
Per-account choices stay in the account's settings and per-chat ones in the
chat's menus. OK applies and remembers every change at once; Cancel changes
nothing. Sections whose service is missing are not shown. Qt widgets only.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QVBoxLayout,
    QWidget,
)

from siproxylin.core.services.notifications import NotificationService
from siproxylin.core.services.preferences import PreferencesService
from siproxylin.domain.notifications import NotifyLevel
from siproxylin.gui.presenters.spelling import DEFAULT_KEY as SPELLING_KEY
from siproxylin.gui.spelling.dictionaries import Dictionaries
from siproxylin.gui.spelling.languages import language_name
from siproxylin.gui.theme_control import CHOICES, ThemeController
from siproxylin.gui.views.notification_menu import LEVEL_TEXT


class PreferencesDialog(QDialog):
    """The app's preferences (see the module doc).

    Args:
        theme: Applies themes; None hides the appearance section.
        notifications: The notification service; None hides that section.
        preferences: Where the spelling default is kept; None hides spelling.
        dictionaries: The installed spelling dictionaries.
    """

    def __init__(
        self,
        parent: QWidget | None,
        *,
        theme: ThemeController | None,
        notifications: NotificationService | None,
        preferences: PreferencesService | None,
        dictionaries: Dictionaries | None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self._theme = theme
        self._notifications = notifications
        self._preferences = preferences
        column = QVBoxLayout(self)
        self.theme_combo: QComboBox | None = None
        if theme is not None:
            box, form = _section("Appearance", self)
            self.theme_combo = QComboBox(box)
            for choice, label in CHOICES.items():
                self.theme_combo.addItem(label.replace("&", ""), choice)
            self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(theme.choice)))
            form.addRow("&Theme:", self.theme_combo)
            column.addWidget(box)
        self.level_combo: QComboBox | None = None
        self.dnd_check: QCheckBox | None = None
        if notifications is not None:
            box, form = _section("Notifications", self)
            self.level_combo = QComboBox(box)
            for level, text in LEVEL_TEXT.items():
                if level is not None:
                    self.level_combo.addItem(text.replace("&", ""), level.value)
            current = notifications.app_level().value
            self.level_combo.setCurrentIndex(max(0, self.level_combo.findData(current)))
            form.addRow("&Show:", self.level_combo)
            self.dnd_check = QCheckBox("&Do not disturb (no notifications at all)", box)
            self.dnd_check.setChecked(notifications.do_not_disturb())
            form.addRow(self.dnd_check)
            column.addWidget(box)
        self.spelling_combo: QComboBox | None = None
        if preferences is not None and dictionaries is not None:
            box, form = _section("Spelling", self)
            self.spelling_combo = QComboBox(box)
            self.spelling_combo.addItem("Off", "off")
            for tag in sorted(dictionaries.installed(), key=language_name):
                self.spelling_combo.addItem(f"{language_name(tag)} ({tag})", tag)
            stored = preferences.text(SPELLING_KEY)
            self.spelling_combo.setCurrentIndex(max(0, self.spelling_combo.findData(stored)))
            if not stored:
                self.spelling_combo.setCurrentIndex(-1)
                self.spelling_combo.setPlaceholderText("As the system's language")
            form.addRow("&New conversations:", self.spelling_combo)
            if not dictionaries.available:
                self.spelling_combo.setEnabled(False)
                self.spelling_combo.setToolTip("Spell checking is not available (no Enchant).")
            column.addWidget(box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)

    def accept(self) -> None:
        """Apply and remember what changed, then close."""
        if self._theme is not None and self.theme_combo is not None:
            choice = self.theme_combo.currentData()
            if choice != self._theme.choice:
                self._theme.choose(choice)
        if self._notifications is not None and self.level_combo is not None:
            level = NotifyLevel(self.level_combo.currentData())
            if level is not self._notifications.app_level():
                self._notifications.set_app_level(level)
            assert self.dnd_check is not None
            if self.dnd_check.isChecked() != self._notifications.do_not_disturb():
                self._notifications.set_do_not_disturb(self.dnd_check.isChecked())
        if self._preferences is not None and self.spelling_combo is not None:
            tag = self.spelling_combo.currentData()
            if tag and tag != self._preferences.text(SPELLING_KEY):
                self._preferences.set(SPELLING_KEY, tag)
        super().accept()


def _section(title: str, parent: QWidget) -> tuple[QGroupBox, QFormLayout]:
    box = QGroupBox(title, parent)
    return box, QFormLayout(box)
