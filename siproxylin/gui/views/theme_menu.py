"""ThemeMenu: View > Theme, one radio item per theme choice.

Turns the user's pick into ``ThemeController.choose`` and shows the current
choice checked. Qt widgets and ``gui`` only.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from siproxylin.gui.theme_control import CHOICES, ThemeController


class ThemeMenu:
    """Fills ``menu`` with the theme choices of ``controller``."""

    def __init__(self, menu: QMenu, controller: ThemeController) -> None:
        self.menu = menu
        self.controller = controller
        self.group = QActionGroup(menu)
        self.group.setExclusive(True)
        self.actions: dict[str, QAction] = {}
        for choice, label in CHOICES.items():
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(choice == controller.choice)
            action.setData(choice)
            self.group.addAction(action)
            self.actions[choice] = action
        self.group.triggered.connect(self._on_triggered)

    def _on_triggered(self, action: QAction) -> None:
        self.controller.choose(str(action.data()))
