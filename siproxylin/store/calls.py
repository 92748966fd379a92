"""Call history: the ``call`` table (migration 0011), implementing ``CallRepo``.

One row per finished call; times are kept in UTC milliseconds. Must not import
the network, the XMPP adapter, the GUI or core services.
"""

from __future__ import annotations

import sqlite3

from siproxylin.domain.call_info import CallDirection, CallRecord
from siproxylin.domain.errors import AccountNotFound
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.store.db import Database

_INSERT = (
    "INSERT INTO call (account_id, jid_id, call_id, outgoing, started, duration, missed, end_text)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (account_id, call_id) DO UPDATE SET duration = excluded.duration,"
    " missed = excluded.missed, end_text = excluded.end_text"
)


class CallStore:
    """Every account's finished calls.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def add_call(self, record: CallRecord) -> CallRecord:
        """Keep a finished call (a second one with the same call id replaces it).

        Returns:
            The record with its row id.

        Raises:
            AccountNotFound: If the account does not exist.
        """
        row = (
            record.account,
            self._db.jid_id(record.peer.bare),
            record.call_id,
            int(record.direction is CallDirection.OUTGOING),
            round(record.started * 1000),
            round(record.duration * 1000),
            int(record.missed),
            record.end_text,
        )
        try:
            self._db.write(_INSERT, row)
        except sqlite3.IntegrityError as exc:
            raise AccountNotFound(f"no account {record.account}") from exc
        found = self._db.read_one(
            "SELECT id FROM call WHERE account_id = ? AND call_id = ?",
            (record.account, record.call_id),
        )
        return CallRecord(
            id=int(found[0]) if found is not None else 0,
            account=record.account,
            peer=record.peer.bare,
            call_id=record.call_id,
            direction=record.direction,
            started=record.started,
            duration=record.duration,
            missed=record.missed,
            end_text=record.end_text,
        )

    def calls(self, account: AccountId, peer: Jid, limit: int = 50) -> list[CallRecord]:
        """The latest ``limit`` calls with ``peer``, oldest first."""
        jid_id = self._db.find_jid_id(peer.bare)
        if jid_id is None:
            return []
        rows = self._db.read(
            "SELECT id, call_id, outgoing, started, duration, missed, end_text FROM call"
            " WHERE account_id = ? AND jid_id = ? ORDER BY started DESC, id DESC LIMIT ?",
            (account, jid_id, limit),
        )
        return [
            CallRecord(
                id=int(row_id),
                account=account,
                peer=peer.bare,
                call_id=str(call_id),
                direction=CallDirection.OUTGOING if outgoing else CallDirection.INCOMING,
                started=started / 1000,
                duration=duration / 1000,
                missed=bool(missed),
                end_text=str(end_text),
            )
            for row_id, call_id, outgoing, started, duration, missed, end_text in reversed(rows)
        ]
