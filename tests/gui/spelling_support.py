"""Helpers for the spelling tests: settings in memory, a window with preferences, formats."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtGui import QAction, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QMenu

from siproxylin.core.services.preferences import PreferencesService
from siproxylin.domain.ids import AccountId
from siproxylin.gui.services import GuiServices
from tests.fakes import Core


class MemorySettings:
    """``SettingsRepo`` in a dict."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, AccountId | None], str | int | bool] = {}

    def get_str(self, key: str, default: str = "", account: AccountId | None = None) -> str:
        return str(self.values.get((key, account), default))

    def get_int(self, key: str, default: int = 0, account: AccountId | None = None) -> int:
        value = self.values.get((key, account), default)
        return value if isinstance(value, int) else default

    def get_bool(self, key: str, default: bool = False, account: AccountId | None = None) -> bool:
        return bool(self.values.get((key, account), default))

    def set(self, key: str, value: str | int | bool, account: AccountId | None = None) -> None:
        self.values[(key, account)] = value

    def delete(self, key: str, account: AccountId | None = None) -> None:
        self.values.pop((key, account), None)


def services_with_spelling(
    core: Core, personal: Path, settings: MemorySettings | None = None
) -> tuple[GuiServices, PreferencesService]:
    preferences = PreferencesService(core.bus, settings or MemorySettings())
    services = replace(core.services, preferences=preferences, personal_dictionary=personal)
    return services, preferences


def underlined(document: QTextDocument) -> list[str]:
    """The text under a spell-check underline, block by block."""
    found: list[str] = []
    block = document.firstBlock()
    while block.isValid():
        layout = block.layout()
        text16 = block.text().encode("utf-16-le")
        for span in layout.formats():
            if span.format.underlineStyle() == QTextCharFormat.UnderlineStyle.SpellCheckUnderline:
                piece = text16[2 * span.start : 2 * (span.start + span.length)]
                found.append(piece.decode("utf-16-le"))
        block = block.next()
    return found


def action_texts(menu: QMenu) -> list[str]:
    return [action.text() for action in menu.actions()]


def find_action(menu: QMenu, text: str) -> QAction:
    for action in menu.actions():
        if action.text() == text:
            return action
    raise AssertionError(f"{text!r} not in {action_texts(menu)}")


def submenu(menu: QMenu, title: str) -> QMenu:
    for action in menu.actions():
        child = action.menu()
        if isinstance(child, QMenu) and child.title() == title:
            return child
    raise AssertionError(f"no {title!r} submenu in {action_texts(menu)}")
