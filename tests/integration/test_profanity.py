"""Interop with Profanity (independent client, its own OMEMO 0.3 on libsignal), driven
in tmux against the session's Prosody: plain chat with our client, TLS trust, OMEMO.

Skipped (with the reason) when profanity or tmux is missing; ``make test`` installs them.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from siproxylin.domain.events import MessageStored
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import Direction
from tests.integration.harness import start_client
from tests.support.profanity import (
    Profanity,
    format_fingerprint,
    make_contacts,
    seed_device_list,
    unavailable_reason,
)
from tests.support.prosody import ProsodyServer
from tests.support.xmpp import connect_client, disconnect_client, make_client

pytestmark = [
    pytest.mark.interop,
    pytest.mark.timeout(60),
    pytest.mark.skipif(unavailable_reason() is not None, reason=unavailable_reason() or ""),
]

ProfanityFactory = Callable[..., Profanity]


@pytest.fixture
async def profanity() -> AsyncIterator[ProfanityFactory]:
    """``profanity(server, jid, password, **options)`` -> a not yet started Profanity;
    every one is stopped and its directory removed after the test."""
    made: list[Profanity] = []

    def factory(server: ProsodyServer, jid: str, password: str, **options: object) -> Profanity:
        prof = Profanity(server, jid, password, **options)  # type: ignore[arg-type]
        made.append(prof)
        return prof

    yield factory
    for prof in made:
        await prof.stop()
        prof.cleanup()


def token(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


async def test_plain_messages_both_ways_with_our_client(
    prosody: ProsodyServer, tmp_path: Path, profanity: ProfanityFactory
) -> None:
    (our_jid, our_pw), (prof_jid, prof_pw) = prosody.new_account(), prosody.new_account()
    prof = profanity(prosody, prof_jid, prof_pw)
    ours = await start_client(
        tmp_path / "ours", our_jid, our_pw, "127.0.0.1", prosody.c2s_port, str(prosody.ca_file)
    )
    try:
        await prof.start()
        to_prof, to_us = token("to-profanity"), token("to-siproxylin")

        ours.app.chat.send_message(ours.account, Jid.parse(prof_jid), to_prof)
        shown = await prof.wait_for_message(our_jid, to_prof)
        assert shown.group(1) == "-"  # plain, not OMEMO

        await prof.send(our_jid, to_us)
        got = await ours.log.wait(MessageStored, lambda e: e.message.body == to_us)
        assert got.message.direction is Direction.INCOMING
        assert got.message.peer == Jid.parse(prof_jid)
        assert [m.body for m in ours.app.chat.history(ours.account, Jid.parse(prof_jid))] == [
            to_prof,
            to_us,
        ]
    finally:
        await ours.stop()


async def test_profanity_stops_at_an_untrusted_server_certificate(
    prosody: ProsodyServer, profanity: ProfanityFactory
) -> None:
    """Without the test CA in its certificate path, Profanity must not log in: this
    proves the CA directory is what makes the other tests' TLS verification pass."""
    jid, password = prosody.new_account()
    prof = profanity(prosody, jid, password, trust_ca=False)
    await prof.start(wait_online=False)
    await prof.wait_for_text("TLS certificate verification failed")
    assert "Use '/tls allow'" in prof.pane()
    await prof.command("/tls deny", expect="Login failed.")
    assert "logged in successfully" not in prof.pane()


