"""Names of spell-check languages for menus, one entry per language.

Hunspell installs many regional variants (``es_AR``, ``es_MX``… ``ar_EG``…);
the menu lists one per language (the system's, else ``de_DE``-like, else the
bare ``ar``), the languages the app suggests even when not installed (shown as
unavailable), and whatever a conversation already uses. Uses ``QLocale`` for
human names; imports Qt only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QLocale

# Offered even when missing, so the user sees what could be installed.
SUGGESTED = ("en_US", "de_DE", "ru_RU", "lt_LT", "es_ES", "ro_RO", "ar")


@dataclass(frozen=True, slots=True)
class Choice:
    """One language in the menu."""

    tag: str
    name: str
    installed: bool


def language_name(tag: str) -> str:
    """``English (United States)``, ``German (Germany)``, ``Arabic``; the tag if unknown."""
    locale = QLocale(tag)
    if locale.language() in (QLocale.Language.C, QLocale.Language.AnyLanguage):
        return tag
    name = QLocale.languageToString(locale.language())
    if "_" in tag:
        name = f"{name} ({QLocale.territoryToString(locale.territory())})"
    return name


def _preferred(tags: list[str], language: str, system: str) -> str:
    for wanted in (system, f"{language}_{language.upper()}", language, "en_US"):
        if wanted in tags:
            return wanted
    return tags[0]


def choices(installed: Iterable[str], used: Iterable[str] = (), system: str = "") -> list[Choice]:
    """The menu's languages, by name.

    Args:
        installed: The tags with a dictionary.
        used: Tags to list in any case (the conversation's, the default).
        system: The system locale's name, preferred among a language's variants.
    """
    by_language: dict[str, list[str]] = {}
    for tag in sorted(installed):
        by_language.setdefault(tag.split("_")[0], []).append(tag)
    present = set(installed)
    tags = {_preferred(group, language, system) for language, group in by_language.items()}
    tags.update(tag for tag in used if tag)
    tags.update(tag for tag in SUGGESTED if tag.split("_")[0] not in by_language)
    listed = [Choice(tag, language_name(tag), tag in present) for tag in tags]
    return sorted(listed, key=lambda choice: (choice.name.casefold(), choice.tag))
