"""MessageListModel: the stored messages of the one open conversation, as list rows.

Owns the rows (``ChatMessage`` values, in the order they were stored), an
id -> row map so a delivery-state update finds its row in O(1), a map from the
ids other messages use to refer to a message (origin-id, stanza-id, stanza ``id``)
so a reply finds the message it answers, and the names of the two sides (the
author of a room message is its nick). A batch of
``MessageStored`` events becomes at most one ``rowsInserted`` (or one reset when
the batch alone exceeds the row limit) and one ``dataChanged``. The newest
``limit`` rows are kept, so a flood into the open conversation costs the view a
bounded layout. New messages older than the first row (pages fetched back from
the server archive) are inserted above it instead, in time order, and
``prepend`` adds older stored messages at the top; there the newest rows give way
when the limit is reached (``trimmed_newest``). Formatting (times, marks) is
left to views. Imports ``domain`` and Qt only.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from siproxylin.domain.events import MessageStored
from siproxylin.domain.models import ChatKind, ChatMessage, Direction, Encryption, FileTransfer
from siproxylin.gui import labels

Index = QModelIndex | QPersistentModelIndex

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)


class MessageRole(enum.IntEnum):
    """Data roles of a message row (DisplayRole is the body too)."""

    MESSAGE = int(Qt.ItemDataRole.UserRole) + 1  # the whole ChatMessage
    BODY = enum.auto()  # str
    TIMESTAMP = enum.auto()  # float, UTC seconds
    DIRECTION = enum.auto()  # Direction
    STATE = enum.auto()  # DeliveryState
    ID = enum.auto()  # int, the stored message's id
    AUTHOR = enum.auto()  # str: who wrote it, as shown (nick in rooms)
    REPLY = enum.auto()  # ChatMessage | None: the loaded message this one answers
    REPLY_AUTHOR = enum.auto()  # str: who wrote it ("" when it is not loaded)
    TRANSFER = enum.auto()  # FileTransfer | None: the file it shares
    DAY = enum.auto()  # str: the day separator shown above it ("" within a day)


class MessageListModel(QAbstractListModel):
    """Rows of one conversation; appended and updated in batches."""

    def __init__(self, parent: QObject | None = None, limit: int = 1000) -> None:
        super().__init__(parent)
        self.limit = limit
        self._rows: list[ChatMessage] = []
        self._row_of: dict[int, int] = {}
        self._by_ref: dict[str, int] = {}  # origin-id / stanza-id / stanza id -> message id
        self.peer_name = ""
        self.own_name = ""
        self.trimmed_newest = False  # rows at the bottom were dropped for older ones
        # The file a message shares (set by the presenter; None: ask ``transfer_of``).
        self.transfer_of: Callable[[int], FileTransfer | None] = lambda _id: None
        self._transfers: dict[int, FileTransfer | None] = {}

    # --- queries -----------------------------------------------------------------

    def message(self, row: int) -> ChatMessage:
        """The message in ``row``."""
        return self._rows[row]

    def row_of(self, message_id: int) -> int | None:
        """The row of a stored message id, if it is loaded."""
        return self._row_of.get(message_id)

    def messages(self) -> Sequence[ChatMessage]:
        """Every loaded message, oldest first (a read-only view)."""
        return tuple(self._rows)

    def referenced(self, ref: str) -> ChatMessage | None:
        """The loaded message that ``ref`` (an origin-id, stanza-id or stanza id) names."""
        if not ref:
            return None
        message_id = self._by_ref.get(ref)
        if message_id is None:
            return None
        row = self._row_of.get(message_id)
        return self._rows[row] if row is not None else None

    def reply_target(self, message: ChatMessage) -> ChatMessage | None:
        """The loaded message ``message`` answers, if any."""
        return self.referenced(message.reply_to) if message.reply_to else None

    def author(self, message: ChatMessage) -> str:
        """Who wrote ``message``, as shown: the nick in a room, else a side's name."""
        if message.kind is ChatKind.GROUPCHAT and message.resource:
            return message.resource
        if message.direction is Direction.OUTGOING:
            return self.own_name or "me"
        if message.kind is ChatKind.GROUPCHAT_PM and message.peer.resource:
            return message.peer.resource
        return self.peer_name or str(message.peer)

    def transfer(self, message: ChatMessage) -> FileTransfer | None:
        """The file ``message`` shares (looked up once, then kept up to date)."""
        if message.id not in self._transfers:
            self._transfers[message.id] = self.transfer_of(message.id)
        return self._transfers[message.id]

    def set_transfer(self, transfer: FileTransfer) -> None:
        """A shared file moved on: its row is repainted (and its height checked)."""
        self._transfers[transfer.message_id] = transfer
        row = self._row_of.get(transfer.message_id)
        if row is not None:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index)

    def set_names(self, peer_name: str, own_name: str) -> None:
        """The names shown for the peer and for us (1:1 conversations)."""
        if (peer_name, own_name) == (self.peer_name, self.own_name):
            return
        self.peer_name, self.own_name = peer_name, own_name
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    # --- changes -----------------------------------------------------------------

    def set_messages(self, messages: Iterable[ChatMessage]) -> None:
        """Replace every row (a conversation was opened)."""
        self.beginResetModel()
        self._rows = list(messages)[-self.limit :]
        self._row_of = {message.id: row for row, message in enumerate(self._rows)}
        self._by_ref = {}
        self._transfers = {}
        self._index_refs(self._rows)
        self.trimmed_newest = False
        self.endResetModel()

    def clear(self) -> None:
        """Remove every row."""
        self.set_messages(())

    def apply(self, events: Iterable[MessageStored]) -> None:
        """Apply stored-message events of this conversation, in order.

        A new message is appended, unless its id is already loaded (history and a
        live event can overlap), in which case its row is replaced. An update of
        a message that is not loaded (older than the history window) is ignored.
        """
        appended: list[ChatMessage] = []
        pending: dict[int, int] = {}
        row_of = self._row_of
        rows = self._rows
        low, high = len(rows), -1
        for event in events:
            message = event.message
            row = row_of.get(message.id)
            if row is not None:
                rows[row] = message
                self._index_refs((message,))
                low, high = min(low, row), max(high, row)
                continue
            slot = pending.get(message.id)
            if slot is not None:
                appended[slot] = message
            elif event.new:
                pending[message.id] = len(appended)
                appended.append(message)
        if high >= 0:
            self.dataChanged.emit(self.index(low, 0), self.index(high, 0))
        if appended and rows:
            first = rows[0].timestamp
            older = [message for message in appended if message.timestamp < first]
            if older:
                appended = [message for message in appended if message.timestamp >= first]
                self.prepend(sorted(older, key=lambda message: message.timestamp))
        if appended:
            self._append(appended)

    def older_than_loaded(self, message: ChatMessage) -> bool:
        """True when ``message`` would go above the first loaded row."""
        return bool(self._rows) and message.timestamp < self._rows[0].timestamp

    def prepend(self, messages: Sequence[ChatMessage]) -> int:
        """Insert older messages (oldest first) above the first row.

        Messages already loaded are skipped. When the limit is reached the newest
        rows are dropped (``trimmed_newest`` is set).

        Returns:
            How many rows were inserted.
        """
        fresh = [m for m in messages if m.id not in self._row_of][-self.limit :]
        if not fresh:
            return 0
        excess = len(self._rows) + len(fresh) - self.limit
        if excess > 0:
            keep = len(self._rows) - excess
            self.beginRemoveRows(QModelIndex(), keep, len(self._rows) - 1)
            del self._rows[keep:]
            self.trimmed_newest = True
            self.endRemoveRows()
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self._rows[0:0] = fresh
        self._row_of = {message.id: row for row, message in enumerate(self._rows)}
        self._by_ref = {}
        self._index_refs(self._rows)
        self._forget_transfers()
        self.endInsertRows()
        # The row that was first may have lost its day separator to the older rows.
        moved = self.index(len(fresh), 0)
        if moved.isValid():
            self.dataChanged.emit(moved, moved)
        return len(fresh)

    def _forget_transfers(self) -> None:
        """Keep the files of loaded rows only (a long scroll must not grow memory)."""
        if len(self._transfers) > len(self._rows):
            self._transfers = {k: v for k, v in self._transfers.items() if k in self._row_of}

    def _append(self, appended: list[ChatMessage]) -> None:
        if len(appended) >= self.limit:
            self.set_messages(appended)
            return
        excess = len(self._rows) + len(appended) - self.limit
        if excess > 0:
            self.beginRemoveRows(QModelIndex(), 0, excess - 1)
            del self._rows[:excess]
            self._row_of = {message.id: row for row, message in enumerate(self._rows)}
            self._by_ref = {}
            self._index_refs(self._rows)
            self._forget_transfers()
            self.endRemoveRows()
            if self._rows:  # the new first row shows its day separator now
                self.dataChanged.emit(self.index(0, 0), self.index(0, 0))
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(appended) - 1)
        self._rows.extend(appended)
        self._row_of.update((m.id, row) for row, m in enumerate(appended, first))
        self._index_refs(appended)
        self.endInsertRows()

    def _index_refs(self, messages: Iterable[ChatMessage]) -> None:
        refs = self._by_ref
        for message in messages:
            for ref in (message.message_id, message.origin_id, message.stanza_id):
                if ref:
                    refs.setdefault(ref, message.id)  # the first message keeps an id

    # --- Qt virtuals -------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        message = self._rows[index.row()]
        read = _ROLES.get(role)
        return read(self, message) if read is not None else None

    def roleNames(self) -> dict[int, QByteArray]:  # noqa: N802
        names = dict(super().roleNames())
        for role in MessageRole:
            names[int(role)] = QByteArray(role.name.lower().encode())
        return names


