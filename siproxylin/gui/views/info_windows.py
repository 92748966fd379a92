"""InfoWindows: View > Log Viewer… and Help > About, each one non-modal window reused.

Owns the "Log Viewer…" action (disabled when the GUI was given no logs folder)
and the two windows, created on first use. Imports Qt and ``gui`` only; the
folders come from ``GuiServices``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from siproxylin.gui.views.about_dialog import AboutDialog
from siproxylin.gui.views.log_viewer import LogViewerWindow


class InfoWindows:
    """Opens the log viewer and the About dialog for ``parent``."""

    def __init__(self, parent: QWidget, logs_dir: Path | None, data_dir: Path | None) -> None:
        self._parent = parent
        self._logs_dir = logs_dir
        self._data_dir = data_dir
        self.log_viewer: LogViewerWindow | None = None
        self.about: AboutDialog | None = None
        self.log_viewer_action = QAction("&Log Viewer…", parent)
        self.log_viewer_action.setEnabled(logs_dir is not None)
        self.log_viewer_action.triggered.connect(self.show_log_viewer)

    def show_log_viewer(self) -> LogViewerWindow | None:
        """Show (or raise) the log viewer over the logs folder."""
        if self._logs_dir is None:
            return None
        if self.log_viewer is None:
            self.log_viewer = LogViewerWindow(self._logs_dir, self._parent)
        self._raise(self.log_viewer)
        return self.log_viewer

    def show_about(self) -> AboutDialog:
        """Show (or raise) the About dialog."""
        if self.about is None:
            self.about = AboutDialog(self._parent, data_dir=self._data_dir, logs_dir=self._logs_dir)
        self._raise(self.about)
        return self.about

    @staticmethod
    def _raise(window: QWidget) -> None:
        window.show()
        window.raise_()
        window.activateWindow()
