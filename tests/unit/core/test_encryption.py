"""Conversation encryption state and OMEMO device trust in the core, over fake ports."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from siproxylin.core.services.chat import ChatService
from siproxylin.core.services.encryption import (
    EncryptionService,
    group_fingerprint,
    parse_verification_uri,
    verification_uri,
)
from siproxylin.domain.events import DecisionRequested, EncryptionChanged
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    ChatKind,
    DecisionKind,
    Encryption,
    OmemoDevice,
    TrustLevel,
)
from tests.fakes import (
    Core,
    MemoryMessageFeatures,
    MemoryReadState,
    account_config,
    make_core,
)

BOB = Jid.parse("bob@x.org")


class MemoryEncryptionState:
    def __init__(self) -> None:
        self.state: dict[tuple[AccountId, Jid, ChatKind], bool] = {}

    def get(self, account: AccountId, peer: Jid, kind: ChatKind) -> bool | None:
        return self.state.get((account, peer, kind))

    def set(self, account: AccountId, peer: Jid, kind: ChatKind, encrypted: bool) -> None:
        self.state[(account, peer, kind)] = encrypted


class World:
    def __init__(self, core: Core, account: AccountId) -> None:
        self.core = core
        self.account = account
        self.repo = MemoryEncryptionState()
        self.encryption = EncryptionService(core.bus, core.accounts, core.decisions, self.repo)
        # A chat service that asks this encryption service (the default one does not).
        self.chat = ChatService(
            core.bus,
            core.accounts,
            core.messages,
            MemoryMessageFeatures(core.messages),
            MemoryReadState(core.messages),
            encrypted=self.encryption.is_encrypted,
        )

    @property
    def xmpp(self):  # type: ignore[no-untyped-def]
        return self.core.xmpp(self.account)


@pytest.fixture
async def world() -> World:
    core = make_core()
    stored = await core.accounts.add_account(account_config("me@x.org"), "pw")
    core.xmpp(stored.id).start()
    return World(core, stored.id)


def device(device_id: int, trust: TrustLevel = TrustLevel.UNDECIDED) -> OmemoDevice:
    return OmemoDevice(BOB, device_id, f"{device_id:02x}" * 32, trust)


async def test_blind_trust_until_the_user_verified_a_device(world: World) -> None:
    world.xmpp.devices[BOB] = {1: device(1), 2: device(2)}
    answer = await world.encryption.decide(world.account, BOB, (device(1), device(2)))
    assert answer == {1: TrustLevel.BLIND, 2: TrustLevel.BLIND}


async def test_a_new_device_of_a_verified_contact_is_asked_about(world: World) -> None:
    questions: list[DecisionRequested] = []
    world.core.bus.subscribe(DecisionRequested, questions.append)
    world.xmpp.devices[BOB] = {1: device(1, TrustLevel.VERIFIED), 2: device(2), 3: device(3)}
    task = asyncio.ensure_future(
        world.encryption.decide(world.account, BOB, (device(2), device(3)))
    )
    await asyncio.sleep(0)
    assert [q.kind for q in questions] == [DecisionKind.TRUST, DecisionKind.TRUST]
    assert questions[0].subject == device(2).fingerprint
    assert group_fingerprint(device(2).fingerprint)[:17] in questions[0].text
    assert not task.done()  # nothing is trusted silently
    world.core.decisions.resolve(questions[0].decision_id, True)
    world.core.decisions.resolve(questions[1].decision_id, False)
    assert await task == {2: TrustLevel.VERIFIED, 3: TrustLevel.DISTRUSTED}


async def test_an_encrypted_message_turns_encryption_on_unless_the_user_chose(
    world: World,
) -> None:
    changes: list[EncryptionChanged] = []
    world.core.bus.subscribe(EncryptionChanged, changes.append)
    event = world.xmpp.receive_message("bob@x.org/a", "secret")  # clear: nothing changes
    assert not world.encryption.is_encrypted(world.account, BOB)
    world.core.bus.publish(
        replace(event, origin_id="o2", stanza_id="s2", encryption=Encryption.OMEMO2)
    )
    assert world.encryption.is_encrypted(world.account, BOB)
    assert changes == [EncryptionChanged(world.account, BOB, True)]
    # The user turned it off: a later encrypted message does not turn it back on.
    world.encryption.set_encrypted(world.account, BOB, False)
    world.core.bus.publish(
        replace(event, origin_id="o3", stanza_id="s3", encryption=Encryption.OMEMO)
    )
    assert not world.encryption.is_encrypted(world.account, BOB)


async def test_an_encrypted_conversation_never_sends_clear_text(world: World) -> None:
    world.encryption.set_encrypted(world.account, BOB, True)
    sent = world.chat.send_message(world.account, BOB, "hello")
    assert sent.encryption is Encryption.OMEMO
    assert world.xmpp.sent[-1].message is not None
    assert world.xmpp.sent[-1].message.encrypted
    world.chat.correct_message(world.account, sent.id, "hello!")
    assert world.xmpp.sent[-1].message is not None
    assert world.xmpp.sent[-1].message.encrypted
    # Sent again after a fresh login (the outbox): still encrypted.
    world.xmpp.start()
    assert all(s.message is not None and s.message.encrypted for s in world.xmpp.sent)
    # Turning encryption off only affects new messages.
    world.encryption.set_encrypted(world.account, BOB, False)
    plain = world.chat.send_message(world.account, BOB, "plain now")
    assert plain.encryption is Encryption.NONE
    assert world.xmpp.sent[-1].message is not None
    assert not world.xmpp.sent[-1].message.encrypted


async def test_a_message_that_could_not_be_decrypted_is_stored_with_its_reason(
    world: World,
) -> None:
    event = world.xmpp.receive_message("bob@x.org/a", "first")
    world.core.bus.publish(
        replace(
            event,
            origin_id="o9",
            stanza_id="s9",
            body="This message could not be decrypted.",
            encryption=Encryption.OMEMO,
            decryption_error="no session with device 7",
        )
    )
    stored = world.chat.history(world.account, BOB)[-1]
    assert stored.decryption_error == "no session with device 7"
    assert stored.encryption is Encryption.OMEMO


async def test_verification_uri_round_trip_and_mismatch(world: World) -> None:
    devices = [device(1), device(2)]
    world.xmpp.devices[BOB] = {d.device_id: d for d in devices}
    uri = verification_uri(BOB.with_resource("r"), devices)
    assert uri.startswith("xmpp:bob@x.org?omemo-sid-1=")
    assert parse_verification_uri(uri) == (BOB, {1: "01" * 32, 2: "02" * 32})
    assert await world.encryption.verify_uri(world.account, uri) == 2
    assert all(d.trust is TrustLevel.VERIFIED for d in world.xmpp.devices[BOB].values())
    with pytest.raises(ValueError, match="does not match"):
        await world.encryption.verify_uri(world.account, "xmpp:bob@x.org?omemo-sid-1=" + "ff" * 32)
    with pytest.raises(ValueError):
        parse_verification_uri("https://example.org")
