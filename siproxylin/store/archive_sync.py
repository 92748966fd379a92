"""What is known about the server archives an account reads (XEP-0313): sync points, ranges.

Owns the ``archive_sync`` and ``archive_range`` tables (migration 0006), and the one
question about stored messages that catching up needs: the oldest archive id in a
conversation. :class:`ArchiveSyncStore` implements
``siproxylin.core.ports.ArchiveSyncRepo``. Writes join the database's batched
transaction, so a page's messages and the sync point that follows them are
committed together. Must not import the network, the XMPP adapter, the GUI or
core services.
"""

from __future__ import annotations

from siproxylin.core.ports import ArchivePage, ArchiveRange, ArchiveSyncState
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind
from siproxylin.store.db import Database
from siproxylin.store.messages import KIND_CODE, to_ms

WHOLE_ARCHIVE = 0  # with_id of the whole archive

_UPSERT_SYNC = (
    "INSERT INTO archive_sync (account_id, archive_id, with_id, last_stanza_id, last_time)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, archive_id, with_id) DO UPDATE"
    " SET last_stanza_id = excluded.last_stanza_id, last_time = excluded.last_time"
)
_MARK_START = (
    "INSERT INTO archive_sync (account_id, archive_id, with_id, complete_to_start)"
    " VALUES (?, ?, ?, 1) ON CONFLICT (account_id, archive_id, with_id) DO UPDATE"
    " SET complete_to_start = 1"
)
_INSERT_RANGE = (
    "INSERT INTO archive_range (account_id, archive_id, with_id, first_stanza_id,"
    " first_time, last_stanza_id, last_time) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


class ArchiveSyncStore:
    """Archive sync state in the database, implementing ``ArchiveSyncRepo``.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def sync_state(
        self, account: AccountId, archive: Jid, with_jid: Jid | None = None
    ) -> ArchiveSyncState:
        """The sync point and start flag (all empty when never synced)."""
        key = self._key(account, archive, with_jid, create=False)
        if key is None:
            return ArchiveSyncState()
        row = self._db.read_one(
            "SELECT last_stanza_id, last_time, complete_to_start FROM archive_sync"
            " WHERE account_id = ? AND archive_id = ? AND with_id = ?",
            key,
        )
        if row is None:
            return ArchiveSyncState()
        return ArchiveSyncState(row[0], row[1] / 1000, bool(row[2]))

    def ranges(
        self, account: AccountId, archive: Jid, with_jid: Jid | None = None
    ) -> list[ArchiveRange]:
        """The known complete stretches, oldest first."""
        key = self._key(account, archive, with_jid, create=False)
        if key is None:
            return []
        rows = self._db.read(
            "SELECT first_stanza_id, first_time, last_stanza_id, last_time FROM archive_range"
            " WHERE account_id = ? AND archive_id = ? AND with_id = ? ORDER BY first_time, id",
            key,
        )
        return [ArchiveRange(r[0], r[1] / 1000, r[2], r[3] / 1000) for r in rows]

    def record_forward(
        self, account: AccountId, archive: Jid, after: str, page: ArchivePage
    ) -> None:
        """A page fetched forward was stored: extend the range ending at ``after``
        (or start one) and move the sync point to the page's last result."""
        if not page.last:
            return
        key = self._key(account, archive, None, create=True)
        assert key is not None
        last_ms = to_ms(page.last_time)
        with self._db.batch():
            extended = 0
            if after:
                extended = self._db.write(
                    "UPDATE archive_range SET last_stanza_id = ?, last_time = ?"
                    " WHERE account_id = ? AND archive_id = ? AND with_id = ?"
                    " AND last_stanza_id = ?",
                    (page.last, last_ms, *key, after),
                ).rowcount
            if not extended:
                self._db.write(
                    _INSERT_RANGE,
                    (*key, page.first, to_ms(page.first_time), page.last, last_ms),
                )
            self._db.write(_UPSERT_SYNC, (*key, page.last, last_ms))

    def record_backward(
        self,
        account: AccountId,
        archive: Jid,
        with_jid: Jid | None,
        before: str,
        page: ArchivePage,
    ) -> None:
        """A page fetched backwards was stored: extend the range starting at ``before``
        (or start one); ``before`` "" on the whole archive also sets the sync point;
        a complete page marks the beginning reached."""
        key = self._key(account, archive, with_jid, create=True)
        assert key is not None
        with self._db.batch():
            if page.first:
                first_ms = to_ms(page.first_time)
                extended = 0
                if before:
                    extended = self._db.write(
                        "UPDATE archive_range SET first_stanza_id = ?, first_time = ?"
                        " WHERE account_id = ? AND archive_id = ? AND with_id = ?"
                        " AND first_stanza_id = ?",
                        (page.first, first_ms, *key, before),
                    ).rowcount
                if not extended:
                    self._db.write(
                        _INSERT_RANGE,
                        (*key, page.first, first_ms, page.last, to_ms(page.last_time)),
                    )
                if not before and with_jid is None:
                    self._db.write(_UPSERT_SYNC, (*key, page.last, to_ms(page.last_time)))
            if page.complete:
                self._db.write(_MARK_START, key)

    def oldest_archived(self, account: AccountId, peer: Jid, kind: ChatKind) -> tuple[str, float]:
        """The archive id and time (UTC seconds) of the oldest stored message of a
        conversation that has an archive id; ``("", 0.0)`` when none has."""
        jid_id = self._db.find_jid_id(peer.bare)
        if jid_id is None:
            return "", 0.0
        row = self._db.read_one(
            "SELECT stanza_id, time FROM message"
            " WHERE account_id = ? AND counterpart_id = ? AND type = ? AND stanza_id != ''"
            " ORDER BY time, id LIMIT 1",
            (account, jid_id, KIND_CODE[kind]),
        )
        return ("", 0.0) if row is None else (str(row[0]), row[1] / 1000)

    # --- internals ----------------------------------------------------------------

    def _key(
        self, account: AccountId, archive: Jid, with_jid: Jid | None, *, create: bool
    ) -> tuple[int, int, int] | None:
        lookup = self._db.jid_id if create else self._db.find_jid_id
        archive_id = lookup(archive.bare)
        if archive_id is None:
            return None
        if with_jid is None:
            return (account, archive_id, WHOLE_ARCHIVE)
        with_id = lookup(with_jid.bare)
        return None if with_id is None else (account, archive_id, with_id)