async def test_omemo_between_two_profanity_instances(
    prosody: ProsodyServer, profanity: ProfanityFactory
) -> None:
    """Device lists and bundles go through Prosody's PEP; a message each way is
    decrypted (Profanity marks decrypted lines with its OMEMO character "~")."""
    alice_account, bob_account = prosody.new_account(), prosody.new_account()
    await make_contacts(prosody, alice_account, bob_account)
    await asyncio.gather(
        seed_device_list(prosody, *alice_account), seed_device_list(prosody, *bob_account)
    )
    alice = profanity(prosody, *alice_account)
    bob = profanity(prosody, *bob_account)
    await asyncio.gather(alice.start(), bob.start())
    a_jid, b_jid = alice_account[0], bob_account[0]

    alice_device, bob_device = await asyncio.gather(alice.generate_omemo(), bob.generate_omemo())
    assert alice_device != bob_device
    alice_fp, bob_fp = await asyncio.gather(alice.fingerprint(), bob.fingerprint())

    await asyncio.gather(alice.start_omemo(b_jid), bob.start_omemo(a_jid))
    await asyncio.gather(alice.trust(b_jid, bob_fp), bob.trust(a_jid, alice_fp))

    first, second = token("omemo-a2b"), token("omemo-b2a")
    await alice.send(b_jid, first)
    assert (await bob.wait_for_message(a_jid, first)).group(1) == "~"
    await bob.send(a_jid, second)
    assert (await alice.wait_for_message(b_jid, second)).group(1) == "~"

    # The body on the wire was the OMEMO fallback, not the text (Profanity's debug log
    # has every stanza it received).
    received = bob.log_path.read_text(errors="replace")
    assert "eu.siacs.conversations.axolotl" in received
    assert f">{first}<" not in received


# ---- Profanity <-> a bare slixmpp client with slixmpp-omemo ----------------------------


def _omemo_client_class() -> type[Any]:
    """A slixmpp-omemo plugin with in-memory storage and blind trust (BTBV), registered
    under a name of its own so it never replaces the application's ``xep_0384``."""
    from omemo.storage import Just, Maybe, Nothing, Storage
    from omemo.types import JSONType
    from slixmpp.plugins.base import register_plugin
    from slixmpp_omemo import XEP_0384

    class MemoryStorage(Storage):
        def __init__(self) -> None:
            super().__init__()
            self.data: dict[str, JSONType] = {}

        async def _load(self, key: str) -> Maybe[JSONType]:
            return Just(self.data[key]) if key in self.data else Nothing()

        async def _store(self, key: str, value: JSONType) -> None:
            self.data[key] = value

        async def _delete(self, key: str) -> None:
            self.data.pop(key, None)

    class InteropOmemo(XEP_0384):
        name = "interop_omemo"

        def plugin_init(self) -> None:
            self._storage = MemoryStorage()
            super().plugin_init()

        @property
        def storage(self) -> Storage:
            return self._storage

        @property
        def _btbv_enabled(self) -> bool:
            return True

        async def _prompt_manual_trust(self, manually_trusted: Any, identifier: Any) -> None:
            raise AssertionError(f"unexpected trust prompt for {manually_trusted}")

    register_plugin(InteropOmemo)
    return InteropOmemo


