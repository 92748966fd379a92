"""OMEMO (XEP-0384) between real clients on a real Prosody: both namespaces, archives,
new devices, rooms, and bad ciphertexts that must not cost later messages."""

from __future__ import annotations

import asyncio
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from siproxylin.app.bootstrap import build_application
from siproxylin.app.logs import LogSettings
from siproxylin.app.paths import resolve_paths
from siproxylin.domain.config import LogLevel
from siproxylin.domain.events import (
    Event,
    MessageErrorReceived,
    MessageReceived,
    MessageStored,
    OccupantsChanged,
    RoomJoined,
)
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import (
    Affiliation,
    ChatKind,
    ConnectionState,
    Encryption,
    OmemoDevice,
    OutgoingMessage,
    RoomConfig,
    TrustLevel,
)
from siproxylin.xmpp.client import XmppClient
from siproxylin.xmpp.omemo.engine import FALLBACK_BODY, NOTICE
from siproxylin.xmpp.omemo.plugin import NS_LEGACY, NS_OMEMO2
from tests.integration.harness import Client, EventLog, start_client
from tests.support.prosody import ProsodyServer

pytestmark = [pytest.mark.integration, pytest.mark.omemo]


async def client_for(
    prosody: ProsodyServer, root: Path, jid: str, password: str, resource: str = "siproxylin"
) -> Client:
    client = await start_client(
        root, jid, password, "127.0.0.1", prosody.c2s_port, str(prosody.ca_file), resource=resource
    )
    await asyncio.wait_for(xmpp(client).omemo.engine.manager(), 30)  # keys published
    return client


def xmpp(client: Client) -> Any:
    session = client.app.accounts.xmpp(client.account)
    assert isinstance(session, XmppClient)
    assert session.omemo is not None
    return session


def send(client: Client, to: Jid, body: str, **options: Any) -> str:
    origin = uuid.uuid4().hex
    xmpp(client).send_message(OutgoingMessage(to, body, origin, encrypted=True, **options))
    return origin


async def received(
    client: Client, body: str, since: int = 0, timeout: float = 20
) -> MessageReceived:
    return await client.log.wait(
        MessageReceived, lambda e: e.body == body and not e.outgoing, timeout, since=since
    )


def capture_outgoing(client: Client) -> list[ET.Element]:
    """Record every <message/> the client writes (after encryption)."""
    sent: list[ET.Element] = []
    session = xmpp(client)
    original = session._send_xml

    def spy(xml: ET.Element) -> None:
        sent.append(xml)
        original(xml)

    session._send_xml = spy
    return sent


async def restart(client: Client, root: Path) -> Client:
    """Start the application again on the same data (account, keys, history)."""
    app = build_application(
        resolve_paths(data_dir=root), LogSettings(LogLevel.DEBUG, protocol=True), backoff_base=0.2
    )
    log = EventLog()
    app.bus.subscribe(Event, log.record)
    again = Client(app, log, client.account, client.config)
    await app.start()
    await again.wait_state(ConnectionState.ONLINE, timeout=20)
    await asyncio.wait_for(xmpp(again).omemo.engine.manager(), 30)
    return again


