"""OMEMO key-value state per account: the ``omemo_key`` table.

:class:`OmemoKeys` implements ``siproxylin.core.ports.OmemoKeyRepo``: JSON values under
path-like keys, one namespace per account (removed with the account). The XMPP
adapter wraps it as the OMEMO library's storage. Values hold private keys: nothing
here logs them. Must not import the network, the XMPP adapter, the GUI or core
services.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from siproxylin.domain.errors import AccountNotFound
from siproxylin.domain.ids import AccountId
from siproxylin.store.db import Database

_UPSERT = (
    "INSERT INTO omemo_key (account_id, key, value) VALUES (?, ?, ?)"
    " ON CONFLICT (account_id, key) DO UPDATE SET value = excluded.value"
)


class OmemoKeys:
    """Every account's OMEMO state, implementing ``OmemoKeyRepo``.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def load(self, account: AccountId, key: str) -> tuple[bool, Any]:
        """The value stored under ``key``.

        Returns:
            ``(True, value)`` when there is one, ``(False, None)`` when not.
        """
        row = self._db.read_one(
            "SELECT value FROM omemo_key WHERE account_id = ? AND key = ?", (account, key)
        )
        if row is None:
            return False, None
        return True, json.loads(row[0])

    def store(self, account: AccountId, key: str, value: Any) -> None:
        """Store (or replace) a JSON value under ``key``.

        Raises:
            AccountNotFound: If the account does not exist.
            TypeError: If ``value`` is not JSON.
        """
        text = json.dumps(value, separators=(",", ":"), allow_nan=False)
        try:
            self._db.write(_UPSERT, (account, key, text))
        except sqlite3.IntegrityError as exc:
            raise AccountNotFound(f"no account {account}") from exc

    def delete(self, account: AccountId, key: str) -> None:
        """Forget ``key`` (a missing key is ignored)."""
        self._db.write("DELETE FROM omemo_key WHERE account_id = ? AND key = ?", (account, key))

    def prune(self, account: AccountId, prefix: str, below: int) -> int:
        """Forget the keys starting with ``prefix`` whose integer value is below ``below``.

        Returns:
            How many keys were forgotten.
        """
        if not prefix:
            raise ValueError("an empty prefix would prune every key")
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)  # the first key after the prefix
        cursor = self._db.write(
            "DELETE FROM omemo_key WHERE account_id = ? AND key >= ? AND key < ?"
            " AND CAST(value AS INTEGER) < ?",
            (account, prefix, end, below),
        )
        return int(cursor.rowcount)
