"""SearchResultsModel: the hits of the last search, as list rows.

Owns the rows (a ``SearchHit`` with the account's and the peer's names, resolved
when the search ran) and nothing else; formatting (bold matches, times) is left
to the view. Imports ``core.ports`` (the ``SearchHit`` value) and Qt only.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from siproxylin.core.ports import SearchHit
from siproxylin.gui import labels

Index = QModelIndex | QPersistentModelIndex

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_TOOLTIP_BODY = 500  # characters of the body in a tooltip


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One hit and the names to show with it.

    Attributes:
        hit: The message, its snippet and the matches in the snippet.
        account_label: The account's address.
        peer_label: The peer's roster name, or its address.
    """

    hit: SearchHit
    account_label: str
    peer_label: str


class SearchRole(enum.IntEnum):
    """Data roles of a hit row (DisplayRole is "peer: snippet")."""

    HIT = int(Qt.ItemDataRole.UserRole) + 1  # the SearchHit
    ACCOUNT = enum.auto()  # str, the account's address
    PEER = enum.auto()  # str, the peer's name or address
    TIMESTAMP = enum.auto()  # float, UTC seconds
    SNIPPET = enum.auto()  # str
    MATCHES = enum.auto()  # tuple of (start, end) code point offsets in SNIPPET


class SearchResultsModel(QAbstractListModel):
    """Rows of one search; replaced as a whole by every search."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ResultRow] = []

    def set_rows(self, rows: Iterable[ResultRow]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        """Remove every row."""
        self.set_rows(())

    def hit(self, row: int) -> SearchHit:
        """The hit in ``row``."""
        return self._rows[row].hit

    # --- Qt virtuals -------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:  # noqa: PLR0911
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        hit = row.hit
        if role == _DISPLAY:
            return f"{row.peer_label}: {hit.snippet}"
        if role == SearchRole.HIT:
            return hit
        if role == SearchRole.ACCOUNT:
            return row.account_label
        if role == SearchRole.PEER:
            return row.peer_label
        if role == SearchRole.TIMESTAMP:
            return hit.message.timestamp
        if role == SearchRole.SNIPPET:
            return hit.snippet
        if role == SearchRole.MATCHES:
            return hit.matches
        if role == _TOOLTIP:
            body = hit.message.body
            if len(body) > _TOOLTIP_BODY:
                body = body[:_TOOLTIP_BODY] + "…"
            when = labels.full_time(hit.message.timestamp)
            return f"{row.peer_label} · {row.account_label} · {when}\n\n{body}"
        return None

    def roleNames(self) -> dict[int, QByteArray]:  # noqa: N802
        names = dict(super().roleNames())
        for role in SearchRole:
            names[int(role)] = QByteArray(role.name.lower().encode())
        return names
