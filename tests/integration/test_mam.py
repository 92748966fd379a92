"""Message history from the server archive (XEP-0313) through a real Prosody.

Catch-up after being offline (with offline storage delivering the same messages),
messages our other device sent meanwhile, a crash in the middle of a catch-up,
scrolling back, forged archive results, and a room's archive.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from slixmpp import ClientXMPP

from siproxylin.app.bootstrap import Application, build_application
from siproxylin.app.logs import LogSettings
from siproxylin.app.paths import resolve_paths
from siproxylin.core.ports import ArchivePage
from siproxylin.domain.config import AccountConfig, LogLevel, TlsPolicy
from siproxylin.domain.events import (
    Event,
    HistorySyncStateChanged,
    MessageStored,
    RoomJoined,
    StanzaRejected,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, Direction
from siproxylin.store.archive_sync import ArchiveSyncStore
from siproxylin.store.db import Database
from siproxylin.xmpp import mam as mam_module
from tests.integration.harness import EventLog
from tests.support.prosody import ProsodyServer
from tests.support.xmpp import online

pytestmark = pytest.mark.mam

PAGE = 5  # small pages: every catch-up below takes several


@dataclass
class App:
    """A whole headless client with one account, and its event log."""

    app: Application
    log: EventLog
    account: AccountId
    jid: Jid

    async def synced(self, archive: Jid | None = None, since: int = 0) -> HistorySyncStateChanged:
        """The end of the next catch-up of ``archive`` (our own by default)."""
        wanted = (archive or self.jid).bare
        return await self.log.wait(
            HistorySyncStateChanged,
            lambda e: e.archive == wanted and not e.syncing,
            timeout=30,
            since=since,
        )

    async def stop(self) -> None:
        await self.app.stop()


def _open(root: Path, page_size: int) -> tuple[Application, EventLog]:
    app = build_application(
        resolve_paths(data_dir=root), LogSettings(LogLevel.DEBUG, protocol=True), backoff_base=0.2
    )
    app.history.page_size = page_size
    log = EventLog()
    app.bus.subscribe(Event, log.record)
    return app, log


async def first_start(
    prosody: ProsodyServer, root: Path, jid: str, password: str, page_size: int = PAGE
) -> App:
    """A new data folder with one account; returns once its first catch-up ended."""
    app, log = _open(root, page_size)
    config = AccountConfig(
        id=AccountId(0),
        jid=Jid.parse(jid),
        resource="siproxylin",
        server_host="127.0.0.1",
        server_port=prosody.c2s_port,
        tls=TlsPolicy(ca_file=str(prosody.ca_file)),
    )
    stored = await app.accounts.add_account(config, password)
    client = App(app, log, stored.id, stored.jid)
    await client.synced()
    return client


async def restart(root: Path, page_size: int = PAGE) -> App:
    """The stored account of ``root`` started again (it logs in at once)."""
    app, log = _open(root, page_size)
    await app.start()
    (config,) = app.accounts.accounts()
    return App(app, log, config.id, config.jid)


def rows(root: Path) -> list[tuple[str, int, str]]:
    """(body, direction, stanza_id) of every stored message, read from the file."""
    path = resolve_paths(data_dir=root).database
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(
            "SELECT body, direction, stanza_id FROM message ORDER BY time, id"
        ).fetchall()
    finally:
        conn.close()


def send(client: ClientXMPP, to: str, bodies: list[str], mtype: str = "chat") -> None:
    for body in bodies:
        origin = uuid.uuid4().hex
        client.send_raw(
            f"<message xmlns='jabber:client' type='{mtype}' to='{to}' id='{origin}'>"
            f"<body>{body}</body><origin-id xmlns='urn:xmpp:sid:0' id='{origin}'/></message>"
        )


async def processed(client: ClientXMPP) -> None:
    """Return once the server has handled everything ``client`` sent before."""
    await client.plugin["xep_0199"].ping(client.boundjid.domain, timeout=10)


# --- catch-up ---------------------------------------------------------------------


async def test_offline_messages_and_own_sent_ones_are_stored_once(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    root = tmp_path / "b"
    bob = await first_start(prosody, root, b_jid, b_pw)
    await bob.stop()
    # Meanwhile Bob's phone writes to Alice, and then Alice writes while Bob is offline
    # (Prosody's offline storage keeps hers too, and may deliver them at login).
    async with online(prosody, b_jid, b_pw) as phone:
        send(phone, a_jid, [f"mine {n}" for n in range(4)])
        await processed(phone)
    async with online(prosody, a_jid, a_pw) as alice:
        send(alice, b_jid, [f"msg {n}" for n in range(23)])
        await processed(alice)
    bob = await restart(root)
    try:
        end = await bob.synced()
        assert end.complete
        await asyncio.sleep(0.5)  # offline storage, if it delivers at all, has done so
        # Each exactly once (archive stamps are whole seconds: order within one is open).
        stored = sorted((body, direction) for body, direction, _sid in rows(root))
        expected = [(f"mine {n}", 1) for n in range(4)] + [(f"msg {n}", 0) for n in range(23)]
        assert stored == sorted(expected)
        assert all(sid for _body, _direction, sid in rows(root))
        history = bob.app.chat.history(bob.account, Jid.parse(a_jid))
        outgoing = sorted(m.body for m in history if m.direction is Direction.OUTGOING)
        assert outgoing == [f"mine {n}" for n in range(4)]
        assert len(history) == 27
        assert bob.app.history.syncing(bob.account, bob.jid) is False
    finally:
        await bob.stop()


_CRASHING_CLIENT = """
import asyncio, os, signal, sys
from pathlib import Path
from siproxylin.app.bootstrap import build_application
from siproxylin.app.paths import resolve_paths

