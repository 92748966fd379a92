"""AccountsRepo: roundtrip, proxy password in the secret store, cascading removal."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest
from store_helpers import ALICE, BOB, MakeMessage

from siproxylin.core.ports import AccountRepo
from siproxylin.domain.config import (
    AccountConfig,
    LogLevel,
    ProxyConfig,
    ProxyKind,
    TlsPolicy,
)
from siproxylin.domain.errors import AccountNotFound
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import RosterItem
from siproxylin.store.accounts import AccountsRepo
from siproxylin.store.db import Database
from siproxylin.store.messages import MessagesRepo
from siproxylin.store.roster import RosterStore
from siproxylin.store.search import MessageSearch
from siproxylin.store.secrets import MemorySecretStore
from siproxylin.store.settings import Settings

PROXY_PASSWORD = "proxy-secret-4b1d"

FULL = AccountConfig(
    id=AccountId(0),
    jid=Jid.parse("Me@Example.org"),
    resource="desk",
    server_host="xmpp.example.org",
    server_port=5223,
    enabled=False,
    proxy=ProxyConfig(ProxyKind.SOCKS5, "127.0.0.1", 9050, "tor", PROXY_PASSWORD),
    tls=TlsPolicy(ca_file="/etc/ca.pem", direct_tls=True),
    log_level=LogLevel.DEBUG,
    nickname="Me ☺",
)


def _config(jid: str = "me@example.org") -> AccountConfig:
    return AccountConfig(id=AccountId(0), jid=Jid.parse(jid))


def test_implements_the_port(db: Database, secrets: MemorySecretStore) -> None:
    repo: AccountRepo = AccountsRepo(db, secrets)
    assert repo.list_accounts() == []


def test_add_list_update(accounts: AccountsRepo, secrets: MemorySecretStore) -> None:
    first = accounts.add_account(FULL)
    second = accounts.add_account(_config("other@example.net"))
    assert first.id > 0
    assert second.id > first.id
    assert first == dataclasses.replace(FULL, id=first.id)
    assert accounts.list_accounts() == [first, second]
    assert secrets.get_proxy_password(first.id) == PROXY_PASSWORD

    changed = dataclasses.replace(
        first, enabled=True, nickname="new", proxy=ProxyConfig(ProxyKind.HTTP, "h", 1)
    )
    accounts.update_account(changed)
    assert accounts.get_account(first.id) == changed
    assert secrets.get_proxy_password(first.id) is None
    assert accounts.get_account(AccountId(999)) is None


def test_proxy_password_is_not_in_the_database(db_path: Path, secrets: MemorySecretStore) -> None:
    with Database(db_path) as db:
        AccountsRepo(db, secrets).add_account(FULL)
        db.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in db_path.parent.iterdir():
        assert PROXY_PASSWORD.encode() not in path.read_bytes()
    with Database(db_path) as db:
        [stored] = AccountsRepo(db, secrets).list_accounts()
        assert stored.proxy.password == PROXY_PASSWORD
        assert stored.jid == Jid.parse("me@example.org")


def test_unknown_accounts(accounts: AccountsRepo) -> None:
    with pytest.raises(AccountNotFound):
        accounts.update_account(dataclasses.replace(_config(), id=AccountId(42)))
    with pytest.raises(AccountNotFound):
        accounts.remove_account(AccountId(42))


def test_ids_are_never_reused(accounts: AccountsRepo) -> None:
    first = accounts.add_account(_config())
    accounts.remove_account(first.id)
    assert accounts.add_account(_config()).id > first.id


def _fill(db: Database, account: AccountId, make_message: MakeMessage) -> None:
    messages = MessagesRepo(db)
    for i in range(20):
        messages.add_message(
            make_message(f"cascade word {i}", peer=ALICE if i % 2 else BOB, account_id=account)
        )
    RosterStore(db).replace_roster(account, [RosterItem(ALICE), RosterItem(BOB)])
    Settings(db).set("notify", True, account=account)


def _counts(db: Database, account: AccountId) -> dict[str, int]:
    counts = {}
    for table in ("message", "conversation", "roster", "settings"):
        row = db.read_one(f"SELECT count(*) FROM {table} WHERE account_id = ?", (account,))
        assert row is not None
        counts[table] = row[0]
    row = db.read_one("SELECT count(*) FROM content_item")
    assert row is not None
    counts["content_item"] = row[0]
    return counts


def test_remove_cascades(
    db: Database,
    accounts: AccountsRepo,
    secrets: MemorySecretStore,
    account: AccountId,
    make_message: MakeMessage,
) -> None:
    other = accounts.add_account(FULL).id
    _fill(db, account, make_message)
    _fill(db, other, make_message)
    Settings(db).set("global", 1)
    accounts.remove_account(other)
    assert _counts(db, other) == {
        "message": 0,
        "conversation": 0,
        "roster": 0,
        "settings": 0,
        "content_item": 20,  # the remaining account's
    }
    assert _counts(db, account)["message"] == 20
    assert Settings(db).get_int("global") == 1
    assert secrets.get_proxy_password(other) is None
    assert [a.id for a in accounts.list_accounts()] == [account]
    assert len(MessageSearch(db).search(account, "cascade")) == 20
    assert MessageSearch(db).search(other, "cascade") == []
    assert MessageSearch(db).index_ok()


def test_remove_is_one_transaction(
    db: Database, accounts: AccountsRepo, account: AccountId, make_message: MakeMessage
) -> None:
    _fill(db, account, make_message)
    before = _counts(db, account)
    # Make the cascade fail half way: the messages must come back.
    db.connection.execute(
        "CREATE TEMP TRIGGER no_roster_delete BEFORE DELETE ON roster"
        " BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        accounts.remove_account(account)
    assert _counts(db, account) == before
    assert [a.id for a in accounts.list_accounts()] == [account]
    db.connection.execute("DROP TRIGGER no_roster_delete")
    accounts.remove_account(account)
    assert _counts(db, account)["message"] == 0
    # the conversation cache was dropped with the rows: new messages work
    new = accounts.add_account(_config()).id
    assert MessagesRepo(db).add_message(make_message(account_id=new)) is not None
