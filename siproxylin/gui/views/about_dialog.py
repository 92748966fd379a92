"""AboutDialog (Help > About Siproxylin): version, licence, folders, supported XEPs and RFCs.

Everything but the version and the folders comes from the packaged DOAP file
(``gui.doap``). The XEP and RFC tables sort by any column. Their xmpp.org
addresses are shown as text and copied on request, never opened: a browser
started from here would not go through the account's proxy. Imports Qt and
``gui`` only.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from siproxylin import __version__
from siproxylin.gui.doap import Project, load_project

LINK_NOTE = (
    "Addresses are shown, not opened: a browser started from here would not use"
    " your accounts' proxies. Copy one and open it where you choose."
)
_XEP_HEADERS = ("XEP", "Status", "Version", "Notes", "Address")
_RFC_HEADERS = ("RFC", "Address")


class _NumberItem(QTableWidgetItem):
    """A cell that sorts by a number rather than by its text (RFC 791 before RFC 6120)."""

    def __init__(self, text: str, number: int) -> None:
        super().__init__(text)
        self.number = number

    def __lt__(self, other: QTableWidgetItem) -> bool:
        if isinstance(other, _NumberItem):
            return self.number < other.number
        return super().__lt__(other)


def _item(text: str, number: int | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text) if number is None else _NumberItem(text, number)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    return item


def _selectable(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class AboutDialog(QDialog):
    """What Siproxylin is and which protocols it speaks."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        data_dir: Path | None = None,
        logs_dir: Path | None = None,
        project: Project | None = None,
    ) -> None:
        super().__init__(parent)
        self.project = project if project is not None else load_project()
        self.setWindowTitle("About Siproxylin")
        self.resize(940, 620)
        layout = QVBoxLayout(self)
        title = QLabel(
            f"<h2>{escape(self.project.name)} {escape(__version__)}</h2>"
            f"<p><b>{escape(self.project.shortdesc)}</b></p>"
            f"<p>{escape(self.project.description)}</p>",
            self,
        )
        title.setWordWrap(True)
        layout.addWidget(title)
        form = QFormLayout()
        form.addRow("Licence:", _selectable(self.project.license_name, self))
        if data_dir is not None:
            form.addRow("Data folder:", _selectable(str(data_dir), self))
        if logs_dir is not None:
            form.addRow("Logs folder:", _selectable(str(logs_dir), self))
        layout.addLayout(form)
        self.xep_table = self._xep_table()
        self.rfc_table = self._rfc_table()
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.xep_table, f"XEPs ({len(self.project.xeps)})")
        self.tabs.addTab(self.rfc_table, f"RFCs ({len(self.project.rfcs)})")
        layout.addWidget(self.tabs, 1)
        note = QLabel(LINK_NOTE, self)
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("&Copy Address", self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_address)
        QShortcut(QKeySequence.StandardKey.Copy, self, self.copy_address)
        layout.addWidget(buttons)

    def _table(self, headers: tuple[str, ...], rows: int) -> QTableWidget:
        table = QTableWidget(rows, len(headers), self)
        table.setHorizontalHeaderLabels(list(headers))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        vertical = table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.setWordWrap(False)
        return table

    def _xep_table(self) -> QTableWidget:
        table = self._table(_XEP_HEADERS, len(self.project.xeps))
        for row, xep in enumerate(self.project.xeps):
            table.setItem(row, 0, _item(xep.name, xep.number))
            for column, value in enumerate((xep.status, xep.version, xep.note, xep.url), 1):
                item = _item(value)
                if column == 3:
                    item.setToolTip(value)
                table.setItem(row, column, item)
        header = table.horizontalHeader()
        for column in (0, 1, 2, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        return table

    def _rfc_table(self) -> QTableWidget:
        table = self._table(_RFC_HEADERS, len(self.project.rfcs))
        for row, rfc in enumerate(self.project.rfcs):
            table.setItem(row, 0, _item(rfc.name, rfc.number))
            table.setItem(row, 1, _item(rfc.url))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        return table

    def xep_names(self) -> list[str]:
        """The XEP column, top to bottom as shown."""
        items = (self.xep_table.item(row, 0) for row in range(self.xep_table.rowCount()))
        return [item.text() for item in items if item is not None]

    def selected_address(self) -> str:
        """The address of the selected row of the visible table ("" when none)."""
        table = self.tabs.currentWidget()
        if not isinstance(table, QTableWidget):
            return ""
        rows = table.selectionModel().selectedRows()
        if not rows:
            return ""
        item = table.item(rows[0].row(), table.columnCount() - 1)
        return item.text() if item is not None else ""

    def copy_address(self) -> None:
        """Put the selected row's address on the clipboard."""
        address = self.selected_address()
        if address:
            QGuiApplication.clipboard().setText(address)