async def main():
    app = build_application(resolve_paths(data_dir=Path(sys.argv[1])))
    app.history.page_size = int(sys.argv[2])
    repo = app.history._repo
    record = repo.record_forward

    def record_then_crash(*args, **kwargs):
        record(*args, **kwargs)
        # The page and its sync point are committed at the end of this loop turn:
        # die right after that, as a crash would, with nothing cleaned up.
        loop = asyncio.get_running_loop()
        loop.call_soon(loop.call_soon, os.kill, os.getpid(), signal.SIGKILL)

    repo.record_forward = record_then_crash
    await app.start()
    await asyncio.sleep(30)

asyncio.run(main())
"""


async def test_a_crash_mid_catch_up_loses_and_repeats_nothing(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    root = tmp_path / "b"
    bob = await first_start(prosody, root, b_jid, b_pw)
    await bob.stop()
    # Bob's phone is online while Alice writes: nothing goes to offline storage, so
    # the archive is the only way these reach the crashed client.
    async with online(prosody, b_jid, b_pw) as phone, online(prosody, a_jid, a_pw) as alice:
        send(alice, b_jid, [f"msg {n}" for n in range(22)])
        await processed(alice)
        await processed(phone)
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _CRASHING_CLIENT,
        str(root),
        str(PAGE),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _out, err = await asyncio.wait_for(child.communicate(), 60)
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    assert child.returncode == -signal.SIGKILL, err.decode(errors="replace")[-2000:]
    assert [body for body, _d, _s in rows(root)] == [f"msg {n}" for n in range(PAGE)]
    bob = await restart(root)
    try:
        end = await bob.synced()
        assert end.complete
        assert end.fetched == 22 - PAGE  # nothing fetched twice
        stored = rows(root)
        assert [body for body, _d, _s in stored] == [f"msg {n}" for n in range(22)]
        assert len({sid for _b, _d, sid in stored}) == 22
    finally:
        await bob.stop()


async def test_a_sync_point_the_server_lost_falls_back_to_its_time(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    root = tmp_path / "b"
    bob = await first_start(prosody, root, b_jid, b_pw)
    account, own = bob.account, bob.jid
    await bob.stop()
    # The sync point names an id the archive does not have (expired, or cleared).
    lost = time.time() - 5
    db = Database(resolve_paths(data_dir=root).database)
    try:
        page = ArchivePage((), "expired-id", "expired-id", True, lost, lost)
        ArchiveSyncStore(db).record_forward(account, own, "", page)
    finally:
        db.close()
    async with online(prosody, b_jid, b_pw), online(prosody, a_jid, a_pw) as alice:
        send(alice, b_jid, [f"msg {n}" for n in range(8)])
        await processed(alice)
    bob = await restart(root)
    try:
        end = await bob.synced()
        assert end.complete
        assert end.fetched == 8
        assert [body for body, _d, _s in rows(root)] == [f"msg {n}" for n in range(8)]
        ranges = ArchiveSyncStore(bob.app.db).ranges(account, own)
        assert ranges[0].first_id == "expired-id"
        assert len(ranges) == 2  # the break is recorded: nothing joins the lost id
        assert ranges[1].last_id == rows(root)[-1][2]
    finally:
        await bob.stop()


# --- scrolling back ---------------------------------------------------------------


async def test_scroll_back_fetches_older_pages_of_one_conversation(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (c_jid, c_pw), (b_jid, b_pw) = (prosody.new_account() for _ in range(3))
    # Bob's phone is online, so nothing waits in offline storage for the new client.
    async with (
        online(prosody, b_jid, b_pw),
        online(prosody, a_jid, a_pw) as alice,
        online(prosody, c_jid, c_pw) as carol,
    ):
        # Archive stamps are whole seconds; the batches that end up on different
        # pages are a second apart, so the stored order is the archive's order.
        send(carol, b_jid, ["carol 0", "carol 1"])
        await processed(carol)
        for batch in (range(2), range(2, 7), range(7, 12)):
            send(alice, b_jid, [f"alice {n}" for n in batch])
            await processed(alice)
            if batch.stop < 12:
                await asyncio.sleep(1.05)
    app, log = _open(tmp_path / "b", PAGE)
    app.history.first_sync_pages = 1
    config = AccountConfig(
        id=AccountId(0),
        jid=Jid.parse(b_jid),
        server_host="127.0.0.1",
        server_port=prosody.c2s_port,
        tls=TlsPolicy(ca_file=str(prosody.ca_file)),
    )
    stored = await app.accounts.add_account(config, b_pw)
    bob = App(app, log, stored.id, stored.jid)
    try:
        await bob.synced()
        alice_jid = Jid.parse(a_jid)

        def alice_bodies() -> list[str]:
            return [m.body for m in app.chat.history(bob.account, alice_jid)]

        # The first sync took the archive's newest page only.
        assert alice_bodies() == [f"alice {n}" for n in range(7, 12)]
        assert await app.history.load_older(bob.account, alice_jid, ChatKind.CHAT) == 5
        assert alice_bodies() == [f"alice {n}" for n in range(2, 12)]
        assert await app.history.load_older(bob.account, alice_jid, ChatKind.CHAT) == 2
        assert await app.history.load_older(bob.account, alice_jid, ChatKind.CHAT) == 0
        assert alice_bodies() == [f"alice {n}" for n in range(12)]
        # Carol's conversation was not touched by paging Alice's; it has its own.
        carol = Jid.parse(c_jid)
        assert app.chat.history(bob.account, carol) == []
        assert await app.history.load_older(bob.account, carol, ChatKind.CHAT) == 2
        assert [m.body for m in app.chat.history(bob.account, carol)] == ["carol 0", "carol 1"]
    finally:
        await bob.stop()


# --- forged results ----------------------------------------------------------------


def _forged_result(to: str, queryid: str, body: str) -> str:
    return (
        f"<message xmlns='jabber:client' to='{to}'>"
        f"<result xmlns='urn:xmpp:mam:2' queryid='{queryid}' id='forged-{body}'>"
        "<forwarded xmlns='urn:xmpp:forward:0'>"
        "<delay xmlns='urn:xmpp:delay' stamp='2020-01-01T00:00:00Z'/>"
        f"<message xmlns='jabber:client' type='chat' from='someone@example.org/x' to='{to}'>"
        f"<body>{body}</body></message></forwarded></result></message>"
    )


async def test_forged_archive_results_are_rejected(
    prosody: ProsodyServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (b_jid, b_pw), (m_jid, m_pw) = prosody.new_account(), prosody.new_account("mallory")
    bob = await first_start(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        xmpp = bob.app.accounts.xmpp(bob.account)
        assert xmpp is not None
        stream = xmpp.stream  # type: ignore[attr-defined]
        full = str(stream.boundjid)
        async with online(prosody, m_jid, m_pw) as mallory:
            # A result for no query of ours.
            mallory.send_raw(_forged_result(full, "no-such-query", "stray"))
            await bob.log.wait(StanzaRejected, lambda e: "no query" in e.why)
            # A result with the queryid of a query in flight, from a foreign sender:
            # Bob reads nothing while it is queued ahead of his query's real results.
            queryid = uuid.UUID(int=0x5EC0)
            stream.transport.pause_reading()
            try:
                mallory.send_raw(_forged_result(full, queryid.hex, "injected"))
                await processed(mallory)
                monkeypatch.setattr(mam_module.uuid, "uuid4", lambda: queryid)
                query = asyncio.ensure_future(xmpp.query_archive(before="", max_items=PAGE))
                await asyncio.sleep(0.05)  # the query is written (and answered) meanwhile
                monkeypatch.undo()
            finally:
                stream.transport.resume_reading()
            page = await asyncio.wait_for(query, 10)
        rejected = await bob.log.wait(StanzaRejected, lambda e: "foreign" in e.why)
        assert rejected.sender == m_jid or rejected.sender.startswith(f"{m_jid}/")
        assert page.events == ()
        bodies = [body for body, _d, _s in rows(tmp_path / "b")]
        assert "stray" not in bodies
        assert "injected" not in bodies
        assert not [e for e in bob.log.of(MessageStored) if e.message.body in ("stray", "injected")]
    finally:
        await bob.stop()


# --- a room's archive ----------------------------------------------------------------


async def _create_room(client: ClientXMPP, room: str, nick: str) -> None:
    """Enter (and so create) ``room`` and unlock it as an instant room."""
    joined: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_presence(presence: object) -> None:
        xml = presence.xml  # type: ignore[attr-defined]
        if xml.get("from") == f"{room}/{nick}" and not joined.done():
            joined.set_result(None)

    client.add_event_handler("presence", on_presence)
    client.send_raw(
        f"<presence xmlns='jabber:client' to='{room}/{nick}'>"
        "<x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>"
    )
    await asyncio.wait_for(joined, 10)
    client.del_event_handler("presence", on_presence)
    iq = client.Iq()
    iq["type"] = "set"
    iq["to"] = room
    iq.xml.append(
        ET.fromstring(
            "<query xmlns='http://jabber.org/protocol/muc#owner'>"
            "<x xmlns='jabber:x:data' type='submit'/></query>"
        )
    )
    await iq.send(timeout=10)


async def test_room_archive_is_caught_up_after_joining(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    room = Jid.parse(f"history-{uuid.uuid4().hex[:10]}@{prosody.muc_domain}")
    bob = await first_start(prosody, tmp_path / "b", b_jid, b_pw)
    try:
        async with online(prosody, a_jid, a_pw) as alice:
            await _create_room(alice, str(room), "alice")
            send(alice, str(room), ["room 0", "room 1"], mtype="groupchat")
            await processed(alice)
            await asyncio.sleep(1.05)  # a later second: see the scroll back test
            send(alice, str(room), [f"room {n}" for n in range(2, 12)], mtype="groupchat")
            await processed(alice)
            mark = bob.log.mark()
            # Stands in for the group chat part of the client: we are in the room.
            bob.app.bus.publish(RoomJoined(bob.account, room, "bob", archived=True))
            end = await bob.synced(room, since=mark)
            assert end.complete
            history = bob.app.chat.history(bob.account, room)
            # A room new to us: its two newest pages.
            assert [m.body for m in history] == [f"room {n}" for n in range(2, 12)]
            assert all(m.kind is ChatKind.GROUPCHAT for m in history)
            assert all(m.stanza_id for m in history)
            assert {m.resource for m in history} == {"alice"}
            assert await bob.app.history.load_older(bob.account, room, ChatKind.GROUPCHAT) == 2
            assert await bob.app.history.load_older(bob.account, room, ChatKind.GROUPCHAT) == 0
            bodies = [m.body for m in bob.app.chat.history(bob.account, room)]
            assert bodies == [f"room {n}" for n in range(12)]
    finally:
        await bob.stop()
