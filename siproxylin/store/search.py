"""Full text search of message bodies through the ``message_fts`` FTS5 index.

Owns the translation of what a user types into a safe FTS5 query and the search
itself. The index is filled by ``store.messages`` and kept in sync on deletes by
triggers. Must not import the network, the XMPP adapter, the GUI or core
services.
"""

from __future__ import annotations

import sqlite3

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatMessage
from siproxylin.store.db import Database
from siproxylin.store.messages import COLUMNS, message_from_row

_MAX_TERMS = 16


def fts_query(text: str) -> str:
    """Turn free text into an FTS5 query: every word must match, as a prefix.

    Each word is quoted, so FTS5 operators and punctuation typed by the user are
    taken literally. Returns an empty string when there is nothing to search.
    """
    terms = []
    for word in text.split()[:_MAX_TERMS]:
        if not any(c.isalnum() for c in word):
            continue
        quoted = word.replace('"', '""')
        terms.append(f'"{quoted}"*')
    return " ".join(terms)


class MessageSearch:
    """Searches the messages of one account.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def search(
        self,
        account: AccountId,
        text: str,
        limit: int = 50,
        peer: Jid | None = None,
    ) -> list[ChatMessage]:
        """Messages whose body contains every word of ``text`` (word prefixes match).

        Args:
            account: The account whose messages are searched.
            text: What the user typed.
            limit: At most this many results.
            peer: Only messages with this bare address.

        Returns:
            Matching messages, newest first.
        """
        query = fts_query(text)
        if not query or limit <= 0:
            return []
        sql = (
            f"SELECT {COLUMNS} FROM message_fts JOIN message AS m"
            " ON m.id = message_fts.rowid"
            " WHERE message_fts MATCH ? AND m.account_id = ?"
        )
        params: list[object] = [query, account]
        if peer is not None:
            jid_id = self._db.find_jid_id(peer)
            if jid_id is None:
                return []
            sql += " AND m.counterpart_id = ?"
            params.append(jid_id)
        sql += " ORDER BY message_fts.rowid DESC LIMIT ?"
        params.append(limit)
        try:
            rows = self._db.read(sql, params)
        except sqlite3.OperationalError as exc:
            if "fts5" not in str(exc):
                raise
            return []  # a query FTS5 still rejects matches nothing
        return [message_from_row(self._db, row) for row in rows]

    def index_ok(self) -> bool:
        """True when the index matches the stored messages exactly."""
        try:
            self._db.write(
                "INSERT INTO message_fts (message_fts, rank) VALUES ('integrity-check', 1)"
            )
        except sqlite3.DatabaseError:
            return False
        return True

    def rebuild_index(self) -> None:
        """Rebuild the index from the stored messages (repairs a broken index)."""
        self._db.write("INSERT INTO message_fts (message_fts) VALUES ('rebuild')")
