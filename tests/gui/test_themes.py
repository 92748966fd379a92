"""Themes: each file loads and colours the palette, text is readable, View > Theme, fallbacks."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from siproxylin.core.services.preferences import PreferencesService
from siproxylin.domain.ids import AccountId
from siproxylin.gui.theme import apply_theme, colours
from siproxylin.gui.theme_control import PREFERENCE_KEY, ThemeController
from siproxylin.gui.theme_file import BUILTIN_LIGHT, ThemeError, load_theme, parse_theme
from siproxylin.gui.views.info_bar import BarKind, InfoBar
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.window import create_main_window
from tests.fakes import Core

THEMES = ("light", "dark", "high-contrast")
Role = QPalette.ColorRole
Group = QPalette.ColorGroup
MAIN_PAIRS = (  # (foreground, background) roles that carry most of the text
    ("text", "base"),
    ("window_text", "window"),
    ("button_text", "button"),
    ("highlighted_text", "highlight"),
    ("tooltip_text", "tooltip_base"),
)


class MemorySettings:
    """SettingsRepo in a dict."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, AccountId | None], str | int | bool] = {}

    def get_str(self, key: str, default: str = "", account: AccountId | None = None) -> str:
        return str(self.values.get((key, account), default))

    def get_int(self, key: str, default: int = 0, account: AccountId | None = None) -> int:
        return int(self.values.get((key, account), default))

    def get_bool(self, key: str, default: bool = False, account: AccountId | None = None) -> bool:
        return bool(self.values.get((key, account), default))

    def set(self, key: str, value: str | int | bool, account: AccountId | None = None) -> None:
        self.values[(key, account)] = value

    def delete(self, key: str, account: AccountId | None = None) -> None:
        self.values.pop((key, account), None)


@pytest.fixture(autouse=True)
def light_afterwards(qapp: QApplication) -> Iterator[None]:
    """Leave the application in the light theme for the tests that follow."""
    yield
    apply_theme(BUILTIN_LIGHT)


@pytest.fixture
def preferences(core: Core) -> PreferencesService:
    return PreferencesService(core.bus, MemorySettings())


def themed_window(core: Core, preferences: PreferencesService, qtbot: QtBot) -> MainWindow:
    window = create_main_window(replace(core.services, preferences=preferences))
    qtbot.addWidget(window)
    return window


def base() -> QColor:
    return QApplication.palette().color(Group.Active, Role.Base)


def luminance(colour: QColor) -> float:
    def linear(value: int) -> float:
        channel = value / 255
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(colour.red())
        + 0.7152 * linear(colour.green())
        + (0.0722 * linear(colour.blue()))
    )


def contrast(first: QColor, second: QColor) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("key", THEMES)
def test_each_theme_loads_and_sets_every_group_of_the_palette(key: str) -> None:
    spec = load_theme(key)
    assert spec.key == key  # not the fallback
    apply_theme(spec)
    palette = QApplication.palette()
    for group in (Group.Active, Group.Inactive):
        assert palette.color(group, Role.Base) == QColor(spec.palette["base"])
        assert palette.color(group, Role.Text) == QColor(spec.palette["text"])
        assert palette.color(group, Role.Highlight) == QColor(spec.palette["highlight"])
        assert palette.color(group, Role.Accent) == QColor(spec.palette["highlight"])
    disabled = palette.color(Group.Disabled, Role.Text)
    assert disabled == QColor(spec.disabled["text"])
    assert disabled != palette.color(Group.Active, Role.Text)  # greyed out
    assert colours() == spec.colours
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert "#InfoBar" in app.styleSheet()
    app.setStyleSheet("")  # to see the style under the sheet's
    assert QApplication.style().name().lower() == "fusion"


@pytest.mark.parametrize(("key", "ratio"), [("light", 4.5), ("dark", 4.5), ("high-contrast", 7.0)])
def test_text_meets_wcag_contrast(key: str, ratio: float) -> None:
    spec = load_theme(key)
    roles = spec.palette
    for front, back in MAIN_PAIRS:
        assert contrast(QColor(roles[front]), QColor(roles[back])) >= ratio, (front, back)
    app = spec.colours
    for bubble in (app.bubble_incoming, app.bubble_outgoing):
        assert contrast(QColor(roles["text"]), QColor(bubble)) >= ratio
    for bar in (app.info_bar, app.warning_bar):
        assert contrast(QColor(app.bar_text), QColor(bar)) >= ratio
    for mark in (app.failed, app.success, app.warning_text, app.muted, roles["link"]):
        assert contrast(QColor(mark), QColor(roles["base"])) >= 4.5, mark


