"""LogViewerWindow (View > Log Viewer…): the log folder's files, one shown, filtered, followed.

A non-modal window. The left list holds the folder's log files (application,
accounts, protocol, and their rotated copies); the table shows the chosen
file's entries through the account, level and text filters, and the pane below
shows the selected entry whole (a traceback, a long stanza). A timer reads what
is written meanwhile (``gui.log_tail``): new lines appear, the table follows the
end while "Follow" is on, a rotation or truncation is handled and said. A large
file is read from its last ``TAIL_BYTES`` only, and the window says so. It shows
the files as they are (already redacted) and adds nothing from elsewhere.
Imports Qt and ``gui`` only; the folder comes from ``GuiServices.logs_dir``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, QTimer
from PySide6.QtGui import QFontDatabase, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from siproxylin.gui.log_lines import Level, LogEntry, LogFilter, append_lines
from siproxylin.gui.log_tail import TAIL_BYTES, LogFile, LogTail, list_log_files
from siproxylin.gui.models.log_entries import Column, LogEntriesModel

POLL_MS = 500
LIST_EVERY = 6  # the file list is read again every sixth poll (3 s)
MAX_ENTRIES = 200_000  # a followed file keeps at most this many entries in memory
_LEVELS: tuple[tuple[str, Level | None], ...] = (
    ("All lines", None),
    ("Debug and above", Level.DEBUG),
    ("Info and above", Level.INFO),
    ("Warnings and errors", Level.WARNING),
    ("Errors only", Level.ERROR),
)
_PATH_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def size_text(size: int) -> str:
    """A byte count in words (``512 B``, ``4.0 kB``, ``50.0 MB``)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} kB"
    return f"{size / (1024 * 1024):.1f} MB"


