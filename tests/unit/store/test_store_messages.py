"""MessagesRepo: dedupe, delivery states, outbox, history paging, odd bodies, speed."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

import pytest
from store_helpers import ALICE, BOB, MakeMessage

from siproxylin.core.ports import MessageRepo
from siproxylin.domain.errors import AccountNotFound
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, ChatMessage, DeliveryState, Direction
from siproxylin.store.db import Database
from siproxylin.store.messages import MessagesRepo

OUT = Direction.OUTGOING


def test_implements_the_port(db: Database) -> None:
    repo: MessageRepo = MessagesRepo(db)
    assert repo.conversations(AccountId(1)) == []


def test_add_returns_the_stored_message(messages: MessagesRepo, make_message: MakeMessage) -> None:
    message = make_message("hi", peer=ALICE.with_resource("laptop"), timestamp=12.3456)
    stored = messages.add_message(message)
    assert stored is not None
    assert stored.id > 0
    assert stored.peer == ALICE
    assert stored.timestamp == 12.346  # kept as integer milliseconds
    assert messages.history(message.account, ALICE, 10) == [stored]


def test_duplicate_stanza_id_is_dropped(messages: MessagesRepo, make_message: MakeMessage) -> None:
    assert messages.add_message(make_message("a", stanza_id="s1")) is not None
    assert messages.add_message(make_message("again", stanza_id="s1")) is None
    # the server's stanza-id is unique in the whole account archive
    assert messages.add_message(make_message("b", peer=BOB, stanza_id="s1")) is None
    assert len(messages.history(make_message().account, ALICE, 10)) == 1


def test_duplicate_origin_id_is_dropped_per_conversation_and_direction(
    messages: MessagesRepo, make_message: MakeMessage
) -> None:
    account = make_message().account
    assert messages.add_message(make_message(origin_id="o1")) is not None
    assert messages.add_message(make_message(origin_id="o1")) is None
    assert messages.add_message(make_message(origin_id="o1", direction=OUT)) is not None
    assert messages.add_message(make_message(origin_id="o1", peer=BOB)) is not None
    assert len(messages.history(account, ALICE, 10)) == 2


def test_messages_without_ids_are_never_duplicates(
    messages: MessagesRepo, make_message: MakeMessage
) -> None:
    for _ in range(2):
        assert messages.add_message(make_message("same", origin_id="")) is not None


def test_a_duplicate_by_origin_id_contributes_its_stanza_id(
    messages: MessagesRepo, make_message: MakeMessage
) -> None:
    live = messages.add_message(make_message(origin_id="o1"))
    assert live is not None
    assert messages.add_message(make_message(origin_id="o1", stanza_id="mam-1")) is None
    stored = messages.get_message(live.account, live.id)
    assert stored is not None
    assert stored.stanza_id == "mam-1"
    assert messages.add_message(make_message(origin_id="o2", stanza_id="mam-1")) is None


def test_delivery_state_changes(messages: MessagesRepo, make_message: MakeMessage) -> None:
    sent = messages.add_message(make_message(direction=OUT, origin_id="out-1"))
    assert sent is not None
    assert sent.state is DeliveryState.PENDING
    for state in (DeliveryState.SENT, DeliveryState.ACKED, DeliveryState.FAILED):
        changed = messages.set_delivery_state(sent.account, "out-1", state)
        assert changed is not None
        assert changed.state is state
        assert changed.id == sent.id
        assert changed.direction is OUT
    assert messages.set_delivery_state(sent.account, "nope", DeliveryState.ACKED) is None
    assert messages.set_delivery_state(sent.account, "", DeliveryState.ACKED) is None


def test_delivery_state_ignores_incoming_and_other_accounts(
    messages: MessagesRepo, make_message: MakeMessage
) -> None:
    incoming = messages.add_message(make_message(origin_id="x"))
    assert incoming is not None
    assert messages.set_delivery_state(incoming.account, "x", DeliveryState.ACKED) is None
    other = AccountId(incoming.account + 1)
    messages.add_message(make_message(direction=OUT, origin_id="y"))
    assert messages.set_delivery_state(other, "y", DeliveryState.ACKED) is None


def test_unacked_outgoing_oldest_first(messages: MessagesRepo, make_message: MakeMessage) -> None:
    def add(message: ChatMessage) -> ChatMessage:
        stored = messages.add_message(message)
        assert stored is not None
        return stored

    first = add(make_message(direction=OUT, origin_id="o1"))
    add(make_message("incoming"))
    second = add(make_message(direction=OUT, state=DeliveryState.SENT, peer=BOB))
    add(make_message(direction=OUT, state=DeliveryState.ACKED))
    add(make_message(direction=OUT, state=DeliveryState.FAILED))
    third = add(make_message(direction=OUT, origin_id="o3"))
    account = first.account
    assert [m.id for m in messages.unacked_outgoing(account)] == [
        first.id,
        second.id,
        third.id,
    ]
    messages.set_delivery_state(account, "o1", DeliveryState.ACKED)
    unacked = messages.unacked_outgoing(account)
    assert [m.id for m in unacked] == [second.id, third.id]
    assert unacked[0].peer == BOB
    assert messages.unacked_outgoing(AccountId(account + 1)) == []


def test_history_pages_oldest_first(messages: MessagesRepo, make_message: MakeMessage) -> None:
    stored = [messages.add_message(make_message(f"m{i}")) for i in range(10)]
    messages.add_message(make_message("other peer", peer=BOB))
    ids = [m.id for m in stored if m is not None]
    account = make_message().account
    page = messages.history(account, ALICE, 3)
    assert [m.id for m in page] == ids[-3:]
    assert [m.body for m in page] == ["m7", "m8", "m9"]
    page = messages.history(account, ALICE, 3, before_id=page[0].id)
    assert [m.id for m in page] == ids[-6:-3]
    page = messages.history(account, ALICE, 100, before_id=ids[2])
    assert [m.id for m in page] == ids[:2]
    assert messages.history(account, ALICE, 100, before_id=ids[0]) == []
    assert messages.history(account, ALICE, 0) == []
    assert messages.history(account, Jid.parse("nobody@example.org"), 5) == []
    assert messages.history(AccountId(account + 1), ALICE, 5) == []


def test_conversations_most_recent_first(messages: MessagesRepo, make_message: MakeMessage) -> None:
    account = make_message().account
    messages.add_message(make_message(peer=ALICE, timestamp=1000.0))
    messages.add_message(make_message(peer=BOB, timestamp=2000.0))
    assert messages.conversations(account) == [BOB, ALICE]
    messages.add_message(make_message(peer=ALICE, timestamp=3000.0))
    assert messages.conversations(account) == [ALICE, BOB]


def test_fields_roundtrip(messages: MessagesRepo, make_message: MakeMessage) -> None:
    message = make_message(
        "out", direction=OUT, stanza_id="s", resource="desk", state=DeliveryState.SENT
    )
    group = ChatMessage(
        id=0,
        account=message.account,
        peer=Jid.parse("room@muc.example.org"),
        direction=Direction.INCOMING,
        body="g",
        timestamp=5.0,
        origin_id="g1",
        resource="nick",
        kind=ChatKind.GROUPCHAT,
    )
    for original in (message, group):
        stored = messages.add_message(original)
        assert stored is not None
        assert messages.get_message(original.account, stored.id) == stored
        # The stanza id defaults to the origin-id (ours are the same).
        expected = dataclasses.replace(original, id=stored.id, message_id=original.origin_id)
        assert stored == expected


@pytest.mark.parametrize(
    "body",
    [
        "x" * 1_000_000,
        "\x00nul\x00 inside \x01\x1f",
        "emoji 😀👩‍👩‍👧 rtl שלום combining é",
        "<b>not xml</b> '; DROP TABLE message; --",
        "",
    ],
)
def test_odd_and_huge_bodies_roundtrip(
    messages: MessagesRepo, make_message: MakeMessage, body: str
) -> None:
    stored = messages.add_message(make_message(body))
    assert stored is not None
    assert stored.body == body
    [read] = messages.history(stored.account, ALICE, 1)
    assert read.body == body


def test_lone_surrogates_are_replaced(messages: MessagesRepo, make_message: MakeMessage) -> None:
    stored = messages.add_message(make_message("bad \ud800 text", origin_id="\udfff"))
    assert stored is not None
    assert stored.body == "bad \ufffd text"
    [read] = messages.history(stored.account, ALICE, 1)
    assert read == stored


def test_garbage_timestamps_become_now(messages: MessagesRepo, make_message: MakeMessage) -> None:
    before = time.time()
    for garbage in (float("nan"), float("inf"), 1e300):
        stored = messages.add_message(make_message(timestamp=garbage))
        assert stored is not None
        assert before - 1 <= stored.timestamp <= time.time() + 1


def test_unknown_account(messages: MessagesRepo, make_message: MakeMessage) -> None:
    message = make_message(account_id=AccountId(999))
    with pytest.raises(AccountNotFound):
        messages.add_message(message)


def test_delete_message(messages: MessagesRepo, make_message: MakeMessage) -> None:
    stored = messages.add_message(make_message())
    assert stored is not None
    assert messages.delete_message(stored.account, stored.id)
    assert not messages.delete_message(stored.account, stored.id)
    assert messages.history(stored.account, ALICE, 5) == []


async def test_ten_thousand_incoming_messages_are_cheap(
    db_path: Path, make_message: MakeMessage, messages: MessagesRepo
) -> None:
    peers = [Jid.parse(f"peer{i}@example.org") for i in range(20)]
    batch = [
        make_message(f"message number {i} with a few words", peer=peers[i % 20])
        for i in range(10_000)
    ]
    start = time.perf_counter()
    for i, message in enumerate(batch):
        messages.add_message(message)
        if i % 50 == 49:
            await asyncio.sleep(0)  # let the batched commit run
    per_message = (time.perf_counter() - start) / len(batch)
    # about 35 µs here; the bound leaves room for slow CI machines
    assert per_message < 150e-6, f"{per_message * 1e6:.0f} µs per message"
