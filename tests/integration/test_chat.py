"""1:1 chat through a real Prosody: roster, messages, carbons, outbox, bad input."""

from __future__ import annotations

import asyncio
from pathlib import Path

from slixmpp import ClientXMPP

from siproxylin.domain.events import (
    DecisionRequested,
    MessageStored,
    PresenceChanged,
    RosterChanged,
    StanzaRejected,
)
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import (
    Availability,
    ConnectionState,
    DecisionKind,
    DeliveryState,
    Direction,
    OutgoingMessage,
    Subscription,
)
from tests.integration.harness import Client, start_client
from tests.support.prosody import ProsodyServer
from tests.support.xmpp import online


async def client_for(
    prosody: ProsodyServer, root: Path, jid: str, password: str, resource: str = "siproxylin"
) -> Client:
    return await start_client(
        root, jid, password, "127.0.0.1", prosody.c2s_port, str(prosody.ca_file), resource=resource
    )


def stored_bodies(client: Client, peer: Jid) -> list[tuple[Direction, str]]:
    return [(m.direction, m.body) for m in client.app.chat.history(client.account, peer)]


async def test_roster_add_accept_and_presence(prosody: ProsodyServer, tmp_path: Path) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        alice.app.roster.add_contact(alice.account, bob.jid, "Bob")
        question = await bob.log.wait(
            DecisionRequested, lambda e: e.kind is DecisionKind.SUBSCRIPTION
        )
        assert question.subject == str(alice.jid)
        assert bob.app.decisions.resolve(question.decision_id, True)
        # Bob allowed Alice and asked back; Alice had asked first, so she accepts on her own.
        await alice.log.wait(
            RosterChanged,
            lambda e: any(
                i.jid == bob.jid and i.subscription is Subscription.BOTH for i in e.items
            ),
        )
        await bob.log.wait(
            RosterChanged,
            lambda e: any(
                i.jid == alice.jid and i.subscription is Subscription.BOTH for i in e.items
            ),
        )
        await alice.log.wait(
            PresenceChanged,
            lambda e: e.jid == bob.jid and e.availability is Availability.ONLINE,
        )
        assert not alice.log.of(DecisionRequested)
        names = {i.jid: i.name for i in alice.app.roster.roster(alice.account)}
        assert names[bob.jid] == "Bob"
    finally:
        await alice.stop()
        await bob.stop()