def test_choosing_a_theme_from_the_view_menu_applies_and_stores_it(
    core: Core, preferences: PreferencesService, qtbot: QtBot
) -> None:
    window = themed_window(core, preferences, qtbot)
    assert window.theme_menu is not None
    assert window.theme_menu.actions["system"].isChecked()
    window.theme_menu.actions["dark"].trigger()
    assert base() == QColor(load_theme("dark").palette["base"])
    assert preferences.text(PREFERENCE_KEY) == "dark"
    assert window.theme_menu.actions["dark"].isChecked()
    assert not window.theme_menu.actions["system"].isChecked()
    window.theme_menu.actions["high-contrast"].trigger()
    assert base() == QColor("#000000")
    assert colours().failed == load_theme("high-contrast").colours.failed


def test_the_stored_theme_is_applied_at_start(
    core: Core, preferences: PreferencesService, qtbot: QtBot
) -> None:
    preferences.set(PREFERENCE_KEY, "dark")
    window = themed_window(core, preferences, qtbot)
    assert base() == QColor(load_theme("dark").palette["base"])
    assert window.theme_menu is not None
    assert window.theme_menu.actions["dark"].isChecked()


def test_an_unknown_stored_theme_means_system(preferences: PreferencesService) -> None:
    preferences.set(PREFERENCE_KEY, "purple")
    controller = ThemeController(preferences)
    controller.start()
    assert controller.choice == "system"
    with pytest.raises(ValueError, match="unknown theme"):
        controller.choose("purple")


def test_system_follows_the_desktop_colour_scheme(
    core: Core, preferences: PreferencesService, qtbot: QtBot
) -> None:
    window = themed_window(core, preferences, qtbot)
    controller = window.theme
    assert controller is not None
    assert controller.choice == "system"
    controller._on_color_scheme_changed(Qt.ColorScheme.Dark)
    assert controller.current == "dark"
    assert base() == QColor(load_theme("dark").palette["base"])
    controller._on_color_scheme_changed(Qt.ColorScheme.Light)
    assert controller.current == "light"
    assert base() == QColor(load_theme("light").palette["base"])
    controller._on_color_scheme_changed(Qt.ColorScheme.Unknown)
    assert controller.current == "light"


def test_an_explicit_choice_ignores_the_desktop(preferences: PreferencesService) -> None:
    controller = ThemeController(preferences)
    controller.start()
    controller.choose("high-contrast")
    controller._on_color_scheme_changed(Qt.ColorScheme.Dark)
    controller._on_color_scheme_changed(Qt.ColorScheme.Light)
    assert controller.current == "high-contrast"


def test_a_broken_theme_file_falls_back_to_the_built_in_light_palette(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "dark.toml").write_text("[palette\nwindow = ", "utf-8")
    caplog.set_level(logging.WARNING)
    assert load_theme("dark", tmp_path) is BUILTIN_LIGHT
    assert "built-in light theme" in caplog.text
    assert load_theme("missing", tmp_path) is BUILTIN_LIGHT
    (tmp_path / "dark.toml").write_bytes(b"\xff\xfe not text")
    assert load_theme("dark", tmp_path) is BUILTIN_LIGHT
    controller = ThemeController(None, folder=tmp_path)
    controller.start()
    controller.choose("dark")  # applies the fallback, never raises
    assert base() == QColor(BUILTIN_LIGHT.palette["base"])


@pytest.mark.parametrize(
    "text",
    [
        '[palette]\nwindow = "#fff"',  # required roles missing
        '[palette]\nwindow = "white"',  # not #rrggbb
        '[palette]\nsparkle = "#ffffff"',  # no such role
        '[colours]\nglitter = "#ffffff"',
        "palette = 3",
    ],
)
def test_bad_theme_contents_are_refused(text: str) -> None:
    with pytest.raises(ThemeError):
        parse_theme("bad", text)


def test_theme_files_ship_with_the_package() -> None:
    folder = resources.files("siproxylin.gui").joinpath("themes")
    assert {f"{key}.toml" for key in THEMES} <= {entry.name for entry in folder.iterdir()}
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    assert '"siproxylin.gui" = ["themes/*.toml"]' in pyproject.read_text("utf-8")


@pytest.mark.parametrize("key", ["light", "dark"])
def test_info_bars_take_the_theme_colours(key: str, qtbot: QtBot) -> None:
    spec = load_theme(key)
    apply_theme(spec)
    bar = InfoBar("Careful", BarKind.WARNING)
    qtbot.addWidget(bar)
    bar.resize(300, 40)
    bar.show()
    image = bar.grab().toImage()
    ratio = image.devicePixelRatio()
    pixel = image.pixelColor(int(150 * ratio), int(3 * ratio))
    assert pixel == QColor(spec.colours.warning_bar)
