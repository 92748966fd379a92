"""Message features on the real server, between two accounts and two resources of one.

Receipts, displayed markers, chat states, corrections, replies, reactions,
retractions, threads, /me, blocking; forged corrections, retractions and
reactions ignored; unread counters after restarts and from another device.
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from slixmpp.exceptions import IqError

from siproxylin.domain.config import PrivacyOptions
from siproxylin.domain.events import (
    BlocklistChanged,
    ChatStateChanged,
    DecisionRequested,
    MessageStored,
    RosterChanged,
    UnreadChanged,
)
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import (
    ChatMessage,
    ChatState,
    DecisionKind,
    DeliveryState,
    Direction,
    OutgoingMessage,
    Subscription,
)
from tests.integration.harness import Client, start_client
from tests.support.prosody import ProsodyServer
from tests.support.xmpp import online

pytestmark = pytest.mark.integration

PRIVATE = PrivacyOptions(read_markers=True, chat_states=True)


async def client_for(
    prosody: ProsodyServer,
    root: Path,
    jid: str,
    password: str,
    resource: str = "siproxylin",
    **overrides: Any,
) -> Client:
    return await start_client(
        root,
        jid,
        password,
        "127.0.0.1",
        prosody.c2s_port,
        str(prosody.ca_file),
        resource=resource,
        **overrides,
    )


async def befriend(alice: Client, bob: Client) -> None:
    """Alice and Bob see each other's presence (subscription both)."""
    alice.app.roster.add_contact(alice.account, bob.jid, "")
    question = await bob.log.wait(DecisionRequested, lambda e: e.kind is DecisionKind.SUBSCRIPTION)
    bob.app.decisions.resolve(question.decision_id, True)
    for me, other in ((alice, bob), (bob, alice)):
        await me.log.wait(
            RosterChanged,
            lambda e, o=other: any(  # type: ignore[misc]
                i.jid == o.jid and i.subscription is Subscription.BOTH for i in e.items
            ),
        )


def stored(client: Client, predicate: Any, timeout: float = 10.0, since: int = 0) -> Any:
    """Wait for a MessageStored event (from index ``since``) whose message matches."""
    return client.log.wait(MessageStored, lambda e: predicate(e.message), timeout, since)


def get(client: Client, message_id: int) -> ChatMessage:
    found = client.app.chat._features.get(message_id)
    assert found is not None
    return found


@pytest.fixture
async def trio(prosody: ProsodyServer, tmp_path: Path) -> AsyncIterator[tuple[Client, ...]]:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw, privacy=PRIVATE)
    laptop = await client_for(prosody, tmp_path / "bl", b_jid, b_pw, "laptop", privacy=PRIVATE)
    phone = await client_for(prosody, tmp_path / "bp", b_jid, b_pw, "phone", privacy=PRIVATE)
    try:
        await befriend(alice, laptop)
        await asyncio.sleep(0.2)  # carbons on for both of Bob's resources
        yield alice, laptop, phone
    finally:
        for client in (alice, laptop, phone):
            await client.stop()