class LogViewerWindow(QWidget):
    """The log viewer."""

    def __init__(
        self,
        folder: Path,
        parent: QWidget | None = None,
        *,
        max_bytes: int = TAIL_BYTES,
        poll_ms: int = POLL_MS,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.folder = folder
        self.max_bytes = max_bytes
        self.setWindowTitle("Log Viewer")
        self.resize(1000, 620)
        self.entries: list[LogEntry] = []
        self.tail: LogTail | None = None
        self.model = LogEntriesModel(self)
        self._files: list[LogFile] = []
        self._file_account: int | None = None
        self._polls = 0
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.poll)
        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(200)
        self._text_timer.timeout.connect(self.apply_filter)
        self._connect()
        self.refresh_files()
        if self.file_list.count():
            self.file_list.setCurrentRow(0)

    # --- construction --------------------------------------------------------------

    def _build(self) -> None:
        self.file_list = QListWidget(self)
        self.file_list.setMinimumWidth(210)
        self.file_list.setAlternatingRowColors(True)
        self.file_list.setSpacing(2)
        filters = self._build_filters()
        self.note_label = QLabel(self)
        self.note_label.setWordWrap(True)
        self.note_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.note_label.setMargin(4)
        self.note_label.setVisible(False)
        self.table = self._build_table()
        self.detail = QPlainTextEdit(self)
        self.detail.setReadOnly(True)
        self.detail.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.detail.setPlaceholderText("Select a line to see its whole entry.")
        self.count_label = QLabel(self)
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(filters)
        column.addWidget(self.note_label)
        split = QSplitter(Qt.Orientation.Vertical, right)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([460, 120])
        column.addWidget(split, 1)
        column.addWidget(self.count_label)
        outer = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(self.file_list)
        outer.addWidget(right)
        outer.setStretchFactor(1, 1)
        outer.setSizes([230, 770])
        layout = QVBoxLayout(self)
        folder_label = QLabel(f"Folder: {self.folder}", self)
        folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(folder_label)
        layout.addWidget(outer, 1)

    def _build_filters(self) -> QHBoxLayout:
        self.account_box = QComboBox(self)
        self.account_box.addItem("All accounts", None)
        self.level_box = QComboBox(self)
        for text, level in _LEVELS:
            self.level_box.addItem(text, level)
        self.text_edit = QLineEdit(self)
        self.text_edit.setPlaceholderText("Filter text")
        self.text_edit.setClearButtonEnabled(True)
        self.follow_box = QCheckBox("Follow", self)
        self.follow_box.setToolTip("Keep the newest line in view")
        self.follow_box.setChecked(True)
        filters = QHBoxLayout()
        for widget in (self.account_box, self.level_box):
            filters.addWidget(widget)
        filters.addWidget(self.text_edit, 1)
        filters.addWidget(self.follow_box)
        return filters

    def _build_table(self) -> QTableView:
        table = QTableView(self)
        table.setModel(self.model)
        table.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setWordWrap(False)
        table.setShowGrid(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        rows = table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # keeps big files fast
        rows.setDefaultSectionSize(table.fontMetrics().height() + 4)
        header = table.horizontalHeader()
        width = table.fontMetrics().horizontalAdvance
        header.resizeSection(Column.TIME, width("2026-01-01 00:00:00,000") + 12)
        header.resizeSection(Column.LEVEL, width("WARNING") + 12)
        header.resizeSection(Column.LOGGER, width("siproxylin.account.1.xmpp") + 12)
        header.setStretchLastSection(True)
        return table

    def _connect(self) -> None:
        self.file_list.currentItemChanged.connect(lambda item, _old: self._on_file_chosen(item))
        self.account_box.currentIndexChanged.connect(self._on_account_changed)
        self.level_box.currentIndexChanged.connect(self.apply_filter)
        self.text_edit.textChanged.connect(self._text_timer.start)
        self.follow_box.toggled.connect(self._on_follow_toggled)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.rowsInserted.connect(self._on_rows_inserted)

    # --- files ---------------------------------------------------------------------

    def refresh_files(self) -> None:
        """Read the folder again; the list changes only when its files did."""
        files = list_log_files(self.folder)
        for account in sorted({file.account for file in files if file.account is not None}):
            if self.account_box.findData(account) < 0:
                self.account_box.addItem(f"Account {account}", account)
        names = [file.name for file in files]
        if names == [file.name for file in self._files]:
            self._files = files
            self._update_sizes()
            return
        self._files = files
        current = self.current_path()
        self.file_list.blockSignals(True)
        self.file_list.clear()
        for file in files:
            item = QListWidgetItem(self.file_list)
            item.setData(_PATH_ROLE, str(file.path))
        self._update_sizes()
        self._apply_account_to_files()
        self.file_list.blockSignals(False)
        if current is not None:
            self.select_file(current.name)
        if not files:
            self._set_note(f"No log files in {self.folder}. Logging may be off (--log-level off).")

    def _set_note(self, text: str) -> None:
        self.note_label.setText(text)
        self.note_label.setVisible(bool(text))

    def _add_accounts(self, entries: list[LogEntry]) -> None:
        """Offer the accounts named in the lines (``siproxylin.account.N``) too."""
        for account in sorted({entry.account for entry in entries if entry.account is not None}):
            if self.account_box.findData(account) < 0:
                self.account_box.addItem(f"Account {account}", account)

    def _update_sizes(self) -> None:
        for row, file in enumerate(self._files):
            item = self.file_list.item(row)
            if item is not None:
                item.setText(f"{file.name}\n{file.kind} · {size_text(file.size)}")

    def _apply_account_to_files(self) -> None:
        account = self.account_box.currentData()
        for row, file in enumerate(self._files):
            hidden = account is not None and file.account not in (None, account)
            self.file_list.item(row).setHidden(hidden)

    def current_path(self) -> Path | None:
        """The file shown."""
        item = self.file_list.currentItem()
        return Path(str(item.data(_PATH_ROLE))) if item is not None else None

    def select_file(self, name: str) -> bool:
        """Show the file called ``name``; False when the folder has none."""
        for row in range(self.file_list.count()):
            item = self.file_list.item(row)
            if Path(str(item.data(_PATH_ROLE))).name == name:
                self.file_list.setCurrentItem(item)
                return True
        return False

    def _on_file_chosen(self, item: QListWidgetItem | None) -> None:
        if self.tail is not None:
            self.tail.close()
            self.tail = None
        self.entries = []
        self.detail.clear()
        if item is None:
            self.model.set_entries(self.entries)
            self._update_count()
            return
        path = Path(str(item.data(_PATH_ROLE)))
        self._file_account = next((f.account for f in self._files if f.path == path), None)
        self.tail = LogTail(path, self.max_bytes)
        try:
            lines = self.tail.open()
        except OSError as error:
            self.tail = None
            self._set_note(f"Cannot read {path.name}: {error.strerror or error}")
            lines = []
        else:
            self._set_note(self._tail_note(self.tail))
        append_lines(self.entries, lines)
        self._add_accounts(self.entries)
        self.model.set_entries(self.entries, self._filter())
        self._update_count()
        if self.follow_box.isChecked():
            self.table.scrollToBottom()

    @staticmethod
    def _tail_note(tail: LogTail) -> str:
        if not tail.skipped:
            return ""
        return (
            f"Showing the last {size_text(tail.size - tail.skipped)} of"
            f" {size_text(tail.size)}: the older part of {tail.path.name} is not loaded."
        )

    # --- following -----------------------------------------------------------------

    def poll(self) -> None:
        """Read what was written since the last poll (the timer calls this)."""
        self._polls += 1
        if self._polls % LIST_EVERY == 0:
            self.refresh_files()
        if self.tail is None:
            return
        try:
            read = self.tail.poll()
        except OSError as error:
            self._set_note(f"Cannot read {self.tail.path.name}: {error}")
            return
        if read.reset:
            self.entries.clear()
            self.model.set_entries(self.entries)
            self._set_note(f"{self.tail.path.name} was emptied; showing it from the start.")
        elif read.rotated:
            self._set_note(
                f"{self.tail.path.name} was rotated (the older lines moved to"
                f" {self.tail.path.name}.1); new lines follow."
            )
        if not read.lines:
            return
        first = append_lines(self.entries, read.lines)
        self._add_accounts(self.entries[first:])
        if len(self.entries) > MAX_ENTRIES:
            del self.entries[: len(self.entries) - MAX_ENTRIES]
            self.model.set_entries(self.entries)
        else:
            self.model.entries_changed(first)
        self._update_count()

    def _on_rows_inserted(self) -> None:
        if self.follow_box.isChecked():
            self.table.scrollToBottom()

    def _on_follow_toggled(self, on: bool) -> None:
        if on:
            self.table.scrollToBottom()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Qt: follow the file while the window is shown."""
        super().showEvent(event)
        self.timer.start()
        if self.follow_box.isChecked():
            # Once laid out: scrolling before the first show has no height to go by.
            QTimer.singleShot(0, self.table, self.table.scrollToBottom)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        """Qt: stop reading while hidden."""
        self.timer.stop()
        super().hideEvent(event)

    # --- filters -------------------------------------------------------------------

    def _filter(self) -> LogFilter:
        return LogFilter(
            min_level=self.level_box.currentData(),
            account=self.account_box.currentData(),
            text=self.text_edit.text().strip(),
            file_account=self._file_account,
        )

    def apply_filter(self) -> None:
        """Show the entries through the filters as they are set now."""
        self._text_timer.stop()
        self.model.set_filter(self._filter())
        self.detail.clear()
        self._update_count()
        if self.follow_box.isChecked():
            self.table.scrollToBottom()

    def _on_account_changed(self) -> None:
        self._apply_account_to_files()
        item = self.file_list.currentItem()
        if item is not None and item.isHidden():
            self.file_list.setCurrentRow(0)
        self.apply_filter()

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        entry = self.model.entry_at(indexes[0].row()) if indexes else None
        self.detail.setPlainText(entry.text if entry is not None else "")

    def _update_count(self) -> None:
        self.count_label.setText(
            f"{self.model.shown_entries:,} of {len(self.entries):,} entries shown"
        )
