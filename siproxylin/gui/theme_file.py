"""Theme files: the TOML format of ``gui/themes/*.toml`` read into a ``ThemeSpec``.

Owns the format (palette roles per colour group, the app's own colours, an
optional extra style sheet), its validation and the built-in light theme used
when a file is missing or unreadable. Pure Python (``tomllib``) and ``QColor``
only; applying a theme to the application is ``gui/theme.py``'s job.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path

from PySide6.QtGui import QColor

log = logging.getLogger(__name__)

#: The palette roles a file may name, as written in the file.
PALETTE_ROLES = (
    "window",
    "window_text",
    "base",
    "alternate_base",
    "text",
    "button",
    "button_text",
    "bright_text",
    "highlight",
    "highlighted_text",
    "link",
    "link_visited",
    "placeholder_text",
    "tooltip_base",
    "tooltip_text",
    "light",
    "midlight",
    "mid",
    "dark",
    "shadow",
)
REQUIRED_ROLES = ("window", "window_text", "base", "text", "button", "button_text", "highlight")


class ThemeError(ValueError):
    """A theme file that cannot be used (missing, not TOML, a bad colour or role)."""


@dataclass(frozen=True, slots=True)
class AppColours:
    """Colours of the app's own marks, beyond the palette.

    Attributes:
        bubble_incoming: Fill of a received message.
        bubble_outgoing: Fill of a sent message.
        success: The encrypted lock, "verified", a passed check.
        warning: Fill tint of an undecryptable message.
        warning_text: Text of a warning ("not encrypted", "undecided").
        failed: Errors and failed deliveries.
        muted: Offline contacts, rooms we are not in.
        info_bar, info_bar_border: An information bar.
        warning_bar, warning_bar_border: A warning bar.
        bar_text: Text on both bars.
    """

    bubble_incoming: str
    bubble_outgoing: str
    success: str
    warning: str
    warning_text: str
    failed: str
    muted: str
    info_bar: str
    info_bar_border: str
    warning_bar: str
    warning_bar_border: str
    bar_text: str

    def colour(self, name: str) -> QColor:
        """One colour as a ``QColor``."""
        return QColor(str(getattr(self, name)))


@dataclass(frozen=True, slots=True)
class ThemeSpec:
    """A theme as read from its file: colours as ``#rrggbb`` text."""

    key: str  # the file name without ".toml": "light", "dark"...
    name: str  # shown to the user
    palette: dict[str, str]  # role -> colour, every group
    inactive: dict[str, str]  # overrides for the inactive group
    disabled: dict[str, str]  # overrides for the disabled group
    colours: AppColours
    sheet: str = ""  # extra style sheet rules


BUILTIN_LIGHT = ThemeSpec(
    key="light",
    name="Light",
    palette={
        "window": "#efefef",
        "window_text": "#1b1b1b",
        "base": "#ffffff",
        "alternate_base": "#f5f5f5",
        "text": "#1b1b1b",
        "button": "#efefef",
        "button_text": "#1b1b1b",
        "bright_text": "#ffffff",
        "highlight": "#2a6fb5",
        "highlighted_text": "#ffffff",
        "link": "#1558b0",
        "link_visited": "#6a3bad",
        "placeholder_text": "#6b6b6b",
        "tooltip_base": "#ffffdc",
        "tooltip_text": "#1b1b1b",
    },
    inactive={},
    disabled={"window_text": "#9a9a9a", "text": "#9a9a9a", "button_text": "#9a9a9a"},
    colours=AppColours(
        bubble_incoming="#eeeeee",
        bubble_outgoing="#dbe7f4",
        success="#2e7d32",
        warning="#e0a100",
        warning_text="#8a5700",
        failed="#c62828",
        muted="#707070",
        info_bar="#e8f0fb",
        info_bar_border="#8aa9d6",
        warning_bar="#fdf3d8",
        warning_bar_border="#d9b44a",
        bar_text="#1b1b1b",
    ),
)


def theme_text(key: str, folder: Path | None = None) -> str:
    """The text of theme ``key``: from ``folder``, or shipped with the app (``ThemeError``
    if there is no such file or it cannot be read)."""
    try:
        if folder is not None:
            return (folder / f"{key}.toml").read_text("utf-8")
        return resources.files("siproxylin.gui").joinpath(f"themes/{key}.toml").read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ThemeError(f"theme {key!r}: {error}") from error


def parse_theme(key: str, text: str) -> ThemeSpec:
    """Read a theme file's text; ``ThemeError`` names what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ThemeError(f"theme {key!r} is not valid TOML: {error}") from error
    table = _table(data, "palette", key)
    inactive = _roles(_table(table, "inactive", key), key)
    disabled = _roles(_table(table, "disabled", key), key)
    palette = _roles({k: v for k, v in table.items() if not isinstance(v, dict)}, key)
    missing = [role for role in REQUIRED_ROLES if role not in palette]
    if missing:
        raise ThemeError(f"theme {key!r} lacks palette roles: {', '.join(missing)}")
    colours = _colours(_table(data, "colours", key), key)
    sheet = _table(data, "style", key).get("sheet", "")
    name = data.get("name", key)
    if not isinstance(sheet, str) or not isinstance(name, str):
        raise ThemeError(f"theme {key!r}: name and style.sheet must be text")
    return ThemeSpec(key, name, palette, inactive, disabled, colours, sheet)


def load_theme(key: str, folder: Path | None = None) -> ThemeSpec:
    """Theme ``key`` (see ``theme_text``), or the built-in light one (logged) when the file
    is missing or unusable."""
    try:
        return parse_theme(key, theme_text(key, folder))
    except ThemeError as error:
        log.warning("Using the built-in light theme: %s", error)
        return BUILTIN_LIGHT


def _table(data: dict[str, object], name: str, key: str) -> dict[str, object]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ThemeError(f"theme {key!r}: [{name}] must be a table")
    return {str(k): v for k, v in value.items()}


def _roles(table: dict[str, object], key: str) -> dict[str, str]:
    unknown = [role for role in table if role not in PALETTE_ROLES]
    if unknown:
        raise ThemeError(f"theme {key!r}: unknown palette roles: {', '.join(unknown)}")
    return {role: _colour(value, role, key) for role, value in table.items()}


def _colours(table: dict[str, object], key: str) -> AppColours:
    names = [field.name for field in fields(AppColours)]
    unknown = [name for name in table if name not in names]
    if unknown:
        raise ThemeError(f"theme {key!r}: unknown colours: {', '.join(unknown)}")
    defaults = BUILTIN_LIGHT.colours
    values = {
        name: _colour(table[name], name, key) if name in table else getattr(defaults, name)
        for name in names
    }
    return AppColours(**values)


def _colour(value: object, name: str, key: str) -> str:
    if (
        not isinstance(value, str)
        or not value.startswith("#")
        or not QColor.isValidColorName(value)
    ):
        raise ThemeError(f"theme {key!r}: {name} = {value!r} is not a #rrggbb colour")
    return str(value)
