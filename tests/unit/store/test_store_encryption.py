"""Encryption per message and per conversation in the real store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from siproxylin.domain.config import AccountConfig
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, ChatMessage, Direction, Encryption
from siproxylin.store.accounts import AccountsRepo
from siproxylin.store.db import Database
from siproxylin.store.encryption_state import EncryptionState
from siproxylin.store.messages import MessagesRepo
from siproxylin.store.secrets import MemorySecretStore

ALICE = Jid.parse("alice@example.org")
ROOM = Jid.parse("room@conference.example.org")


@pytest.fixture
def db() -> Iterator[Database]:
    database = Database()
    yield database
    database.close()


@pytest.fixture
def account(db: Database) -> AccountId:
    repo = AccountsRepo(db, MemorySecretStore())
    return repo.add_account(AccountConfig(AccountId(0), Jid.parse("me@example.org"))).id


def test_the_choice_is_remembered_per_conversation(db: Database, account: AccountId) -> None:
    state = EncryptionState(db)
    assert state.get(account, ALICE, ChatKind.CHAT) is None  # never chosen
    state.set(account, ALICE, ChatKind.CHAT, True)
    assert state.get(account, ALICE, ChatKind.CHAT) is True
    assert state.get(account, ROOM, ChatKind.GROUPCHAT) is None
    # Messages stored later keep using the same conversation row and its choice.
    MessagesRepo(db).add_message(
        ChatMessage(0, account, ALICE, Direction.INCOMING, "hi", 1.0, "o-1")
    )
    state.set(account, ALICE, ChatKind.CHAT, False)
    assert EncryptionState(db).get(account, ALICE, ChatKind.CHAT) is False


def test_encryption_and_decryption_errors_round_trip(db: Database, account: AccountId) -> None:
    repo = MessagesRepo(db)
    stored = repo.add_message(
        ChatMessage(
            0,
            account,
            ALICE,
            Direction.INCOMING,
            "This message could not be decrypted.",
            1.0,
            "o-1",
            encryption=Encryption.OMEMO2,
            decryption_error="tampered ciphertext",
        )
    )
    assert stored is not None
    [read] = repo.history(account, ALICE, 10)
    assert read == stored
    assert (read.encryption, read.decryption_error) == (Encryption.OMEMO2, "tampered ciphertext")