async def test_messages_both_ways_are_stored_and_acked(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        sent = alice.app.chat.send_message(alice.account, bob.jid, "Hello Bob ✓")
        got = await bob.log.wait(MessageStored, lambda e: e.message.body == "Hello Bob ✓")
        assert got.message.direction is Direction.INCOMING
        assert got.message.peer == alice.jid
        assert got.message.origin_id == sent.origin_id
        assert got.message.stanza_id  # our server stamped it (XEP-0359)
        await alice.log.wait(
            MessageStored,
            lambda e: (
                e.message.origin_id == sent.origin_id and e.message.state is DeliveryState.ACKED
            ),
        )
        bob.app.chat.send_message(bob.account, alice.jid, "Hi Alice")
        await alice.log.wait(MessageStored, lambda e: e.message.body == "Hi Alice")
        assert stored_bodies(alice, bob.jid) == [
            (Direction.OUTGOING, "Hello Bob ✓"),
            (Direction.INCOMING, "Hi Alice"),
        ]
        assert stored_bodies(bob, alice.jid) == [
            (Direction.INCOMING, "Hello Bob ✓"),
            (Direction.OUTGOING, "Hi Alice"),
        ]
    finally:
        await alice.stop()
        await bob.stop()


async def test_history_survives_restart(prosody: ProsodyServer, tmp_path: Path) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    alice.app.chat.send_message(alice.account, bob.jid, "remember me")
    await bob.log.wait(MessageStored, lambda e: e.message.body == "remember me")
    await bob.stop()
    await alice.stop()
    # Same data folder, new process objects: the account and the history are back.
    again = await start_client(
        tmp_path / "b2",
        b_jid,
        b_pw,
        "127.0.0.1",
        prosody.c2s_port,
        str(prosody.ca_file),
        wait_online=False,
    )
    await again.stop()
    from siproxylin.app.bootstrap import build_application
    from siproxylin.app.paths import resolve_paths

    app = build_application(resolve_paths(data_dir=tmp_path / "b"))
    try:
        await app.start()
        (account,) = app.accounts.accounts()
        assert account.jid == bob.jid
        history = app.chat.history(account.id, alice.jid)
        assert [m.body for m in history] == ["remember me"]
    finally:
        await app.stop()


async def test_carbons_between_two_resources(prosody: ProsodyServer, tmp_path: Path) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob_laptop = await client_for(prosody, tmp_path / "b1", b_jid, b_pw, resource="laptop")
    bob_phone = await client_for(prosody, tmp_path / "b2", b_jid, b_pw, resource="phone")
    try:
        await asyncio.sleep(0.3)  # both resources enabled carbons
        # Bob writes from the laptop: the phone gets a sent carbon.
        bob_laptop.app.chat.send_message(bob_laptop.account, alice.jid, "from laptop")
        carbon = await bob_phone.log.wait(MessageStored, lambda e: e.message.body == "from laptop")
        assert carbon.message.direction is Direction.OUTGOING
        assert carbon.message.peer == alice.jid
        # Alice answers the laptop's full address: the phone gets a received carbon.
        stream = alice.app.accounts.xmpp(alice.account)
        assert stream is not None
        stream.send_message(
            OutgoingMessage(Jid.parse(f"{b_jid}/laptop"), "to the laptop", "carbon-test-1")
        )
        await bob_laptop.log.wait(MessageStored, lambda e: e.message.body == "to the laptop")
        copy = await bob_phone.log.wait(MessageStored, lambda e: e.message.body == "to the laptop")
        assert copy.message.direction is Direction.INCOMING
        assert copy.message.peer == alice.jid
        assert stored_bodies(bob_phone, alice.jid) == [
            (Direction.OUTGOING, "from laptop"),
            (Direction.INCOMING, "to the laptop"),
        ]
    finally:
        for client in (alice, bob_laptop, bob_phone):
            await client.stop()


async def test_outbox_sends_once_after_reenable(prosody: ProsodyServer, tmp_path: Path) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        await alice.app.accounts.set_enabled(alice.account, False)
        queued = alice.app.chat.send_message(alice.account, bob.jid, "written offline")
        assert queued.state is DeliveryState.PENDING
        await asyncio.sleep(0.3)
        assert not [e for e in bob.log.of(MessageStored) if e.message.body == "written offline"]
        await alice.app.accounts.set_enabled(alice.account, True)
        await bob.log.wait(MessageStored, lambda e: e.message.body == "written offline")
        await alice.log.wait(
            MessageStored,
            lambda e: (
                e.message.origin_id == queued.origin_id and e.message.state is DeliveryState.ACKED
            ),
        )
        await asyncio.sleep(0.5)
        assert stored_bodies(bob, alice.jid).count((Direction.INCOMING, "written offline")) == 1
    finally:
        await alice.stop()
        await bob.stop()


async def test_forged_and_oversized_stanzas_are_dropped(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (m_jid, m_pw) = prosody.new_account(), prosody.new_account("mallory")
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    try:
        async with online(prosody, m_jid, m_pw) as mallory:
            _send_raw_message(
                mallory,
                a_jid,
                f"""
                <sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>
                  <message xmlns='jabber:client' type='chat' from='{a_jid}/other' to='{m_jid}'>
                    <body>forged carbon</body></message></forwarded></sent>""",
            )
            _send_raw_message(mallory, a_jid, f"<body>{'x' * 200_000}</body>")
            _send_raw_message(mallory, a_jid, "<body>after the junk</body>", mtype="chat")
            await alice.log.wait(MessageStored, lambda e: e.message.body == "after the junk")
        rejected = alice.log.of(StanzaRejected)
        assert len(rejected) == 2
        bodies = [m.body for m in alice.app.chat.history(alice.account, Jid.parse(m_jid))]
        assert bodies == ["after the junk"]
        assert not alice.app.chat.history(alice.account, Jid.parse(m_jid).bare)[:-1]
        assert alice.app.accounts.status(alice.account).state is ConnectionState.ONLINE
    finally:
        await alice.stop()


def _send_raw_message(client: ClientXMPP, to: str, inner: str, mtype: str = "chat") -> None:
    client.send_raw(f"<message xmlns='jabber:client' type='{mtype}' to='{to}'>{inner}</message>")
