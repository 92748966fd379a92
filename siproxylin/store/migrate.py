"""Schema migrations: numbered SQL files applied in order under ``PRAGMA user_version``.

Owns the list of migrations (``siproxylin/store/migrations/NNNN_name.sql``, read
with ``importlib.resources``) and the procedure that applies them. Must not import
anything but the standard library and ``siproxylin.domain``.

Rules for migration files:

* a shipped migration is never edited; a schema change is a new, higher number;
* numbers start at 1 and have no gaps; ``user_version`` is the last one applied;
* each file runs in its own transaction together with the ``user_version`` bump;
* foreign keys are off while migrating (so tables can be rebuilt the way SQLite
  documents for ``ALTER TABLE``) and ``PRAGMA foreign_key_check`` must pass
  before each migration commits. Do not write ``BEGIN``/``COMMIT`` in a file.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib import resources

from siproxylin.domain.errors import SiproxylinError

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class SchemaTooNewError(SiproxylinError):
    """The database was written by a newer version of the application."""


class MigrationError(SiproxylinError):
    """A migration could not be applied; the database was left at the previous step."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered migration file.

    Attributes:
        version: Its number; ``user_version`` after it is applied.
        name: The file name.
        sql: The statements.
    """

    version: int
    name: str
    sql: str


@cache
def migrations() -> tuple[Migration, ...]:
    """Every shipped migration, in order.

    Raises:
        MigrationError: If the files are misnamed or their numbers have gaps.
    """
    folder = resources.files("siproxylin.store").joinpath("migrations")
    found: list[Migration] = []
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _NAME.match(entry.name)
        if match is None:
            raise MigrationError(f"badly named migration file {entry.name!r}")
        found.append(Migration(int(match[1]), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise MigrationError(f"migration {expected:04d} is missing")
    return tuple(found)


def latest_version() -> int:
    """The schema version this code expects (the number of migrations)."""
    return len(migrations())


def current_version(conn: sqlite3.Connection) -> int:
    """The schema version of an open database."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, target: int | None = None) -> int:
    """Apply every pending migration up to ``target`` (default: the latest).

    ``conn`` must be in autocommit mode (``isolation_level=None``) with no open
    transaction. Foreign key enforcement is switched off while migrating and back
    on afterwards.

    Args:
        conn: The database.
        target: Stop after this version; used by tests to build old schemas.

    Returns:
        The schema version after migrating.

    Raises:
        SchemaTooNewError: If the database is newer than this code.
        MigrationError: If a migration failed; it was rolled back.
    """
    steps = migrations()
    target = len(steps) if target is None else target
    version = current_version(conn)
    if version > len(steps):
        raise SchemaTooNewError(
            f"The database has schema version {version}, this version of the "
            f"application knows only up to {len(steps)}. Please update it."
        )
    if version >= target:
        return version
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for step in steps[version:target]:
            _apply(conn, step)
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    return current_version(conn)


def _apply(conn: sqlite3.Connection, step: Migration) -> None:
    try:
        # executescript() runs the BEGIN as a statement, so the whole file and
        # the version bump commit (or fail) together.
        conn.executescript(f"BEGIN IMMEDIATE;\n{step.sql}\n;")
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise MigrationError(f"{step.name} breaks foreign keys: {broken[:3]}")
        conn.execute(f"PRAGMA user_version = {step.version:d}")
        conn.execute("COMMIT")
    except (sqlite3.Error, MigrationError) as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, MigrationError):
            raise
        raise MigrationError(f"migration {step.name} failed: {exc}") from exc
