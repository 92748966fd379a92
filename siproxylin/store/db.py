"""The SQLite connection: pragmas, migrations, batched commits, the shared jid table.

Owns the one ``sqlite3.Connection`` of the application. Writes go into an open
transaction that is committed once at the end of the current asyncio loop turn
(or at once when no loop is running), so a burst of incoming messages costs one
commit, not one per message. Repositories build on :class:`Database`; nothing
outside ``siproxylin.store`` sees it. Must not import the network, the XMPP
adapter, the GUI or core services (only ``siproxylin.domain``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from siproxylin.domain.errors import SiproxylinError
from siproxylin.domain.ids import Jid
from siproxylin.store.migrate import migrate

log = logging.getLogger(__name__)

MEMORY = ":memory:"
_MIN_SQLITE = (3, 24, 0)  # upsert; FTS5 is checked by the first migration

Row = tuple[Any, ...]


def now_ms() -> int:
    """The current UTC time in integer milliseconds (how timestamps are stored)."""
    return time.time_ns() // 1_000_000


class DatabaseError(SiproxylinError):
    """The database cannot be used (too old SQLite, unreadable file...)."""


class Database:
    """One SQLite database file (or ``":memory:"``), migrated on open.

    Single-threaded: use it from the thread (and event loop) that opened it.

    Args:
        path: The database file; its folder is created if needed. A new file is
            created readable by its owner only.
    """

    def __init__(self, path: str | os.PathLike[str] = MEMORY) -> None:
        if sqlite3.sqlite_version_info < _MIN_SQLITE:
            raise DatabaseError(
                f"SQLite {sqlite3.sqlite_version} is too old; 3.24 or newer is needed"
            )
        self._path = os.fspath(path)
        if self._path != MEMORY:
            _create_private(Path(self._path))
        self._conn = sqlite3.connect(self._path, isolation_level=None, cached_statements=256)
        self._depth = 0
        self._commit_loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._jid_ids: dict[Jid, int] = {}
        self._jids: dict[int, Jid] = {}
        self._caches: list[dict[Any, Any]] = [self._jid_ids, self._jids]
        self._batch = _Batch(self)
        try:
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA busy_timeout = 5000")
            migrate(self._conn)
        except BaseException:
            self._conn.close()
            raise

    @property
    def path(self) -> str:
        """The file name, or ``":memory:"``."""
        return self._path

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._closed

    @property
    def connection(self) -> sqlite3.Connection:
        """The raw connection, for store internals and tests only."""
        return self._conn

    # --- reading ------------------------------------------------------------------

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of a query, as plain tuples."""
        return self._conn.execute(sql, params).fetchall()

    def read_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        row: Row | None = self._conn.execute(sql, params).fetchone()
        return row

    # --- writing ------------------------------------------------------------------

    def write(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one modifying statement inside the open (batched) transaction.

        Returns:
            The cursor, for ``rowcount`` and ``lastrowid``.
        """
        self._begin()
        try:
            cursor = self._conn.execute(sql, params)
        except sqlite3.Error:
            self._check_rolled_back()
            raise
        if not self._depth:
            self._after_write()
        return cursor

    def write_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run one modifying statement for each parameter row.

        Returns:
            The number of rows changed.
        """
        self._begin()
        try:
            count = self._conn.executemany(sql, rows).rowcount
        except sqlite3.Error:
            self._check_rolled_back()
            raise
        if not self._depth:
            self._after_write()
        return count

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes so that they all happen or none does.

        Nests (with savepoints). On an exception the group is rolled back and the
        exception propagates. Like a single write, the outermost group is committed
        at the end of the loop turn, or at once when no loop runs.
        """
        self._begin()
        name = f"sp{self._depth}"
        self._conn.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth = max(self._depth - 1, 0)
            if self._conn.in_transaction:
                self._conn.execute(f"ROLLBACK TO {name}")
                self._conn.execute(f"RELEASE {name}")
            self.clear_caches()
            raise
        self._depth -= 1
        self._conn.execute(f"RELEASE {name}")
        if not self._depth:
            self._after_write()

    def batch(self) -> _Batch:
        """Group writes into one commit, without a savepoint (a context manager).

        Cheaper than :meth:`transaction` (a savepoint makes FTS5 flush), but an
        exception does not undo the writes already made: use it for sequences
        where only the first statement can fail.
        """
        return self._batch

    def commit(self) -> None:
        """Commit the open transaction now (a no-op inside :meth:`transaction`)."""
        self._commit_loop = None
        if self._depth or self._closed:
            return
        if self._conn.in_transaction:
            self._conn.execute("COMMIT")

    def close(self) -> None:
        """Commit pending writes and close the connection. Idempotent."""
        if self._closed:
            return
        try:
            if self._depth:
                log.error("database closed inside a transaction; rolling it back")
                self._conn.execute("ROLLBACK")
                self._depth = 0
            self.commit()
            self._conn.execute("PRAGMA optimize")
        finally:
            self._closed = True
            self._conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- the jid table ------------------------------------------------------------

    def jid_id(self, jid: Jid) -> int:
        """The row id of an address, inserting it when new.

        Conversations are named by bare addresses, except private messages with a
        room occupant, which are named by the occupant's full address.
        """
        key = jid
        found = self._jid_ids.get(key)
        if found is not None:
            return found
        found = self.find_jid_id(key)
        if found is None:
            cursor = self.write("INSERT INTO jid (bare_jid) VALUES (?)", (str(key),))
            assert cursor.lastrowid is not None
            found = cursor.lastrowid
            self._jid_ids[key] = found
            self._jids[found] = key
        return found

    def find_jid_id(self, jid: Jid) -> int | None:
        """The row id of an address, or None when it was never stored."""
        key = jid
        found = self._jid_ids.get(key)
        if found is None:
            row = self.read_one("SELECT id FROM jid WHERE bare_jid = ?", (str(key),))
            if row is None:
                return None
            found = int(row[0])
            self._jid_ids[key] = found
            self._jids[found] = key
        return found

    def jid(self, jid_id: int) -> Jid:
        """The address of a jid row.

        Raises:
            KeyError: If there is no such row.
        """
        found = self._jids.get(jid_id)
        if found is None:
            row = self.read_one("SELECT bare_jid FROM jid WHERE id = ?", (jid_id,))
            if row is None:
                raise KeyError(jid_id)
            found = Jid.parse(row[0])
            self._jids[jid_id] = found
            self._jid_ids.setdefault(found, jid_id)
        return found

    # --- caches -------------------------------------------------------------------

    def register_cache(self, cache: dict[Any, Any]) -> None:
        """Have ``cache`` (row ids kept by a repository) emptied on rollbacks."""
        self._caches.append(cache)

    def clear_caches(self) -> None:
        """Forget every cached row id (after a rollback or a cascading delete)."""
        for cache in self._caches:
            cache.clear()

    # --- internals ----------------------------------------------------------------

    def _begin(self) -> None:
        if not self._conn.in_transaction:
            self._conn.execute("BEGIN IMMEDIATE")

    def _after_write(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.commit()
            return
        if self._commit_loop is not loop:
            self._commit_loop = loop
            loop.call_soon(self._deferred_commit, loop)

    def _deferred_commit(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._commit_loop is not loop:
            return  # committed meanwhile
        try:
            self.commit()
        except sqlite3.Error:
            log.exception("deferred commit failed; retrying after the next write")

    def _check_rolled_back(self) -> None:
        # Some errors (disk full, I/O) make SQLite roll back the whole transaction:
        # cached row ids inserted in it are then gone.
        if not self._conn.in_transaction:
            self._depth = 0
            self.clear_caches()


class _Batch:
    """The context manager behind :meth:`Database.batch`; one per database, reentrant.

    A class rather than a ``@contextmanager`` generator, which would cost more per
    message than the statements it groups.
    """

    __slots__ = ("_db",)

    def __init__(self, db: Database) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db._depth += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        db = self._db
        db._depth = max(db._depth - 1, 0)
        if not db._depth:
            db._after_write()


def _create_private(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # SQLite gives its -wal and -shm files the permissions of the database.
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
