"""Losing the connection: stream resumption, and a server crash with nothing lost or doubled."""

from __future__ import annotations

import asyncio
from pathlib import Path

from siproxylin.domain.events import MessageStored, SessionEnded, SessionStarted
from siproxylin.domain.models import ConnectionState, DeliveryState, Direction
from tests.integration.harness import Client, start_client
from tests.support.prosody import ProsodyServer


async def client_for(server: ProsodyServer, root: Path, jid: str, password: str) -> Client:
    return await start_client(
        root, jid, password, "127.0.0.1", server.c2s_port, str(server.ca_file)
    )


async def test_dropped_link_resumes_the_stream(prosody: ProsodyServer, tmp_path: Path) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        alice.app.chat.send_message(alice.account, bob.jid, "before")
        await bob.log.wait(MessageStored, lambda e: e.message.body == "before")
        mark = bob.log.mark()
        bob.stream.transport.abort()  # the network drops; no stream close is sent
        ended = await bob.log.wait(SessionEnded, since=mark)
        assert ended.resumable
        alice.app.chat.send_message(alice.account, bob.jid, "while you were away")
        resumed = await bob.log.wait(SessionStarted, since=mark)
        assert resumed.resumed
        await bob.log.wait(MessageStored, lambda e: e.message.body == "while you were away")
        await asyncio.sleep(0.5)
        bodies = [m.body for m in bob.app.chat.history(bob.account, alice.jid)]
        assert bodies == ["before", "while you were away"]
    finally:
        await alice.stop()
        await bob.stop()


async def test_server_restart_loses_and_doubles_nothing(
    prosody_fresh: ProsodyServer, tmp_path: Path
) -> None:
    server = prosody_fresh
    (a_jid, a_pw), (b_jid, b_pw) = server.new_account(), server.new_account()
    alice = await client_for(server, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(server, tmp_path / "b", b_jid, b_pw)
    try:
        alice.app.chat.send_message(alice.account, bob.jid, "one")
        await bob.log.wait(MessageStored, lambda e: e.message.body == "one")
        server.kill()
        await alice.wait_state(ConnectionState.RECONNECTING)
        await bob.wait_state(ConnectionState.RECONNECTING)
        written = alice.app.chat.send_message(alice.account, bob.jid, "two, written while down")
        assert written.state is DeliveryState.PENDING
        bob.app.chat.send_message(bob.account, alice.jid, "three, from bob while down")
        server.start()
        await alice.wait_state(ConnectionState.ONLINE, timeout=30)
        await bob.wait_state(ConnectionState.ONLINE, timeout=30)
        await bob.log.wait(
            MessageStored, lambda e: e.message.body == "two, written while down", timeout=30
        )
        await alice.log.wait(
            MessageStored, lambda e: e.message.body == "three, from bob while down", timeout=30
        )
        await alice.log.wait(
            MessageStored,
            lambda e: (
                e.message.origin_id == written.origin_id and e.message.state is DeliveryState.ACKED
            ),
        )
        await asyncio.sleep(1.0)  # time for any duplicate to show up
        # Each message exactly once (their order depends on which side reconnected first).
        bob_history = [(m.direction, m.body) for m in bob.app.chat.history(bob.account, alice.jid)]
        assert sorted(bob_history, key=str) == sorted(
            [
                (Direction.INCOMING, "one"),
                (Direction.INCOMING, "two, written while down"),
                (Direction.OUTGOING, "three, from bob while down"),
            ],
            key=str,
        )
        alice_bodies = [m.body for m in alice.app.chat.history(alice.account, bob.jid)]
        assert sorted(alice_bodies) == sorted(
            ["one", "two, written while down", "three, from bob while down"]
        )
    finally:
        await alice.stop()
        await bob.stop()
