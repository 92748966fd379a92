"""LogEntriesModel: the rows of the log viewer's table, one per line of a shown entry.

A record's first line fills the Time, Level, Logger and Message columns; the
lines that continue it (a traceback) follow as rows of their own with only the
Message column, so every row has the same height and a table of tens of
thousands of rows stays fast. Filtering (``gui.log_lines.LogFilter``) decides
which entries have rows. Imports Qt and ``gui.log_lines`` only.
"""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from siproxylin.gui.log_lines import Level, LogEntry, LogFilter

Index = QModelIndex | QPersistentModelIndex
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_COLOURS = {
    Level.DEBUG: QBrush(QColor(128, 128, 128)),
    Level.WARNING: QBrush(QColor(176, 112, 0)),
    Level.ERROR: QBrush(QColor(200, 30, 30)),
    Level.CRITICAL: QBrush(QColor(200, 30, 30)),
}


class Column(enum.IntEnum):
    """The table's columns."""

    TIME = 0
    LEVEL = 1
    LOGGER = 2
    MESSAGE = 3


_HEADERS = ("Time", "Level", "Logger", "Message")


class LogEntriesModel(QAbstractTableModel):
    """Rows for the entries that pass the filter; the entries list is the viewer's."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[LogEntry] = []
        self._filter = LogFilter()
        # (entry index, line of that entry): rows in entry order.
        self._rows: list[tuple[int, str]] = []
        self.shown_entries = 0

    # --- filling -------------------------------------------------------------------

    def set_entries(self, entries: list[LogEntry], log_filter: LogFilter | None = None) -> None:
        """Show ``entries`` (kept by reference) through ``log_filter`` (or the current one)."""
        self.beginResetModel()
        self._entries = entries
        if log_filter is not None:
            self._filter = log_filter
        self._rows = []
        self.shown_entries = 0
        self._add_rows(0, self._rows)
        self.endResetModel()

    def set_filter(self, log_filter: LogFilter) -> None:
        """Show the same entries through another filter."""
        self.set_entries(self._entries, log_filter)

    @property
    def log_filter(self) -> LogFilter:
        """The filter in use."""
        return self._filter

    def entries_changed(self, first: int) -> None:
        """Entries from index ``first`` on were added or continued: update their rows."""
        cut = len(self._rows)
        while cut and self._rows[cut - 1][0] >= first:
            cut -= 1
        if cut < len(self._rows):
            self.beginRemoveRows(QModelIndex(), cut, len(self._rows) - 1)
            removed = {index for index, _line in self._rows[cut:]}
            del self._rows[cut:]
            self.shown_entries -= len(removed)
            self.endRemoveRows()
        added: list[tuple[int, str]] = []
        self._add_rows(first, added)
        if added:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(added) - 1)
            self._rows.extend(added)
            self.endInsertRows()

    def _add_rows(self, first: int, rows: list[tuple[int, str]]) -> None:
        matches = self._filter.matches
        for index in range(first, len(self._entries)):
            entry = self._entries[index]
            if matches(entry):
                self.shown_entries += 1
                if entry.line_count == 1:
                    rows.append((index, entry.message))
                else:
                    rows.extend((index, line) for line in entry.message.split("\n"))

    # --- queries -------------------------------------------------------------------

    def entry_at(self, row: int) -> LogEntry | None:
        """The entry a row belongs to."""
        if 0 <= row < len(self._rows):
            return self._entries[self._rows[row][0]]
        return None

    def first_row_of(self, row: int) -> bool:
        """True when ``row`` is the first line of its entry."""
        return row == 0 or self._rows[row - 1][0] != self._rows[row][0]

    # --- Qt ------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        """Qt: one row per shown line."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        """Qt: four columns."""
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY
    ) -> Any:
        """Qt: the column titles."""
        if orientation is Qt.Orientation.Horizontal and role == _DISPLAY:
            return _HEADERS[section] if 0 <= section < len(_HEADERS) else None
        return None

    @staticmethod
    def _header_cell(entry: LogEntry, column: int) -> str:
        if column == Column.TIME:
            return entry.time
        if column == Column.LEVEL:
            return entry.level.name if entry.level is not None else ""
        return entry.logger

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Qt: a cell's text and colour."""
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        entry_index, line = self._rows[index.row()]
        entry = self._entries[entry_index]
        column = index.column()
        if role == _DISPLAY:
            if column == Column.MESSAGE:
                return line
            return self._header_cell(entry, column) if self.first_row_of(index.row()) else ""
        if role == _FOREGROUND and entry.level is not None:
            return _COLOURS.get(entry.level)
        if role == _TOOLTIP and column == Column.MESSAGE:
            return line if len(line) > 80 else None
        return None
