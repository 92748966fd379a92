"""The local side of shared files: the ``file_transfer`` table (migration 0009).

:class:`FileTransfers` implements ``siproxylin.core.ports.FileTransferRepo``: one row
per message that shares a file (where the file is kept, how much of it is here,
its state and what went wrong) and the message's ``attachment`` URL once an upload
is done. Must not import the network, the XMPP adapter, the GUI or core services.
"""

from __future__ import annotations

from siproxylin.domain.models import ChatMessage, FileTransfer, TransferState
from siproxylin.store.db import Database, Row
from siproxylin.store.messages import COLUMNS, message_from_row

STATE_CODE = {
    TransferState.OFFERED: 0,
    TransferState.UPLOADING: 1,
    TransferState.DOWNLOADING: 2,
    TransferState.DONE: 3,
    TransferState.FAILED: 4,
    TransferState.CANCELLED: 5,
}
_STATES = {code: state for state, code in STATE_CODE.items()}
_COLUMNS = "message_id, name, size, mime, path, state, done, error"
_UPSERT = (
    f"INSERT INTO file_transfer ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (message_id) DO UPDATE SET name = excluded.name, size = excluded.size,"
    " mime = excluded.mime, path = excluded.path, state = excluded.state,"
    " done = excluded.done, error = excluded.error"
)


class FileTransfers:
    """Every shared file's local state, implementing ``FileTransferRepo``.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def save(self, transfer: FileTransfer) -> None:
        """Store (or replace) the state of one message's file."""
        self._db.write(
            _UPSERT,
            (
                transfer.message_id,
                transfer.name[:255],
                transfer.size,
                transfer.mime[:127],
                transfer.path,
                STATE_CODE[transfer.state],
                transfer.done,
                transfer.error[:1000],
            ),
        )

    def get(self, message_id: int) -> FileTransfer | None:
        """The file shared by a message, if any."""
        row = self._db.read_one(
            f"SELECT {_COLUMNS} FROM file_transfer WHERE message_id = ?", (message_id,)
        )
        return None if row is None else _from_row(row)

    def unfinished(self, states: tuple[TransferState, ...]) -> list[FileTransfer]:
        """Transfers in one of ``states`` (e.g. uploads cut off by a stop)."""
        marks = ", ".join("?" * len(states))
        rows = self._db.read(
            f"SELECT {_COLUMNS} FROM file_transfer WHERE state IN ({marks}) ORDER BY message_id",
            tuple(STATE_CODE[s] for s in states),
        )
        return [_from_row(row) for row in rows]

    def share(self, message_id: int, url: str) -> ChatMessage | None:
        """An upload is done: the message's body and attachment become ``url``."""
        self._db.write(
            "UPDATE message SET body = ?, attachment = ? WHERE id = ?", (url, url, message_id)
        )
        row = self._db.read_one(f"SELECT {COLUMNS} FROM message AS m WHERE m.id = ?", (message_id,))
        return None if row is None else message_from_row(self._db, row)


def _from_row(row: Row) -> FileTransfer:
    message_id, name, size, mime, path, state, done, error = row
    return FileTransfer(
        message_id=message_id,
        name=name,
        size=size,
        mime=mime,
        path=path,
        state=_STATES.get(state, TransferState.FAILED),
        done=done,
        error=error,
    )
