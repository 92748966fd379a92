"""Losing the connection: stream resumption, and a server crash with nothing lost or doubled."""

from __future__ import annotations

import asyncio
from pathlib import Path

from siproxylin.app.bootstrap import build_application
from siproxylin.app.paths import resolve_paths
from siproxylin.domain.events import MessageStored, SessionEnded, SessionStarted
from siproxylin.domain.models import ConnectionState, DeliveryState, Direction
from tests.integration.harness import Client, start_client
from tests.support.certs import CertSet
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


async def test_messages_not_written_before_a_logout_are_sent_after_the_next_login(
    certs: CertSet, tmp_path: Path
) -> None:
    """Without XEP-0198 a message counts as acknowledged once it reaches the socket,
    not when it is queued: what a logout cut off stays unacknowledged and goes out
    after the next login, exactly once."""
    server = ProsodyServer(certs, extra_global_config='modules_disabled = { "smacks" }\n')
    server.start()
    try:
        (a_jid, a_pw), (b_jid, b_pw) = server.new_account(), server.new_account()
        alice = await client_for(server, tmp_path / "a", a_jid, a_pw)
        bob = await client_for(server, tmp_path / "b", b_jid, b_pw)
        try:
            assert "stream_management" not in alice.stream.features
            alice.app.chat.send_message(alice.account, bob.jid, "written")
            await bob.log.wait(MessageStored, lambda e: e.message.body == "written")
            # The send queue stops moving (a stalled socket): these stay queued.
            alice.stream._run_out_filters.cancel()
            stuck = [
                alice.app.chat.send_message(alice.account, bob.jid, f"queued {i}").origin_id
                for i in range(3)
            ]
            await asyncio.sleep(0.3)
            await alice.stop()
            app = build_application(resolve_paths(data_dir=tmp_path / "a"), backoff_base=0.2)
            states = {m.origin_id: m.state for m in app.chat.history(alice.account, bob.jid)}
            assert [states[o] for o in stuck] == [DeliveryState.SENT] * 3
            acked: set[str] = set()
            app.bus.subscribe(
                MessageStored,
                lambda e: (
                    acked.add(e.message.origin_id)
                    if e.message.state is DeliveryState.ACKED
                    else None
                ),
            )
            await app.start()
            try:
                for i in range(3):
                    await bob.log.wait(
                        MessageStored, lambda e, i=i: e.message.body == f"queued {i}"
                    )
                async with asyncio.timeout(10):
                    while not acked.issuperset(stuck):  # noqa: ASYNC110
                        await asyncio.sleep(0.05)
                await asyncio.sleep(0.5)  # time for a duplicate to show up
                bodies = [m.body for m in bob.app.chat.history(bob.account, alice.jid)]
                assert bodies == ["written", "queued 0", "queued 1", "queued 2"]
            finally:
                await app.stop()
        finally:
            await bob.stop()
    finally:
        server.cleanup()