async def test_omemo_between_profanity_and_slixmpp_omemo(
    prosody: ProsodyServer, profanity: ProfanityFactory
) -> None:
    """Profanity's OMEMO 0.3 against slixmpp-omemo's (python-omemo, oldmemo backend): a
    message each way decrypts on the other side, device lists and bundles via PEP."""
    pytest.importorskip(
        "slixmpp_omemo", reason="slixmpp-omemo is not installed in this environment"
    )
    import xeddsa
    from slixmpp import JID

    _omemo_client_class()
    prof_account, slix_account = prosody.new_account(), prosody.new_account()
    (prof_jid, _), (slix_jid, slix_pw) = prof_account, slix_account
    await make_contacts(prosody, prof_account, slix_account)
    await seed_device_list(prosody, *prof_account)
    prof = profanity(prosody, *prof_account)
    await prof.start()
    await prof.generate_omemo()
    prof_fp = await prof.fingerprint()

    client = make_client(
        slix_jid,
        slix_pw,
        prosody,
        plugins=("xep_0030", "xep_0004", "xep_0060", "xep_0163", "xep_0280", "xep_0334"),
    )
    client.register_plugin("interop_omemo")
    omemo = client.plugin["interop_omemo"]  # type: ignore[typeddict-item]
    initialized = asyncio.Event()
    client.add_event_handler("omemo_initialized", lambda _e: initialized.set())
    incoming: asyncio.Queue[Any] = asyncio.Queue()
    client.add_event_handler("message", incoming.put_nowait)
    await connect_client(client, prosody, presence=True)
    try:
        await asyncio.wait_for(initialized.wait(), 15)
        manager = await omemo.get_session_manager()
        own_device, _ = await manager.get_own_device_information()
        # Profanity shows the Curve25519 form of the identity key (libsignal's, without
        # its 0x05 type byte); python-omemo keeps the Ed25519 form.
        slix_fp = format_fingerprint(
            xeddsa.ed25519_pub_to_curve25519_pub(own_device.identity_key).hex()
        )

        await prof.start_omemo(slix_jid)
        await prof.trust(slix_jid, slix_fp)
        to_slix = token("omemo-to-slixmpp")
        await prof.send(slix_jid, to_slix)

        while True:
            stanza = await asyncio.wait_for(incoming.get(), 10)
            if stanza["type"] == "chat" and omemo.is_encrypted(stanza):
                break
        assert to_slix not in str(stanza)
        decrypted, device = await omemo.decrypt_message(stanza)
        assert decrypted["body"] == to_slix
        assert device.bare_jid == prof_jid
        assert (
            format_fingerprint(xeddsa.ed25519_pub_to_curve25519_pub(device.identity_key).hex())
            == prof_fp
        )

        to_prof = token("omemo-to-profanity")
        message = client.make_message(mto=JID(prof_jid), mbody=to_prof, mtype="chat")
        encrypted, errors = await omemo.encrypt_message(message, JID(prof_jid))
        assert not errors
        assert encrypted is not None
        assert to_prof not in str(encrypted)
        encrypted.send()
        assert (await prof.wait_for_message(slix_jid, to_prof)).group(1) == "~"
    finally:
        await disconnect_client(client)


async def test_omemo_between_profanity_and_our_client(
    prosody: ProsodyServer, profanity: ProfanityFactory, tmp_path: Path
) -> None:
    """Interop of our OMEMO engine with an independent implementation: a message each
    way decrypts on the other side (Profanity speaks the legacy namespace)."""
    from siproxylin.domain.models import Encryption
    from siproxylin.xmpp.client import XmppClient

    prof_account, our_account = prosody.new_account(), prosody.new_account()
    (prof_jid, _), (our_jid, our_pw) = prof_account, our_account
    # Profanity's keys are readable by contacts only (see tests/support/profanity.py).
    await make_contacts(prosody, prof_account, our_account)
    await seed_device_list(prosody, *prof_account)
    prof = profanity(prosody, *prof_account)
    await prof.start()
    await prof.generate_omemo()
    prof_fp = await prof.fingerprint()

    ours = await start_client(
        tmp_path / "ours", our_jid, our_pw, "127.0.0.1", prosody.c2s_port, str(prosody.ca_file)
    )
    try:
        session = ours.app.accounts.xmpp(ours.account)
        assert isinstance(session, XmppClient)
        assert session.omemo is not None
        await asyncio.wait_for(session.omemo.engine.manager(), 30)  # our keys are published
        # Both sides show the Curve25519 form of identity keys.
        ours_fp = format_fingerprint(session.own_fingerprint())
        await prof.start_omemo(our_jid)
        await prof.trust(our_jid, ours_fp)

        to_ours = token("omemo-to-siproxylin")
        await prof.send(our_jid, to_ours)
        got = await ours.log.wait(MessageStored, lambda e: e.message.body == to_ours, 20)
        assert got.message.encryption is Encryption.OMEMO
        assert got.message.decryption_error == ""
        [device] = await session.omemo_devices(Jid.parse(prof_jid))
        assert format_fingerprint(device.fingerprint) == prof_fp

        # The encrypted message turned the conversation on: our answer goes out encrypted.
        assert ours.app.encryption.is_encrypted(ours.account, Jid.parse(prof_jid))
        to_prof = token("omemo-to-profanity")
        sent = ours.app.chat.send_message(ours.account, Jid.parse(prof_jid), to_prof)
        assert sent.encryption is Encryption.OMEMO
        assert (await prof.wait_for_message(our_jid, to_prof)).group(1) == "~"
    finally:
        await ours.stop()