async def test_every_feature_round_trips(trio: tuple[Client, Client, Client]) -> None:
    alice, laptop, phone = trio
    chat = alice.app.chat
    bob = laptop.jid

    # Receipt: Bob's clients confirm delivery to a contact that sees their presence.
    sent = chat.send_message(alice.account, bob, "hello")
    on_laptop = (await stored(laptop, lambda m: m.body == "hello")).message
    on_phone = (await stored(phone, lambda m: m.body == "hello")).message
    await stored(alice, lambda m: m.id == sent.id and m.state is DeliveryState.DELIVERED)

    # Correction: both of Bob's devices show the new text, marked edited.
    chat.correct_message(alice.account, sent.id, "hello there")
    for client, copy in ((laptop, on_laptop), (phone, on_phone)):
        await stored(client, lambda m, i=copy.id: m.id == i and m.edited)  # type: ignore[misc]
        assert get(client, copy.id).body == "hello there"

    # Reply with thread: Alice sees what it answers, without the quoted fallback.
    reply = laptop.app.chat.send_message(laptop.account, alice.jid, "hi!", reply_to=on_laptop)
    answer = (await stored(alice, lambda m: m.body == "hi!")).message
    assert answer.reply_to == sent.origin_id
    carbon = (await stored(phone, lambda m: m.origin_id == reply.origin_id)).message
    assert carbon.direction is Direction.OUTGOING
    assert carbon.reply_to == sent.origin_id

    # Reactions: several per person, removal, and the other device of the same account.
    chat.toggle_reaction(alice.account, answer.id, "👍")
    chat.toggle_reaction(alice.account, answer.id, "🎉")
    own = reply.id
    await stored(laptop, lambda m: m.id == own and len(m.reactions) == 2)
    phone_copy = carbon.id
    await stored(phone, lambda m: m.id == phone_copy and len(m.reactions) == 2)
    chat.toggle_reaction(alice.account, answer.id, "👍")
    await stored(laptop, lambda m: m.id == own and [r.emoji for r in m.reactions] == ["🎉"])
    mark = alice.log.mark()
    phone.app.chat.toggle_reaction(phone.account, phone_copy, "🐢")
    reacted = await stored(alice, lambda m: m.id == answer.id and len(m.reactions) == 2, since=mark)
    turtle = next(r for r in reacted.message.reactions if r.emoji == "🐢")
    assert turtle.senders == (str(bob),)
    assert not turtle.own
    # Bob's laptop learns of his phone's reaction as his own.
    mine = await stored(laptop, lambda m: m.id == own and any(r.own for r in m.reactions))
    assert [r.emoji for r in mine.message.reactions if r.own] == ["🐢"]

    # Retraction: gone for Alice and for Bob's other device.
    laptop.app.chat.retract_message(laptop.account, reply.id)
    await stored(alice, lambda m: m.id == answer.id and m.retracted)
    await stored(phone, lambda m: m.id == phone_copy and m.retracted)
    assert get(alice, answer.id).body == ""
    assert not get(alice, answer.id).reactions

    # Displayed marker: Alice's message shows as seen; Bob's phone follows his laptop.
    # (Bob's own reply counted as reading what came before it.)
    assert phone.app.chat.unread_count(phone.account, alice.jid) == 0
    ping = chat.send_message(alice.account, bob, "are you there?")
    await stored(laptop, lambda m: m.body == "are you there?")
    await phone.log.wait(UnreadChanged, lambda e: e.peer == alice.jid and e.count == 1)
    laptop.app.chat.mark_read(laptop.account, alice.jid)
    await stored(alice, lambda m: m.id == ping.id and m.state is DeliveryState.DISPLAYED)
    await phone.log.wait(UnreadChanged, lambda e: e.peer == alice.jid and e.count == 0)
    assert get(alice, sent.id).state is DeliveryState.DISPLAYED

    # Chat states (allowed for these accounts).
    chat.set_composing(alice.account, bob, True)
    typing = await laptop.log.wait(ChatStateChanged, lambda e: e.state is ChatState.COMPOSING)
    assert typing.who == str(alice.jid)
    chat.send_message(alice.account, bob, "/me waves")
    waved = (await stored(laptop, lambda m: m.body == "/me waves")).message
    assert waved.is_action
    await laptop.log.wait(ChatStateChanged, lambda e: e.state is ChatState.ACTIVE)

    # A thread id given by the sender is kept.
    stream = alice.app.accounts.xmpp(alice.account)
    assert stream is not None
    stream.send_message(OutgoingMessage(bob, "in a thread", "thread-msg-1", thread="t-77"))
    threaded = (await stored(laptop, lambda m: m.body == "in a thread")).message
    assert threaded.thread == "t-77"