def _day(model: MessageListModel, message: ChatMessage) -> str:
    """The separator above the first loaded message of each local day."""
    row = model.row_of(message.id)
    if row is None:
        return ""
    if row > 0 and labels.same_day(model.message(row - 1).timestamp, message.timestamp):
        return ""
    return labels.day_label(message.timestamp)


def _reply_author(model: MessageListModel, message: ChatMessage) -> str:
    target = model.reply_target(message)
    return model.author(target) if target is not None else ""


_ROLES: dict[int, Callable[[MessageListModel, ChatMessage], Any]] = {
    _DISPLAY: lambda _m, message: message.body,
    MessageRole.BODY: lambda _m, message: message.body,
    MessageRole.STATE: lambda _m, message: message.state,
    MessageRole.DIRECTION: lambda _m, message: message.direction,
    MessageRole.TIMESTAMP: lambda _m, message: message.timestamp,
    MessageRole.MESSAGE: lambda _m, message: message,
    MessageRole.ID: lambda _m, message: message.id,
    MessageRole.AUTHOR: MessageListModel.author,
    MessageRole.REPLY: MessageListModel.reply_target,
    MessageRole.REPLY_AUTHOR: _reply_author,
    MessageRole.TRANSFER: MessageListModel.transfer,
    MessageRole.DAY: _day,
    _TOOLTIP: lambda _m, message: _tooltip(message),
}


def _tooltip(message: ChatMessage) -> str:
    """A row's tooltip: when, how far delivered, and how it was encrypted (or why not read)."""
    when = labels.full_time(message.timestamp)
    edited = " · edited" if message.edited else ""
    tip = f"{when} · {labels.delivery_text(message.state)}{edited}"
    if message.decryption_error:
        return f"Could not be decrypted: {message.decryption_error}\n{tip}"
    if message.encryption is not Encryption.NONE:
        return f"{tip} · encrypted (OMEMO)"
    return tip
