"""Database: pragmas, file permissions, batched commits, transactions, jid table."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from pathlib import Path

import pytest

from siproxylin.domain.ids import Jid
from siproxylin.store.db import Database
from siproxylin.store.settings import Settings


def _count(path: Path) -> int:
    other = sqlite3.connect(path)
    try:
        return int(other.execute("SELECT count(*) FROM settings").fetchone()[0])
    finally:
        other.close()


def test_pragmas_and_private_file(db: Database, db_path: Path) -> None:
    conn = db.connection
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_memory_database_works() -> None:
    with Database() as db:
        Settings(db).set("k", "v")
        assert Settings(db).get_str("k") == "v"


def test_without_a_loop_a_write_is_committed_at_once(db: Database, db_path: Path) -> None:
    Settings(db).set("k", "v")
    assert not db.connection.in_transaction
    assert _count(db_path) == 1


async def test_in_a_loop_writes_are_committed_at_the_end_of_the_turn(
    db: Database, db_path: Path
) -> None:
    settings = Settings(db)
    settings.set("a", 1)
    settings.set("b", 2)
    assert db.connection.in_transaction
    assert _count(db_path) == 0  # another connection does not see it yet
    assert settings.get_int("a") == 1  # this one does
    await asyncio.sleep(0)
    assert not db.connection.in_transaction
    assert _count(db_path) == 2


async def test_close_commits_pending_writes(db_path: Path) -> None:
    db = Database(db_path)
    Settings(db).set("a", 1)
    db.close()
    assert db.closed
    assert _count(db_path) == 1
    await asyncio.sleep(0)  # the scheduled commit finds a closed database
    db.close()  # idempotent


async def test_commit_now(db: Database, db_path: Path) -> None:
    Settings(db).set("a", 1)
    db.commit()
    assert _count(db_path) == 1
    Settings(db).set("b", 1)
    await asyncio.sleep(0)
    assert _count(db_path) == 2


def test_transaction_rolls_back_on_error(db: Database, db_path: Path) -> None:
    settings = Settings(db)
    settings.set("kept", 1)

    def fail_half_way() -> None:
        with db.transaction():
            settings.set("a", 1)
            settings.set("b", 2)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_half_way()
    assert settings.keys() == ["kept"]
    assert _count(db_path) == 1


async def test_nested_transaction_rolls_back_only_the_inner_part(
    db: Database, db_path: Path
) -> None:
    settings = Settings(db)

    def fail_inside() -> None:
        with db.transaction():
            settings.set("inner", 1)
            raise ValueError

    with db.transaction():
        settings.set("outer", 1)
        with pytest.raises(ValueError):
            fail_inside()
        settings.set("after", 1)
        await asyncio.sleep(0)  # no commit in the middle of a transaction
        assert _count(db_path) == 0
    await asyncio.sleep(0)
    assert settings.keys() == ["after", "outer"]
    assert _count(db_path) == 2


def test_rollback_forgets_cached_jid_ids(db: Database) -> None:
    jid = Jid.parse("x@example.org")

    def fail_after_insert() -> None:
        with db.transaction():
            db.jid_id(jid)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_after_insert()
    assert db.find_jid_id(jid) is None
    first = db.jid_id(jid)
    assert db.jid_id(jid) == first
    assert db.jid(first) == jid
    # A full address (a private conversation with a room occupant) is a row of its own.
    occupant = db.jid_id(jid.with_resource("r"))
    assert occupant != first
    assert db.jid(occupant) == jid.with_resource("r")


def test_jid_ids_survive_reopening(db_path: Path) -> None:
    jid = Jid.parse("x@example.org")
    with Database(db_path) as db:
        jid_id = db.jid_id(jid)
    with Database(db_path) as db:
        assert db.find_jid_id(jid) == jid_id
        assert db.jid(jid_id) == jid
        with pytest.raises(KeyError):
            db.jid(jid_id + 1000)
