"""Fixtures for the store tests: a database file, repositories, message factory."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_helpers import ALICE, MakeMessage

from siproxylin.domain.config import AccountConfig
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatMessage, DeliveryState, Direction
from siproxylin.store.accounts import AccountsRepo
from siproxylin.store.db import Database
from siproxylin.store.messages import MessagesRepo
from siproxylin.store.secrets import MemorySecretStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "siproxylin.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = Database(db_path)
    yield database
    database.close()


@pytest.fixture
def secrets() -> MemorySecretStore:
    return MemorySecretStore()


@pytest.fixture
def accounts(db: Database, secrets: MemorySecretStore) -> AccountsRepo:
    return AccountsRepo(db, secrets)


@pytest.fixture
def account(accounts: AccountsRepo) -> AccountId:
    config = AccountConfig(id=AccountId(0), jid=Jid.parse("me@example.org"))
    return accounts.add_account(config).id


@pytest.fixture
def messages(db: Database) -> MessagesRepo:
    return MessagesRepo(db)


@pytest.fixture
def make_message(account: AccountId) -> MakeMessage:
    counter = itertools.count(1)

    def make(
        body: str = "hello",
        *,
        peer: Jid = ALICE,
        direction: Direction = Direction.INCOMING,
        origin_id: str | None = None,
        stanza_id: str = "",
        state: DeliveryState | None = None,
        timestamp: float | None = None,
        account_id: AccountId | None = None,
        resource: str = "phone",
    ) -> ChatMessage:
        n = next(counter)
        if state is None:
            outgoing = direction is Direction.OUTGOING
            state = DeliveryState.PENDING if outgoing else DeliveryState.RECEIVED
        return ChatMessage(
            id=0,
            account=account if account_id is None else account_id,
            peer=peer,
            direction=direction,
            body=body,
            timestamp=1_700_000_000.0 + n if timestamp is None else timestamp,
            origin_id=f"origin-{n}" if origin_id is None else origin_id,
            stanza_id=stanza_id,
            resource=resource,
            state=state,
        )

    return make
