"""Corrections, retractions, reactions, delivery marks and read positions in the real store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from siproxylin.domain.config import AccountConfig
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    ChatKind,
    ChatMessage,
    DeliveryState,
    Direction,
    Reaction,
)
from siproxylin.store.accounts import AccountsRepo
from siproxylin.store.db import Database
from siproxylin.store.message_features import MessageFeatures
from siproxylin.store.messages import MessagesRepo
from siproxylin.store.read_state import ReadState
from siproxylin.store.search import MessageSearch
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


def add(
    db: Database,
    account: AccountId,
    body: str,
    t: float,
    direction: Direction = Direction.INCOMING,
    peer: Jid = ALICE,
    **fields: object,
) -> ChatMessage:
    message = ChatMessage(
        id=0,
        account=account,
        peer=peer,
        direction=direction,
        body=body,
        timestamp=t,
        origin_id=f"o-{body}",
        state=DeliveryState.SENT if direction is Direction.OUTGOING else DeliveryState.RECEIVED,
        **fields,  # type: ignore[arg-type]
    )
    stored = MessagesRepo(db).add_message(message)
    assert stored is not None
    return stored


def test_targets_are_found_by_stanza_id_in_rooms_and_by_id_in_chats(
    db: Database, account: AccountId
) -> None:
    features = MessageFeatures(db)
    chat = add(db, account, "chat", 1.0, message_id="m-1")
    room = add(
        db, account, "room", 2.0, peer=ROOM, kind=ChatKind.GROUPCHAT, stanza_id="rs-1", resource="x"
    )
    assert features.find_target(account, ALICE, ChatKind.CHAT, "m-1") == chat
    assert features.find_target(account, ALICE, ChatKind.CHAT, "o-chat") == chat
    assert features.find_target(account, ROOM, ChatKind.GROUPCHAT, "rs-1") == room
    # Another conversation's message is never a target.
    assert features.find_target(account, ROOM, ChatKind.GROUPCHAT, "m-1") is None
    assert features.find_target(account, ALICE, ChatKind.CHAT, "rs-1") is None
    assert features.find_target(account, ALICE, ChatKind.CHAT, "") is None


def test_correction_keeps_the_earlier_body_and_updates_search(
    db: Database, account: AccountId
) -> None:
    features = MessageFeatures(db)
    message = add(db, account, "helo", 1.0)
    corrected = features.correct(message.id, "hello", 2.0)
    assert corrected is not None
    assert (corrected.body, corrected.edited) == ("hello", True)
    assert features.edits(message.id) == ["helo"]
    search = MessageSearch(db)
    assert [h.message.id for h in search.search_hits("hello")] == [message.id]
    assert search.search_hits("helo") == []


def test_retraction_erases_body_edits_and_reactions(db: Database, account: AccountId) -> None:
    features = MessageFeatures(db)
    message = add(db, account, "secret", 1.0)
    features.correct(message.id, "secret 2", 2.0)
    features.set_reactions(message.id, "bob", "bob", False, ("👍",), 3.0)
    retracted = features.retract(message.id, moderated_by="mod")
    assert retracted is not None
    assert (retracted.body, retracted.retracted, retracted.retracted_by) == ("", True, "mod")
    assert retracted.reactions == ()
    assert features.edits(message.id) == []
    assert MessageSearch(db).search_hits("secret") == []
    assert features.correct(message.id, "back", 4.0) is None  # no correcting it back


def test_reactions_per_person_replace_and_remove(db: Database, account: AccountId) -> None:
    features = MessageFeatures(db)
    message = add(db, account, "nice", 1.0)
    features.set_reactions(message.id, "bob", "Bob", False, ("👍", "🎉"), 2.0)
    features.set_reactions(message.id, "own", "me", True, ("👍",), 3.0)
    got = features.get(message.id)
    assert got is not None
    assert got.reactions == (
        Reaction("👍", ("Bob", "me"), own=True),
        Reaction("🎉", ("Bob",), own=False),
    )
    assert features.own_reactions(message.id) == ("👍",)
    features.set_reactions(message.id, "bob", "Bob", False, (), 4.0)
    got = features.get(message.id)
    assert got is not None
    assert got.reactions == (Reaction("👍", ("me",), own=True),)
    [page] = features.with_reactions(MessagesRepo(db).history(account, ALICE, 10))
    assert page.reactions == got.reactions


def test_delivery_marks_only_move_forward(db: Database, account: AccountId) -> None:
    features = MessageFeatures(db)
    repo = MessagesRepo(db)
    first = add(db, account, "one", 1.0, Direction.OUTGOING)
    second = add(db, account, "two", 2.0, Direction.OUTGOING)
    third = add(db, account, "three", 3.0, Direction.OUTGOING)
    delivered = features.mark_delivered(first)
    assert delivered is not None
    assert delivered.state is DeliveryState.DELIVERED
    changed = features.mark_displayed(second)
    assert [m.id for m in changed] == [first.id, second.id]
    assert all(m.state is DeliveryState.DISPLAYED for m in changed)
    # A late server ack or receipt does not move a seen message back.
    assert repo.set_delivery_state(account, first.origin_id, DeliveryState.ACKED) is None
    assert features.mark_delivered(first) is None
    assert features.get(third.id).state is DeliveryState.SENT  # type: ignore[union-attr]


def test_read_position_and_unread_counts(db: Database, account: AccountId) -> None:
    read = ReadState(db)
    first = add(db, account, "a", 1.0)
    add(db, account, "b", 2.0)
    add(db, account, "mine", 2.5, Direction.OUTGOING)
    third = add(db, account, "c", 3.0)
    add(db, account, "room", 1.0, peer=ROOM, kind=ChatKind.GROUPCHAT, resource="x")
    assert read.unread_count(account, ALICE) == 3
    assert read.unread_counts(account) == {ALICE: 3, ROOM: 1}
    assert read.mark_read(first)
    assert read.unread_count(account, ALICE) == 2
    # An archive page stored later with an older message does not make it unread...
    add(db, account, "old", 0.5)
    assert read.unread_count(account, ALICE) == 2
    # ...and a position never moves back.
    assert read.mark_read(third)
    assert not read.mark_read(first)
    assert read.unread_count(account, ALICE) == 0
    # Retracted messages are not counted.
    newer = add(db, account, "d", 4.0)
    MessageFeatures(db).retract(newer.id)
    assert read.unread_count(account, ALICE) == 0


def test_history_is_in_time_order_even_when_older_messages_arrive_later(
    db: Database, account: AccountId
) -> None:
    repo = MessagesRepo(db)
    add(db, account, "live", 10.0)
    add(db, account, "archived", 5.0)
    newest = add(db, account, "newest", 11.0)
    assert [m.body for m in repo.history(account, ALICE, 10)] == ["archived", "live", "newest"]
    assert [m.body for m in repo.history(account, ALICE, 10, before_id=newest.id)] == [
        "archived",
        "live",
    ]
    assert [m.body for m in repo.history(account, ALICE, 1, before_id=newest.id)] == ["live"]
