"""ContactTreeModel: accounts at the top level, their group chats and contacts below, sorted.

Owns the tree's rows and the Qt index bookkeeping. Group chats come first (always
shown), then contacts sorted available first, then by name; offline contacts can
be hidden (except those with unread messages). Changes come in batches from
``presenters.contacts`` and each batch is applied per account with the fewest row
signals: removals, one layout change for a re-sort, insertions, one ``dataChanged``.
Entries are plain values; text and role data live in ``contact_entries``. Imports
``domain``, Qt and that module.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast, overload

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    SignalInstance,
)

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Availability
from siproxylin.gui.models.contact_entries import (
    AccountEntry,
    ContactEntry,
    account_data,
    contact_data,
)

Index = QModelIndex | QPersistentModelIndex

_ROOT_ID = 0
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_SORT_HINT = QAbstractItemModel.LayoutChangeHint.VerticalSortHint
_LAYOUT_SIGNATURE = (
    "QList<QPersistentModelIndex>",
    "QAbstractItemModel::LayoutChangeHint",
)


def _with_parents(signal: SignalInstance) -> SignalInstance:
    """The (parents, hint) overload of a layout signal.

    PySide picks the no-argument overload unless the signature is named, and its
    stubs do not declare that indexing.
    """
    overloads: Any = signal
    return cast("SignalInstance", overloads[_LAYOUT_SIGNATURE])


def _sort_key(entry: ContactEntry) -> tuple[bool, bool, str, str]:
    offline = entry.availability is Availability.OFFLINE and not entry.is_room
    return not entry.is_room, offline, entry.display_name.casefold(), str(entry.jid)


@dataclass(slots=True)
class _AccountNode:
    key: int  # stable internal id of this account's child indexes
    entry: AccountEntry
    contacts: dict[Jid, ContactEntry] = field(default_factory=dict)
    visible: list[Jid] = field(default_factory=list)  # child rows, in order
    row_of: dict[Jid, int] = field(default_factory=dict)


class ContactTreeModel(QAbstractItemModel):
    """Two-level tree: account rows, each with its (visible) contacts."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._nodes: list[_AccountNode] = []
        self._row_of: dict[AccountId, int] = {}
        self._by_key: dict[int, _AccountNode] = {}
        self._keys = itertools.count(1)
        self._show_offline = True
        self._filter = ""  # casefolded text a shown row's name or address contains

    # --- queries -----------------------------------------------------------------

    @property
    def show_offline(self) -> bool:
        """Whether offline contacts have rows."""
        return self._show_offline

    def accounts(self) -> list[AccountEntry]:
        """Every account, in row order."""
        return [node.entry for node in self._nodes]

    def account_entry(self, account: AccountId) -> AccountEntry | None:
        """An account's entry, or None when it has no row."""
        node = self._node(account)
        return node.entry if node is not None else None

    def contact(self, account: AccountId, jid: Jid) -> ContactEntry | None:
        """A contact's entry (shown or hidden), or None."""
        node = self._node(account)
        return node.contacts.get(jid) if node is not None else None

    def contacts(self, account: AccountId) -> list[ContactEntry]:
        """Every contact of an account, shown or hidden."""
        node = self._node(account)
        return list(node.contacts.values()) if node is not None else []

    def account_index(self, account: AccountId) -> QModelIndex:
        """The index of an account row (invalid when unknown)."""
        row = self._row_of.get(account)
        return self.createIndex(row, 0, _ROOT_ID) if row is not None else QModelIndex()

    def contact_index(self, account: AccountId, jid: Jid) -> QModelIndex:
        """The index of a contact row (invalid when unknown or hidden)."""
        node = self._node(account)
        row = node.row_of.get(jid) if node is not None else None
        if node is None or row is None:
            return QModelIndex()
        return self.createIndex(row, 0, node.key)

    def account_at(self, index: Index) -> AccountId | None:
        """The account of a row: itself for an account row, the parent for a contact."""
        if not index.isValid():
            return None
        node = self._owner(index)
        return node.entry.account if node is not None else None

    def contact_at(self, index: Index) -> ContactEntry | None:
        """The contact of a contact row, None for an account row."""
        if not index.isValid() or index.internalId() == _ROOT_ID:
            return None
        node = self._by_key.get(index.internalId())
        if node is None or not 0 <= index.row() < len(node.visible):
            return None
        return node.contacts[node.visible[index.row()]]

    # --- changes -----------------------------------------------------------------

    def upsert_account(self, entry: AccountEntry) -> None:
        """Add an account row, or update the one it has."""
        node = self._node(entry.account)
        if node is not None:
            if node.entry != entry:
                node.entry = entry
                index = self.account_index(entry.account)
                self.dataChanged.emit(index, index)
            return
        row = len(self._nodes)
        self.beginInsertRows(QModelIndex(), row, row)
        node = _AccountNode(next(self._keys), entry)
        self._nodes.append(node)
        self._by_key[node.key] = node
        self._row_of[entry.account] = row
        self.endInsertRows()

    def remove_account(self, account: AccountId) -> None:
        """Remove an account row with its contacts."""
        row = self._row_of.get(account)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        node = self._nodes.pop(row)
        del self._by_key[node.key]
        self._row_of = {n.entry.account: i for i, n in enumerate(self._nodes)}
        self.endRemoveRows()

    def update_contacts(
        self,
        account: AccountId,
        entries: Iterable[ContactEntry] = (),
        removed: Iterable[Jid] = (),
    ) -> None:
        """Add, replace and remove some contacts of an account, then re-sort once."""
        node = self._node(account)
        if node is None:
            return
        changed: set[Jid] = set()
        for entry in entries:
            if node.contacts.get(entry.jid) != entry:
                node.contacts[entry.jid] = entry
                changed.add(entry.jid)
        for jid in removed:
            if node.contacts.pop(jid, None) is not None:
                changed.discard(jid)
        self._sync(node, changed)

    def set_show_offline(self, show: bool) -> None:
        """Show or hide offline contacts."""
        if show == self._show_offline:
            return
        self._show_offline = show
        for node in self._nodes:
            self._sync(node, set())

    @property
    def filter_text(self) -> str:
        """The text rows are filtered by ("" shows every row)."""
        return self._filter

    def set_filter_text(self, text: str) -> None:
        """Show only contacts and rooms whose name or address contains ``text``
        (any case); offline ones are searched too while a filter is set."""
        folded = text.strip().casefold()
        if folded == self._filter:
            return
        self._filter = folded
        for node in self._nodes:
            self._sync(node, set())

    # --- Qt virtuals -------------------------------------------------------------

    def index(
        self,
        row: int,
        column: int,
        parent: Index = QModelIndex(),  # noqa: B008 - Qt's own default
    ) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, _ROOT_ID) if row < len(self._nodes) else QModelIndex()
        node = self._account_node_at(parent)
        if node is None:
            return QModelIndex()
        return self.createIndex(row, 0, node.key) if row < len(node.visible) else QModelIndex()

    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, child: Index) -> QModelIndex: ...
    def parent(self, child: Index | None = None) -> QObject | QModelIndex | None:
        if child is None:
            return super().parent()
        if not child.isValid() or child.internalId() == _ROOT_ID:
            return QModelIndex()
        node = self._by_key.get(child.internalId())
        if node is None:
            return QModelIndex()
        return self.createIndex(self._row_of[node.entry.account], 0, _ROOT_ID)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if not parent.isValid():
            return len(self._nodes)
        node = self._account_node_at(parent)
        return len(node.visible) if node is not None else 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == _ROOT_ID:
            if not 0 <= index.row() < len(self._nodes):
                return None
            return account_data(self._nodes[index.row()].entry, role)
        node = self._by_key.get(index.internalId())
        if node is None or not 0 <= index.row() < len(node.visible):
            return None
        return contact_data(node.entry.account, node.contacts[node.visible[index.row()]], role)

    # --- internals ---------------------------------------------------------------

    def _node(self, account: AccountId) -> _AccountNode | None:
        row = self._row_of.get(account)
        return self._nodes[row] if row is not None else None

    def _account_node_at(self, index: Index) -> _AccountNode | None:
        """The account of an account row's (column 0) index, else None."""
        if index.internalId() != _ROOT_ID or index.column() != 0:
            return None
        row = index.row()
        return self._nodes[row] if 0 <= row < len(self._nodes) else None

    def _owner(self, index: Index) -> _AccountNode | None:
        if index.internalId() == _ROOT_ID:
            row = index.row()
            return self._nodes[row] if 0 <= row < len(self._nodes) else None
        return self._by_key.get(index.internalId())

    def _shown(self, entry: ContactEntry) -> bool:
        if self._filter:
            return (
                self._filter in entry.display_name.casefold()
                or self._filter in str(entry.jid).casefold()
            )
        return (
            self._show_offline
            or entry.is_room
            or entry.availability is not Availability.OFFLINE
            or entry.unread > 0
        )

    def _sync(self, node: _AccountNode, changed: set[Jid]) -> None:
        """Bring ``node.visible`` to the sorted, filtered order with minimal signals."""
        target = [e.jid for e in sorted(filter(self._shown, node.contacts.values()), key=_sort_key)]
        if target != node.visible:
            parent = self.account_index(node.entry.account)
            wanted = set(target)
            self._remove_rows(
                node, parent, [i for i, j in enumerate(node.visible) if j not in wanted]
            )
            kept = set(node.visible)
            self._reorder(node, parent, [j for j in target if j in kept])
            self._insert_rows(node, parent, target, kept)
        rows = [node.row_of[jid] for jid in changed if jid in node.row_of]
        if rows:
            self.dataChanged.emit(
                self.createIndex(min(rows), 0, node.key),
                self.createIndex(max(rows), 0, node.key),
            )

    def _remove_rows(self, node: _AccountNode, parent: QModelIndex, rows: list[int]) -> None:
        for first, last in reversed(_runs(rows)):
            self.beginRemoveRows(parent, first, last)
            del node.visible[first : last + 1]
            self.endRemoveRows()
        if rows:
            node.row_of = {jid: i for i, jid in enumerate(node.visible)}

    def _reorder(self, node: _AccountNode, parent: QModelIndex, order: list[Jid]) -> None:
        if order == node.visible:
            return
        parents = [QPersistentModelIndex(parent)]
        _with_parents(self.layoutAboutToBeChanged).emit(parents, _SORT_HINT)
        new_row = {jid: i for i, jid in enumerate(order)}
        moved_from: list[QModelIndex] = []
        moved_to: list[QModelIndex] = []
        for index in self.persistentIndexList():
            if index.internalId() == node.key and 0 <= index.row() < len(node.visible):
                moved_from.append(index)
                moved_to.append(self.createIndex(new_row[node.visible[index.row()]], 0, node.key))
        node.visible = order
        node.row_of = new_row
        self.changePersistentIndexList(moved_from, moved_to)
        _with_parents(self.layoutChanged).emit(parents, _SORT_HINT)

    def _insert_rows(
        self,
        node: _AccountNode,
        parent: QModelIndex,
        target: list[Jid],
        present: set[Jid],
    ) -> None:
        rows = [i for i, jid in enumerate(target) if jid not in present]
        for first, last in _runs(rows):
            self.beginInsertRows(parent, first, last)
            node.visible[first:first] = target[first : last + 1]
            self.endInsertRows()
        if rows:
            node.row_of = {jid: i for i, jid in enumerate(node.visible)}


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Ascending row numbers grouped into (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
