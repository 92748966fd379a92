"""Interop with Profanity (independent client, its own OMEMO 0.3 on libsignal), driven
in tmux against the session's Prosody: plain chat with our client, TLS trust, OMEMO.

Skipped (with the reason) when profanity or tmux is missing; ``make test`` installs them.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from siproxylin.domain.events import MessageStored
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import Direction
from tests.integration.harness import start_client
from tests.support.profanity import (
    Profanity,
    make_contacts,
    seed_device_list,
    unavailable_reason,
)
from tests.support.prosody import ProsodyServer

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
