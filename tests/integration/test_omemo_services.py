"""OMEMO as the user meets it, through the services, on the real server: the
conversation's lock, what is stored, and the questions about new devices."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from siproxylin.domain.events import DecisionRequested, MessageStored
from siproxylin.domain.models import DecisionKind, Encryption, TrustLevel
from tests.integration.test_omemo import capture_outgoing, client_for, devices_of, xmpp
from tests.support.prosody import ProsodyServer

pytestmark = [pytest.mark.integration, pytest.mark.omemo]


async def test_an_encrypted_conversation_through_the_services(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    """The user turns encryption on; the contact's conversation follows; the stored
    copies on both sides are the plaintext, marked encrypted; nothing went out in clear."""
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        wire = capture_outgoing(alice)
        alice.app.encryption.set_encrypted(alice.account, bob.jid, True)
        sent = alice.app.chat.send_message(alice.account, bob.jid, "the plan is on")
        assert sent.encryption is Encryption.OMEMO
        got = await bob.log.wait(MessageStored, lambda e: e.message.body == "the plan is on", 20)
        assert got.message.encryption is Encryption.OMEMO2
        # Bob never chose: the encrypted message turned his side on, so his answer is too.
        assert bob.app.encryption.is_encrypted(bob.account, alice.jid)
        bob.app.chat.send_message(bob.account, alice.jid, "agreed")
        answer = await alice.log.wait(MessageStored, lambda e: e.message.body == "agreed", 20)
        assert answer.message.encryption is not Encryption.NONE
        assert all("the plan is on" not in ET.tostring(x, "unicode") for x in wire)
        assert [m.body for m in bob.app.chat.history(bob.account, alice.jid)] == [
            "the plan is on",
            "agreed",
        ]
    finally:
        await alice.stop()
        await bob.stop()


async def test_a_new_device_of_a_verified_contact_is_asked_about(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b1", b_jid, b_pw, resource="desk")
    phone = None
    try:
        alice.app.encryption.set_encrypted(alice.account, bob.jid, True)
        alice.app.chat.send_message(
            alice.account, bob.jid, "first"
        )  # blind trust: no verification yet
        await bob.log.wait(MessageStored, lambda e: e.message.body == "first", 20)
        assert not [e for e in alice.log.of(DecisionRequested) if e.kind is DecisionKind.TRUST]
        (desk,) = await alice.app.encryption.devices(alice.account, bob.jid)
        assert desk.trust is TrustLevel.BLIND
        await alice.app.encryption.set_trust(
            alice.account, bob.jid, desk.device_id, TrustLevel.VERIFIED
        )
        phone = await client_for(prosody, tmp_path / "b2", b_jid, b_pw, resource="phone")
        await devices_of(alice, bob.jid, 2)
        mark = alice.log.mark()
        alice.app.chat.send_message(alice.account, bob.jid, "second")
        question = await alice.log.wait(
            DecisionRequested, lambda e: e.kind is DecisionKind.TRUST, 20, since=mark
        )
        assert question.subject == xmpp(phone).own_fingerprint()
        # Until answered, the message waits; "no" distrusts the phone, the desk still gets it.
        await asyncio.sleep(0.3)
        assert not any(
            isinstance(e, MessageStored) and e.message.body == "second" for e in bob.log.events
        )
        alice.app.decisions.resolve(question.decision_id, False)
        await bob.log.wait(MessageStored, lambda e: e.message.body == "second", 20)
        trust = {
            d.device_id: d.trust for d in await alice.app.encryption.devices(alice.account, bob.jid)
        }
        assert sorted(trust.values(), key=lambda t: t.value) == [
            TrustLevel.DISTRUSTED,
            TrustLevel.VERIFIED,
        ]
    finally:
        for client in (alice, bob, phone):
            if client is not None:
                await client.stop()
