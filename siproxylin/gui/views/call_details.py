"""CallDetailsPanel: how a call is connected, for the call window's "Details".

Lists what both ends advertised (type, protocol, address, related address), the
pair in use, the TURN server and how it is reached, the codec, and one line that
says whether only relays were used (or warns). Qt widgets, ``gui.call_labels``
and the theme's tones.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from siproxylin.domain.call_info import AdvertisedCandidate, CallDetails
from siproxylin.gui.call_labels import NOT_CONNECTED, relay_verdict
from siproxylin.gui.theme import set_tone

COLUMNS = ("Side", "Type", "Protocol", "Address", "Related address")
WAITING = "Not known yet: the connection is being set up."
MAX_ROWS = 10  # candidate rows shown before the table scrolls
_SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse


class CallDetailsPanel(QWidget):
    """The connection of one call."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.verdict_label = QLabel(WAITING, self)
        self.verdict_label.setObjectName("relayVerdict")
        self.verdict_label.setWordWrap(True)
        column.addWidget(self.verdict_label)
        form = QFormLayout()
        self.chosen_label = QLabel(self)
        self.server_label = QLabel(self)
        self.codec_label = QLabel(self)
        for label in (self.chosen_label, self.server_label, self.codec_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(label.textInteractionFlags() | _SELECTABLE)
        form.addRow("Connection:", self.chosen_label)
        form.addRow("Relay server:", self.server_label)
        form.addRow("Codec:", self.codec_label)
        column.addLayout(form)
        self.candidates = QTreeWidget(self)
        self.candidates.setObjectName("candidates")
        self.candidates.setHeaderLabels(list(COLUMNS))
        self.candidates.setRootIsDecorated(False)
        self.candidates.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.candidates.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.candidates.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        column.addWidget(self.candidates, 1)
        self.show_details(None)

    def show_details(self, details: CallDetails | None) -> None:
        """Show ``details`` (None: nothing known yet)."""
        self.candidates.clear()
        if details is None:
            self.verdict_label.setText(WAITING)
            set_tone(self.verdict_label, "muted")
            for label in (self.chosen_label, self.server_label, self.codec_label):
                label.setText("—")
            self._fit_rows()
            return
        text, good = relay_verdict(details)
        self.verdict_label.setText(text)
        set_tone(self.verdict_label, "success" if good else "warning")
        if details.chosen_local or details.chosen_remote:
            self.chosen_label.setText(
                f"{details.chosen_local or '?'} (here) ⇄ {details.chosen_remote or '?'} (peer)"
            )
        else:
            self.chosen_label.setText(NOT_CONNECTED)
        server = details.turn_server or "—"
        if details.turn_transport:
            server = f"{server} ({details.turn_transport})"
        self.server_label.setText(server)
        self.codec_label.setText(details.codec or "—")
        self._add("Here", details.local)
        self._add("Peer", details.remote)
        self._fit_rows()

    def rows(self) -> list[tuple[str, ...]]:
        """The candidate table's text, row by row (tests)."""
        count = self.candidates.columnCount()
        items = (
            self.candidates.topLevelItem(row) for row in range(self.candidates.topLevelItemCount())
        )
        return [tuple(item.text(col) for col in range(count)) for item in items if item is not None]

    def _fit_rows(self) -> None:
        """As tall as its rows (two at least, ten at most): no empty band under them."""
        tree = self.candidates
        rows = min(max(tree.topLevelItemCount(), 2), MAX_ROWS)
        row_height = tree.fontMetrics().height() + 4
        first = tree.topLevelItem(0)
        if first is not None:
            row_height = max(row_height, tree.visualItemRect(first).height())
        frame = 2 * tree.frameWidth()
        tree.setFixedHeight(tree.header().sizeHint().height() + rows * row_height + frame + 2)

    def _add(self, side: str, candidates: tuple[AdvertisedCandidate, ...]) -> None:
        for candidate in candidates:
            item = QTreeWidgetItem(
                [side, candidate.kind, candidate.protocol, candidate.address, candidate.related]
            )
            self.candidates.addTopLevelItem(item)