async def devices_of(client: Client, jid: Jid, count: int, timeout: float = 15) -> None:
    """Wait until ``client`` knows ``count`` devices of ``jid`` (PEP notifications)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        known = await xmpp(client).omemo_devices(jid)
        if len(known) >= count:
            return
        assert loop.time() < deadline, f"{client.jid} knows {len(known)} devices of {jid}"
        await asyncio.sleep(0.2)


def only(client: Client, *namespaces: str) -> None:
    xmpp(client).omemo.engine.send_namespaces = namespaces


async def test_one_to_one_both_ways_newest_namespace(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        wire = capture_outgoing(alice)
        send(alice, bob.jid, "hello <bob> & co")
        got = await received(bob, "hello <bob> & co")
        assert got.encryption is Encryption.OMEMO2
        assert got.decryption_error == ""
        assert got.sender.bare == alice.jid
        stanza = next(x for x in wire if x.find("{jabber:client}body") is not None)
        assert stanza.find(f"{{{NS_OMEMO2}}}encrypted") is not None
        assert stanza.findtext("{jabber:client}body") == FALLBACK_BODY
        assert b"hello" not in ET.tostring(stanza)
        eme = stanza.find("{urn:xmpp:eme:0}encryption")
        assert eme is not None
        assert eme.get("namespace") == NS_OMEMO2
        assert stanza.find("{urn:xmpp:hints}store") is not None
        send(bob, alice.jid, "hi alice")
        back = await received(alice, "hi alice")
        assert back.encryption is Encryption.OMEMO2
    finally:
        await alice.stop()
        await bob.stop()


async def test_legacy_namespace_both_ways(prosody: ProsodyServer, tmp_path: Path) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        only(alice, NS_LEGACY)
        only(bob, NS_LEGACY)
        wire = capture_outgoing(alice)
        send(alice, bob.jid, "old school")
        got = await received(bob, "old school")
        assert got.encryption is Encryption.OMEMO
        stanza = next(x for x in wire if x.find("{jabber:client}body") is not None)
        assert stanza.find(f"{{{NS_LEGACY}}}encrypted") is not None
        assert stanza.find(f"{{{NS_OMEMO2}}}encrypted") is None
        eme = stanza.find("{urn:xmpp:eme:0}encryption")
        assert eme is not None
        assert eme.get("namespace") == NS_LEGACY
        # A correction: legacy OMEMO hides the body only, the <replace/> travels in clear.
        send(alice, bob.jid, "old school, fixed", replaces=got.message_id)
        fixed = await received(bob, "old school, fixed")
        assert fixed.replaces == got.message_id
        assert fixed.encryption is Encryption.OMEMO
        send(bob, alice.jid, "legacy back")
        back = await received(alice, "legacy back")
        assert back.encryption is Encryption.OMEMO
    finally:
        await alice.stop()
        await bob.stop()


async def test_omemo2_hides_reply_and_correction_in_the_envelope(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        only(alice, NS_OMEMO2)
        send(alice, bob.jid, "v1")
        original = await received(bob, "v1")
        wire = capture_outgoing(alice)
        send(alice, bob.jid, "v2", replaces=original.message_id, reply_to="m-1")
        fixed = await received(bob, "v2")
        assert fixed.encryption is Encryption.OMEMO2
        assert fixed.replaces == original.message_id
        assert fixed.reply_to == "m-1"
        stanza = next(x for x in wire if x.find("{jabber:client}body") is not None)
        assert stanza.find("{urn:xmpp:message-correct:0}replace") is None  # inside only
        assert stanza.find("{urn:xmpp:reply:0}reply") is None
    finally:
        await alice.stop()
        await bob.stop()


async def test_our_other_device_reads_what_we_sent(prosody: ProsodyServer, tmp_path: Path) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    laptop = await client_for(prosody, tmp_path / "laptop", a_jid, a_pw, resource="laptop")
    phone = await client_for(prosody, tmp_path / "phone", a_jid, a_pw, resource="phone")
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        await devices_of(laptop, laptop.jid, 1)
        for namespace in (NS_OMEMO2, NS_LEGACY):
            only(laptop, namespace)
            body = f"from the laptop ({namespace})"
            send(laptop, bob.jid, body)
            await received(bob, body)
            carbon = await phone.log.wait(
                MessageReceived, lambda e, body=body: e.body == body and e.outgoing
            )
            assert carbon.encryption is (
                Encryption.OMEMO2 if namespace == NS_OMEMO2 else Encryption.OMEMO
            )
            assert carbon.recipient.bare == bob.jid
    finally:
        for client in (laptop, phone, bob):
            await client.stop()


async def test_a_new_device_joins_mid_conversation(prosody: ProsodyServer, tmp_path: Path) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b1", b_jid, b_pw, resource="desk")
    bob2: Client | None = None
    try:
        send(alice, bob.jid, "before")
        await received(bob, "before")
        send(bob, alice.jid, "reply before")
        await received(alice, "reply before")
        bob2 = await client_for(prosody, tmp_path / "b2", b_jid, b_pw, resource="phone")
        await devices_of(alice, bob.jid, 2)
        send(alice, bob.jid, "after")
        assert (await received(bob, "after")).encryption is Encryption.OMEMO2
        assert (await received(bob2, "after")).encryption is Encryption.OMEMO2
        send(bob2, alice.jid, "from the new phone")
        assert (await received(alice, "from the new phone")).decryption_error == ""
    finally:
        for client in (alice, bob, bob2):
            if client is not None:
                await client.stop()


async def test_offline_messages_come_from_the_archive_decrypted_once(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        send(alice, bob.jid, "while online")
        await received(bob, "while online")
        # Ours, in the archive too: never encrypted for the device that wrote it.
        send(bob, alice.jid, "bob wrote this")
        await received(alice, "bob wrote this")
        await bob.stop()
        bodies = [f"offline {n}" for n in range(5)]
        for number, body in enumerate(bodies):
            only(alice, NS_LEGACY if number % 2 else NS_OMEMO2)
            send(alice, bob.jid, body)
        await asyncio.sleep(0.5)
        bob = await restart(bob, tmp_path / "b")
        for body in bodies:
            await bob.log.wait(MessageStored, lambda e, body=body: e.message.body == body, 30)
        await asyncio.sleep(1.0)  # the archive catch-up brings the same messages again
        history = bob.app.chat.history(bob.account, alice.jid)
        # Each exactly once (archive stamps have whole seconds: order within one may vary).
        # (What bob wrote was sent past the chat service here, so it is not stored.)
        assert sorted(m.body for m in history) == sorted(["while online", *bodies])
        failed = [e for e in bob.log.of(MessageReceived) if e.decryption_error]
        assert failed == []
        assert any(e.archived for e in bob.log.of(MessageReceived))
    finally:
        await alice.stop()
        await bob.stop()


async def test_stopping_in_the_middle_of_a_burst_loses_nothing(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    """bob quits while alice's encrypted burst is arriving (live, archive, both in
    flight) and starts again: every message is there once, none undecrypted."""
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        send(alice, bob.jid, "hello")
        await received(bob, "hello")
        send(bob, alice.jid, "hi")
        await received(alice, "hi")
        bodies = [f"burst {n}" for n in range(60)]
        for number, body in enumerate(bodies):
            only(alice, NS_LEGACY if number % 2 else NS_OMEMO2)
            send(alice, bob.jid, body)
        await received(bob, "burst 5", timeout=30)
        await bob.stop()
        bob = await restart(bob, tmp_path / "b")
        expected = sorted(["hello", *bodies])

        def stored() -> list[str]:
            return sorted(m.body for m in bob.app.chat.history(bob.account, alice.jid))

        async with asyncio.timeout(30):
            while stored() != expected:  # noqa: ASYNC110 - the store has no event for this
                await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # time for a duplicate to show up
        history = [m.body for m in bob.app.chat.history(bob.account, alice.jid)]
        assert sorted(history) == expected
        assert not [e for e in bob.log.of(MessageReceived) if e.decryption_error]
    finally:
        await alice.stop()
        await bob.stop()


async def test_bad_ciphertexts_cost_no_later_message(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        send(alice, bob.jid, "first")
        await received(bob, "first")
        engine = xmpp(alice).omemo.engine
        for namespace in (NS_OMEMO2, NS_LEGACY):
            only(alice, namespace)
            encrypted_tag = f"{{{namespace}}}encrypted"
            # A tampered payload.
            clear = ET.Element("{jabber:client}message", {"to": str(bob.jid), "type": "chat"})
            clear.set("id", uuid.uuid4().hex)
            ET.SubElement(clear, "{jabber:client}body").text = "tampered"
            stanza = await engine.encrypt(clear, [bob.jid], bob.jid)
            payload = stanza.find(f"{encrypted_tag}/{{{namespace}}}payload")
            assert payload is not None
            assert payload.text
            raw = bytearray(payload.text.encode())
            raw[4] = ord("A") if raw[4] != ord("A") else ord("B")
            payload.text = raw.decode()
            xmpp(alice)._send_xml(stanza)
            # A message for some other device only.
            clear.set("id", uuid.uuid4().hex)
            stanza = await engine.encrypt(clear, [bob.jid], bob.jid)
            for key in stanza.iter(f"{{{namespace}}}key"):
                key.set("rid", "12345")
            xmpp(alice)._send_xml(stanza)
            after = f"after the bad ones ({namespace})"
            send(alice, bob.jid, after)
            assert (await received(bob, after)).decryption_error == ""
        bad = [e for e in bob.log.of(MessageReceived) if e.decryption_error]
        assert len(bad) == 4
        assert all(e.body == NOTICE for e in bad)
        assert all("tampered" not in e.body for e in bob.log.of(MessageReceived))
        assert any("not encrypted for this device" in e.decryption_error for e in bad)
    finally:
        await alice.stop()
        await bob.stop()


async def test_nothing_is_sent_without_a_device_to_encrypt_for(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, _b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    try:
        wire = capture_outgoing(alice)
        origin = send(alice, Jid.parse(b_jid), "secret words")
        error = await alice.log.wait(MessageErrorReceived, lambda e: e.origin_id == origin)
        assert "no trusted OMEMO device" in error.detail
        assert all(b"secret words" not in ET.tostring(x) for x in wire)
    finally:
        await alice.stop()


async def test_a_members_only_room_with_three_members(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw), (c_jid, c_pw), (d_jid, d_pw) = (
        prosody.new_account() for _ in range(4)
    )
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    carol = await client_for(prosody, tmp_path / "c", c_jid, c_pw)
    dave = await client_for(prosody, tmp_path / "d", d_jid, d_pw)  # a member, not in the room
    room = Jid.parse(f"omemo-{uuid.uuid4().hex[:8]}@{prosody.muc_domain}")
    try:
        config = RoomConfig(members_only=True, non_anonymous=True, persistent=True)
        await alice.app.rooms.create(alice.account, room, "Alice", config)
        await alice.log.wait(RoomJoined, lambda e: e.room == room)
        for member in (bob, carol, dave):
            await xmpp(alice).set_affiliation(room, member.jid, Affiliation.MEMBER)
        for member, nick in ((bob, "Bob"), (carol, "Carol")):
            await member.app.rooms.join(member.account, room, nick, remember=False)
            await member.log.wait(RoomJoined, lambda e: e.room == room)
        for client in (alice, bob, carol):
            await client.log.wait(
                OccupantsChanged,
                lambda e, c=client: len(c.app.rooms.occupants(c.account, room)) == 3,
            )
        assert await xmpp(alice).can_encrypt(room)
        wire = capture_outgoing(alice)
        for sender, body in ((alice, "room secret"), (bob, "bob to the room")):
            marks = {c.jid: c.log.mark() for c in (alice, bob, carol)}
            origin = uuid.uuid4().hex
            xmpp(sender).send_message(
                OutgoingMessage(room, body, origin, kind=ChatKind.GROUPCHAT, encrypted=True)
            )
            for client in (alice, bob, carol):
                got = await client.log.wait(
                    MessageReceived, lambda e, body=body: e.body == body, since=marks[client.jid]
                )
                assert got.encryption is Encryption.OMEMO2
                assert got.decryption_error == ""
        # The owner reads the member list: dave, offline from the room, can read it later.
        stanza = next(x for x in wire if x.get("type") == "groupchat")
        rids = {int(k.get("rid", "0")) for k in stanza.iter(f"{{{NS_OMEMO2}}}key")}
        dave_device = (await xmpp(dave).omemo.engine.manager()).get_own_device_information
        assert (await dave_device())[0].device_id in rids
        assert b"room secret" not in ET.tostring(stanza)
        # bob leaves; dave joins and reads both from the room's archive (bob's real
        # address comes from the archive, not from a current occupant).
        await bob.app.rooms.leave(bob.account, room)
        await alice.log.wait(
            OccupantsChanged, lambda e: len(alice.app.rooms.occupants(alice.account, room)) == 2
        )
        mark = dave.log.mark()
        await dave.app.rooms.join(dave.account, room, "Dave", remember=False)
        for body in ("room secret", "bob to the room"):
            got = await dave.log.wait(MessageReceived, lambda e, b=body: e.body == b, since=mark)
            assert got.encryption is Encryption.OMEMO2
            assert got.decryption_error == ""
    finally:
        for client in (alice, bob, carol, dave):
            await client.stop()


class RecordingPolicy:
    """A TrustPolicy that answers from a table and records what it was asked."""

    def __init__(self, answer: TrustLevel) -> None:
        self.answer = answer
        self.asked: list[tuple[Jid, tuple[int, ...]]] = []

    async def decide(
        self, account: Any, jid: Jid, devices: tuple[OmemoDevice, ...]
    ) -> dict[int, TrustLevel]:
        self.asked.append((jid, tuple(d.device_id for d in devices)))
        assert all(len(d.fingerprint) == 64 for d in devices)
        return {d.device_id: self.answer for d in devices}


async def test_trust_decisions_are_respected(prosody: ProsodyServer, tmp_path: Path) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b1", b_jid, b_pw, resource="desk")
    bob2: Client | None = None
    try:
        plugin = xmpp(alice).stream.plugin["xep_0384"]
        # Asked about bob's first device: distrusted, so nothing goes out.
        plugin.trust_policy = RecordingPolicy(TrustLevel.DISTRUSTED)
        origin = send(alice, bob.jid, "not for a distrusted device")
        error = await alice.log.wait(MessageErrorReceived, lambda e: e.origin_id == origin)
        assert "no trusted OMEMO device" in error.detail
        assert plugin.trust_policy.asked == [
            (bob.jid, tuple(d.device_id for d in await xmpp(alice).omemo_devices(bob.jid)))
        ]
        # The user verifies it by fingerprint.
        (device,) = await xmpp(alice).omemo_devices(bob.jid)
        assert device.trust is TrustLevel.DISTRUSTED
        assert device.fingerprint == xmpp(bob).own_fingerprint()
        await xmpp(alice).set_device_trust(bob.jid, device.device_id, TrustLevel.VERIFIED)
        assert (await xmpp(alice).omemo_devices(bob.jid))[0].trust is TrustLevel.VERIFIED
        send(alice, bob.jid, "verified")
        assert (await received(bob, "verified")).decryption_error == ""
        # A new device of a verified contact is not trusted silently: the policy is asked.
        policy = RecordingPolicy(TrustLevel.DISTRUSTED)
        plugin.trust_policy = policy
        bob2 = await client_for(prosody, tmp_path / "b2", b_jid, b_pw, resource="phone")
        await devices_of(alice, bob.jid, 2)
        send(alice, bob.jid, "only the desk")
        await received(bob, "only the desk")
        assert [jid for jid, _ids in policy.asked] == [bob.jid]
        notice = await bob2.log.wait(MessageReceived, lambda e: e.body == NOTICE)
        assert notice.decryption_error == "not encrypted for this device"
        # bob distrusts alice's device: her messages are flagged, not shown.
        (alices,) = await xmpp(bob).omemo_devices(alice.jid)
        await xmpp(bob).set_device_trust(alice.jid, alices.device_id, TrustLevel.DISTRUSTED)
        mark = bob.log.mark()
        send(alice, bob.jid, "from a distrusted device")
        flagged = await bob.log.wait(MessageReceived, lambda e: e.body == NOTICE, since=mark)
        assert flagged.decryption_error == "the sender's device is distrusted"
    finally:
        for client in (alice, bob, bob2):
            if client is not None:
                await client.stop()


async def test_a_burst_is_encrypted_and_read_in_order(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        wire = capture_outgoing(alice)
        bodies = [f"burst {n}" for n in range(40)]
        for number, body in enumerate(bodies):
            only(alice, NS_LEGACY if number % 3 == 0 else NS_OMEMO2)
            send(alice, bob.jid, body)
        await received(bob, bodies[-1])
        await asyncio.sleep(0.2)
        got = [e for e in bob.log.of(MessageReceived) if e.body.startswith("burst")]
        assert [e.body for e in got] == bodies
        assert all(e.decryption_error == "" for e in got)
        written = [x.get("id") for x in wire if x.find("{jabber:client}body") is not None]
        assert len(written) == len(bodies)
    finally:
        await alice.stop()
        await bob.stop()


async def test_an_old_device_of_ours_is_removed(prosody: ProsodyServer, tmp_path: Path) -> None:
    a_jid, a_pw = prosody.new_account()
    laptop = await client_for(prosody, tmp_path / "laptop", a_jid, a_pw, resource="laptop")
    try:
        manager = await xmpp(laptop).omemo.engine.manager()
        impl: Any = type(manager)
        own = str(laptop.jid)
        own_id = (await manager.get_own_device_information())[0].device_id
        # A device we used once and lost: still in both published lists. (A second
        # running client would put itself back at once; this one is gone for good.)
        for namespace in (NS_OMEMO2, NS_LEGACY):
            listed = {**await impl._download_device_list(namespace, own), 4242: None}
            await impl._upload_device_list(namespace, listed)
            await manager.update_device_list(namespace, own, listed)
        await xmpp(laptop).remove_own_device(4242)
        for namespace in (NS_OMEMO2, NS_LEGACY):
            published = await impl._download_device_list(namespace, own)
            assert set(published) == {own_id}
        with pytest.raises(ValueError):
            await xmpp(laptop).remove_own_device(own_id)
        send(laptop, laptop.jid, "note to self")  # our other devices: none left
        error = await laptop.log.wait(MessageErrorReceived)
        assert error.detail == "no OMEMO device to encrypt for"
    finally:
        await laptop.stop()
