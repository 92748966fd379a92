"""Edit > Preferences…: theme, notification level and do-not-disturb, spelling default."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pytestqt.qtbot import QtBot

from siproxylin.domain.notifications import NotifyLevel
from siproxylin.gui.presenters.spelling import DEFAULT_KEY
from siproxylin.gui.views.preferences_dialog import PreferencesDialog
from siproxylin.gui.window import create_main_window
from tests.fakes import Core
from tests.notification_fakes import notifications


def test_changes_apply_and_are_remembered(core: Core, qtbot: QtBot, tmp_path: Path) -> None:
    notes = notifications(core)
    services = dataclasses.replace(
        core.services,
        preferences=notes.preferences,
        notifications=notes.service,
        personal_dictionary=tmp_path / "personal.dic",
    )
    window = create_main_window(services)
    qtbot.addWidget(window)
    dialog = window.show_preferences()
    assert isinstance(dialog, PreferencesDialog)
    assert dialog.theme_combo is not None
    assert dialog.level_combo is not None
    assert dialog.dnd_check is not None
    assert dialog.spelling_combo is not None
    tags = [dialog.spelling_combo.itemData(i) for i in range(dialog.spelling_combo.count())]
    assert "de_DE" in tags
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("dark"))
    dialog.level_combo.setCurrentIndex(dialog.level_combo.findData(NotifyLevel.SENDER.value))
    dialog.dnd_check.setChecked(True)
    dialog.spelling_combo.setCurrentIndex(dialog.spelling_combo.findData("de_DE"))
    dialog.ok_button.click()
    assert window.theme is not None
    assert window.theme.choice == "dark"
    assert notes.preferences.text("theme") == "dark"
    assert notes.service.app_level() is NotifyLevel.SENDER
    assert notes.service.do_not_disturb()
    assert notes.preferences.text(DEFAULT_KEY) == "de_DE"
    window.theme.choose("light")


def test_cancel_changes_nothing(core: Core, qtbot: QtBot) -> None:
    notes = notifications(core)
    services = dataclasses.replace(
        core.services, preferences=notes.preferences, notifications=notes.service
    )
    window = create_main_window(services)
    qtbot.addWidget(window)
    dialog = window.show_preferences()
    assert dialog.level_combo is not None
    dialog.level_combo.setCurrentIndex(dialog.level_combo.findData(NotifyLevel.ANONYMOUS.value))
    dialog.reject()
    assert notes.service.app_level() is NotifyLevel.FULL
    assert window.preferences_action.shortcut().toString() == "Ctrl+,"