async def test_forged_corrections_retractions_and_reactions_are_ignored(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    (m_jid, m_pw) = prosody.new_account()
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        async with online(prosody, a_jid, a_pw) as alice, online(prosody, m_jid, m_pw) as mallory:
            alice.send_raw(
                f"<message to='{b_jid}' type='chat' id='a-1'><body>original</body></message>"
            )
            first = (await stored(bob, lambda m: m.body == "original")).message
            mine = bob.app.chat.send_message(bob.account, Jid.parse(a_jid), "bob's own")
            forgeries = [
                # Mallory names Alice's message: not in her conversation with Bob.
                (mallory, "<replace xmlns='urn:xmpp:message-correct:0' id='a-1'/>", "hacked"),
                (mallory, "<retract xmlns='urn:xmpp:message-retract:1' id='a-1'/>", "x"),
                # Alice names Bob's own message: she is not its author.
                (
                    alice,
                    f"<replace xmlns='urn:xmpp:message-correct:0' id='{mine.origin_id}'/>",
                    "y",
                ),
                (
                    alice,
                    f"<retract xmlns='urn:xmpp:message-retract:1' id='{mine.origin_id}'/>",
                    "z",
                ),
                # Reactions to an id that does not exist in the conversation.
                (
                    mallory,
                    "<reactions xmlns='urn:xmpp:reactions:0' id='a-1'>"
                    "<reaction>💩</reaction></reactions>",
                    "",
                ),
            ]
            for sender, payload, body in forgeries:
                text = f"<body>{body}</body>" if body else ""
                sender.send_raw(f"<message to='{b_jid}' type='chat'>{text}{payload}</message>")
            # A normal message after them proves they were processed (in order).
            alice.send_raw(
                f"<message to='{b_jid}' type='chat' id='a-2'><body>after</body></message>"
            )
            await stored(bob, lambda m: m.body == "after")
            assert get(bob, first.id).body == "original"
            assert not get(bob, first.id).edited
            assert not get(bob, first.id).retracted
            assert not get(bob, first.id).reactions
            assert get(bob, mine.id).body == "bob's own"
            assert not get(bob, mine.id).retracted
            assert not any(
                m.body in ("hacked", "x", "y", "z")
                for m in bob.app.chat.history(bob.account, Jid.parse(m_jid))
            )
            # The real author's correction is applied.
            alice.send_raw(
                f"<message to='{b_jid}' type='chat' id='a-3'><body>edited</body>"
                "<replace xmlns='urn:xmpp:message-correct:0' id='a-1'/></message>"
            )
            await stored(bob, lambda m: m.id == first.id and m.body == "edited")
    finally:
        await bob.stop()


async def test_unread_counts_survive_restarts(prosody: ProsodyServer, tmp_path: Path) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    alice = Jid.parse(a_jid)
    try:
        async with online(prosody, a_jid, a_pw) as sender:
            for n in range(3):
                sender.send_raw(f"<message to='{b_jid}' type='chat'><body>n{n}</body></message>")
            await stored(bob, lambda m: m.body == "n2")
        assert bob.app.chat.unread_count(bob.account, alice) == 3
        assert bob.app.chat.unread_counts(bob.account) == {alice: 3}
    finally:
        await bob.stop()
    again = await client_for_existing(tmp_path / "b")
    try:
        assert again.app.chat.unread_counts(again.account) == {alice: 3}
        again.app.chat.mark_read(again.account, alice)
        assert again.app.chat.unread_count(again.account, alice) == 0
    finally:
        await again.stop()
    third = await client_for_existing(tmp_path / "b")
    try:
        assert third.app.chat.unread_counts(third.account) == {}
    finally:
        await third.stop()


async def client_for_existing(root: Path) -> Client:
    """The application on a data folder that already has its account (offline is fine)."""
    from siproxylin.app.bootstrap import build_application
    from siproxylin.app.logs import LogSettings
    from siproxylin.app.paths import resolve_paths
    from siproxylin.domain.events import Event
    from tests.integration.harness import EventLog

    app = build_application(resolve_paths(data_dir=root), LogSettings(), backoff_base=0.2)
    log = EventLog()
    app.bus.subscribe(Event, log.record)
    await app.start()
    [config] = app.accounts.accounts()
    return Client(app, log, config.id, config)


async def test_blocking(prosody: ProsodyServer, tmp_path: Path) -> None:
    (b_jid, b_pw), (m_jid, m_pw) = prosody.new_account(), prosody.new_account()
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    mallory = Jid.parse(m_jid)
    try:
        await bob.log.wait(BlocklistChanged)  # the (empty) list fetched at login
        bob.app.blocking.block(bob.account, mallory)
        await bob.log.wait(BlocklistChanged, lambda e: mallory in e.blocked)
        assert bob.app.blocking.is_blocked(bob.account, mallory.with_resource("x"))
        async with online(prosody, m_jid, m_pw) as sender:
            sender.send_raw(f"<message to='{b_jid}' type='chat'><body>spam</body></message>")
            await asyncio.sleep(0.5)
            assert not any(
                isinstance(e, MessageStored) and e.message.body == "spam" for e in bob.log.events
            )
            mark = bob.log.mark()
            bob.app.blocking.unblock(bob.account, mallory)
            await bob.log.wait(BlocklistChanged, lambda e: mallory not in e.blocked, since=mark)
            sender.send_raw(f"<message to='{b_jid}' type='chat'><body>hello</body></message>")
            await stored(bob, lambda m: m.body == "hello")
    finally:
        await bob.stop()


async def test_read_positions_follow_our_other_devices_privately(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    """With read markers off (the default), a conversation read on one device is read
    on the other through our private XEP-0490 node, and the contact learns nothing."""
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    laptop = await client_for(prosody, tmp_path / "bl", b_jid, b_pw, "laptop")
    phone = await client_for(prosody, tmp_path / "bp", b_jid, b_pw, "phone")
    alice = Jid.parse(a_jid)
    try:
        async with online(prosody, a_jid, a_pw) as sender:
            for n in range(2):
                sender.send_raw(f"<message to='{b_jid}' type='chat'><body>r{n}</body></message>")
            await stored(laptop, lambda m: m.body == "r1")
            await stored(phone, lambda m: m.body == "r1")
            assert phone.app.chat.unread_count(phone.account, alice) == 2
            laptop.app.chat.mark_read(laptop.account, alice)
            await phone.log.wait(UnreadChanged, lambda e: e.peer == alice and e.count == 0)
            # Nothing went to Alice: no marker, and the node is closed to her.
            got: list[str] = []
            sender.add_event_handler("message", lambda m: got.append(str(m)))
            iq = sender.Iq(stype="get", sto=b_jid)
            iq.xml.append(
                ET.fromstring(
                    "<pubsub xmlns='http://jabber.org/protocol/pubsub'>"
                    "<items node='urn:xmpp:mds:displayed:0'/></pubsub>"
                )
            )
            with pytest.raises(IqError):
                await iq.send(timeout=5)
            assert not any("chat-markers" in text for text in got)
        # A device that starts later fetches the position.
        third = await client_for(prosody, tmp_path / "bt", b_jid, b_pw, "tablet")
        try:
            await stored(third, lambda m: m.body == "r1", timeout=15)  # from the archive
            await third.log.wait(UnreadChanged, lambda e: e.peer == alice and e.count == 0)
        finally:
            await third.stop()
    finally:
        await laptop.stop()
        await phone.stop()
