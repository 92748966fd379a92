"""Applying a theme: the application's palette, the Fusion style, the app colours.

Owns the translation of a ``ThemeSpec`` (``theme_file``) into a ``QPalette`` for
every colour group, the application style sheet that colours the app's own
marks (info bars, labels with a ``tone``), and the app colours of the theme in
use, which delegates read through ``colours()`` the way they read the palette.
Qt only; the choice of theme (preference, desktop scheme) is ``theme_control``.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from siproxylin.gui.theme_file import BUILTIN_LIGHT, AppColours, ThemeSpec

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

_ROLES = {
    "window": Role.Window,
    "window_text": Role.WindowText,
    "base": Role.Base,
    "alternate_base": Role.AlternateBase,
    "text": Role.Text,
    "button": Role.Button,
    "button_text": Role.ButtonText,
    "bright_text": Role.BrightText,
    "highlight": Role.Highlight,
    "highlighted_text": Role.HighlightedText,
    "link": Role.Link,
    "link_visited": Role.LinkVisited,
    "placeholder_text": Role.PlaceholderText,
    "tooltip_base": Role.ToolTipBase,
    "tooltip_text": Role.ToolTipText,
    "light": Role.Light,
    "midlight": Role.Midlight,
    "mid": Role.Mid,
    "dark": Role.Dark,
    "shadow": Role.Shadow,
}
_FADED = ("window_text", "text", "button_text")  # greyed out when disabled
TONES = ("success", "warning", "failed", "muted")  # values of a widget's "tone" property

_current: AppColours = BUILTIN_LIGHT.colours


def colours() -> AppColours:
    """The app colours of the theme in use (the built-in light ones before any)."""
    return _current


def build_palette(spec: ThemeSpec) -> QPalette:
    """A palette with every role of every group set from ``spec``."""
    roles = spec.palette
    # Qt derives the 3D shades (light, mid, dark...) from the button colour.
    palette = QPalette(QColor(roles["button"]), QColor(roles["window"]))
    for group in (Group.Active, Group.Inactive, Group.Disabled):
        for name, colour in roles.items():
            palette.setColor(group, _ROLES[name], QColor(colour))
        palette.setColor(group, Role.Accent, QColor(roles["highlight"]))
    for name in _FADED:
        faded = mix(QColor(roles[name]), QColor(roles["base"]), 0.5)
        palette.setColor(Group.Disabled, _ROLES[name], faded)
    for group, overrides in ((Group.Inactive, spec.inactive), (Group.Disabled, spec.disabled)):
        for name, colour in overrides.items():
            palette.setColor(group, _ROLES[name], QColor(colour))
    if "highlight" in spec.disabled:
        palette.setColor(Group.Disabled, Role.Accent, QColor(spec.disabled["highlight"]))
    return palette


def style_sheet(spec: ThemeSpec) -> str:
    """The application style sheet: info bars, toned labels, the theme's own rules."""
    c = spec.colours
    rules = [
        f'#InfoBar[kind="info"] {{ background: {c.info_bar};'
        f" border: 1px solid {c.info_bar_border}; border-radius: 4px; }}",
        f'#InfoBar[kind="warning"] {{ background: {c.warning_bar};'
        f" border: 1px solid {c.warning_bar_border}; border-radius: 4px; }}",
        f"#InfoBar QLabel {{ color: {c.bar_text}; }}",
        f'*[tone="success"] {{ color: {c.success}; }}',
        f'*[tone="warning"] {{ color: {c.warning_text}; }}',
        f'*[tone="failed"] {{ color: {c.failed}; }}',
        f'*[tone="muted"] {{ color: {c.muted}; }}',
    ]
    return "\n".join(rules) + ("\n" + spec.sheet if spec.sheet else "")


def apply_theme(spec: ThemeSpec) -> None:
    """Make ``spec`` the application's theme (a QApplication must exist)."""
    global _current  # noqa: PLW0603 - mirrors the application palette, itself global
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    _current = spec.colours  # before the palette: its change event repaints the delegates
    app.setStyleSheet("")  # a style sheet hides the style underneath (its name is "")
    if app.style().name().lower() != "fusion":
        QApplication.setStyle("Fusion")  # the same look on every desktop
    QApplication.setPalette(build_palette(spec))
    app.setStyleSheet(style_sheet(spec))


def set_tone(widget: QWidget, tone: str | None) -> None:
    """Colour a widget's text as one of ``TONES`` (None: the normal text colour)."""
    widget.setProperty("tone", tone or "")
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def mix(first: QColor, second: QColor, amount: float) -> QColor:
    """``first`` moved ``amount`` (0..1) of the way towards ``second``."""
    return QColor.fromRgbF(
        first.redF() + (second.redF() - first.redF()) * amount,
        first.greenF() + (second.greenF() - first.greenF()) * amount,
        first.blueF() + (second.blueF() - first.blueF()) * amount,
    )


def relative_luminance(colour: QColor) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(colour.redF())
        + 0.7152 * linear(colour.greenF())
        + 0.0722 * linear(colour.blueF())
    )


def contrast(first: QColor, second: QColor) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)
