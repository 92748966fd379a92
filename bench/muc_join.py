"""Group chat join benchmark: entering a room with 1,000 occupants without freezing the loop.

A real Prosody (tests/support/prosody.py) holds a room whose 1,000 occupants are
made inside the server through its admin shell (occupants with a session each,
like real ones; opening 1,000 XMPP connections would measure the bench, not the
client). The measured client is the whole headless application (store, core,
XMPP adapter) in this process, on its asyncio loop, which is the GUI's loop in
the app. For each repetition a new account joins the room and we measure:

complete_after_server_ms  from the arrival of the last chunk of the server's
                          presence flood (our own presence, status 110, comes last)
                          to ``OccupantsChanged(complete=True)`` with every occupant
                          in ``RoomService.occupants`` (target < 1,000 ms)
join_total_ms             from ``RoomService.join`` to that event (includes the
                          room's disco#info and the server's own work)
max_loop_stall_ms         the longest time the loop did not run a 1 ms ticker
                          while the flood was handled (UI responsiveness)
occupant_events           ``OccupantsChanged`` events the join produced (1: the
                          flood is one batch)

Then 500 occupants leave at once (kicked inside the server, each broadcast as
its own presence) and we count the ``OccupantsChanged`` events (batched per loop
turn) and the longest stall again.

With ``--gui`` the joiner also has the real main window (Qt offscreen, on a
qasync loop like the app) showing the room while it joins, and we add:

gui_complete_ms           from the core's complete occupant list to the window's
                          occupant list model holding every occupant
and the loop stall then also covers the model update and 200 ms of repainting.

    .venv/bin/python bench/muc_join.py [--occupants 1000] [--reps 3] [--gui]

Prints the figures and writes bench/results/muc_join-<UTC timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from siproxylin.app.bootstrap import build_application  # noqa: E402
from siproxylin.app.logs import LogSettings  # noqa: E402
from siproxylin.app.paths import resolve_paths  # noqa: E402
from siproxylin.domain.config import AccountConfig, TlsPolicy  # noqa: E402
from siproxylin.domain.events import AccountStateChanged, Event, OccupantsChanged  # noqa: E402
from siproxylin.domain.ids import AccountId, Jid  # noqa: E402
from siproxylin.domain.models import ChatKind, ConnectionState, RoomConfig  # noqa: E402
from siproxylin.gui.services import GuiServices  # noqa: E402
from siproxylin.gui.window import create_main_window  # noqa: E402
from tests.integration.harness import Client, EventLog  # noqa: E402
from tests.support.certs import generate_certs  # noqa: E402
from tests.support.prosody import ProsodyServer  # noqa: E402

RESULTS = ROOT / "bench" / "results"
BATCH = 250  # occupants created per admin shell command


def populate(server: ProsodyServer, room: Jid, start: int, count: int) -> None:
    """Put ``count`` occupants (bot<start>..) into ``room``, inside Prosody."""
    lua = (
        ">local st = require 'util.stanza'; "
        f"local room = prosody.hosts['{server.muc_domain}'].modules.muc"
        f".get_room_from_jid('{room}'); "
        f"for i = {start}, {start + count - 1} do "
        f"  local bare = 'bot' .. i .. '@{server.domain}'; local real = bare .. '/r'; "
        "  local nick = room.jid .. '/bot' .. i; "
        "  local occupant = room:new_occupant(bare, nick); "
        "  local presence = st.presence({ from = real, to = nick })"
        "    :tag('x', { xmlns = 'http://jabber.org/protocol/muc' }):up(); "
        "  occupant:set_session(real, presence, true); "
        "  room:save_occupant(occupant); "
        "end"
    )
    server.admin(lua, timeout=60)


def kick_many(server: ProsodyServer, room: Jid, count: int) -> None:
    """Kick bot1..bot<count> inside Prosody: each leaves with a broadcast presence."""
    lua = (
        f">local room = prosody.hosts['{server.muc_domain}'].modules.muc"
        f".get_room_from_jid('{room}'); "
        f"for i = 1, {count} do room:set_role(true, room.jid .. '/bot' .. i, nil, 'bench') end"
    )
    server.admin(lua, timeout=60)


class LoopProbe:
    """Longest gap between runs of a 1 ms ticker: how long the loop was busy."""

    def __init__(self) -> None:
        self.max_stall = 0.0
        self._last = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.max_stall = 0.0
        self._last = time.perf_counter()
        self._task = asyncio.get_running_loop().create_task(self._tick())

    async def stop(self) -> float:
        assert self._task is not None
        # The stall that ends right before stop() was not seen by the ticker yet.
        self.max_stall = max(self.max_stall, time.perf_counter() - self._last - 0.001)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        return self.max_stall

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.max_stall = max(self.max_stall, now - self._last - 0.001)
            self._last = now


class Arrivals:
    """Timestamps of the chunks the stream reads (wraps the protocol's data_received)."""

    def __init__(self, stream: Any) -> None:
        self.chunks: list[tuple[float, int]] = []
        original = stream.data_received

        def data_received(data: bytes) -> None:
            self.chunks.append((time.perf_counter(), len(data)))
            original(data)

        stream.data_received = data_received

    def reset(self) -> None:
        self.chunks.clear()

    def before(self, moment: float) -> list[tuple[float, int]]:
        """The chunks that arrived before ``moment``."""
        return [chunk for chunk in self.chunks if chunk[0] <= moment]


async def app_client(server: ProsodyServer, root: Path, jid: str, password: str) -> Client:
    """The headless application with the default log settings (no protocol log)."""
    app = build_application(resolve_paths(data_dir=root), LogSettings())
    log = EventLog()
    config = AccountConfig(
        id=AccountId(0),
        jid=Jid.parse(jid),
        server_host="127.0.0.1",
        server_port=server.c2s_port,
        tls=TlsPolicy(ca_file=str(server.ca_file)),
    )
    online = asyncio.Event()

    def on_state(event: AccountStateChanged) -> None:
        if event.status.state is ConnectionState.ONLINE:
            online.set()

    app.bus.subscribe(AccountStateChanged, on_state)
    stored = await app.accounts.add_account(config, password)
    await asyncio.wait_for(online.wait(), 30)
    return Client(app, log, stored.id, stored)


class GuiWatch:
    """The real main window showing the room, and when its occupant list filled up."""

    def __init__(self, client: Client, room: Jid, occupants: int) -> None:
        app = client.app
        services = GuiServices(
            app.bus, app.accounts, app.chat, app.roster, app.decisions, app.search,
            rooms=app.rooms, history=app.history, blocking=app.blocking,
        )  # fmt: skip
        self.window = create_main_window(services)
        self.window.resize(1100, 700)
        self.window.show()
        self.window.open_chat(client.account, room, ChatKind.GROUPCHAT)
        self.model = self.window.rooms.occupants
        self.wanted = occupants
        self.filled_at = 0.0
        self.model.modelReset.connect(self._check)
        self.model.rowsInserted.connect(self._check)

    def _check(self, *_args: Any) -> None:
        if not self.filled_at and self.model.count() >= self.wanted:
            self.filled_at = time.perf_counter()

    def close(self) -> None:
        self.window.close()
        self.window.deleteLater()


async def one_join(
    server: ProsodyServer, root: Path, room: Jid, leave: int, gui: bool = False, expected: int = 0
) -> dict[str, Any]:
    jid, password = server.new_account("joiner")
    client = await app_client(server, root, jid, password)
    watch: GuiWatch | None = None
    try:
        if gui:
            # The bots, the owner and the joiner itself.
            watch = GuiWatch(client, room, expected)
        await asyncio.sleep(0.5)  # let login traffic (roster, archive catch-up) settle
        arrivals = Arrivals(client.stream)
        events: list[tuple[float, OccupantsChanged]] = []
        complete = asyncio.Event()

        def on_event(event: Event) -> None:
            if isinstance(event, OccupantsChanged) and event.room == room:
                events.append((time.perf_counter(), event))
                if event.complete:
                    complete.set()

        client.app.bus.subscribe(Event, on_event)
        probe = LoopProbe()
        probe.start()
        arrivals.reset()
        t0 = time.perf_counter()
        await client.app.rooms.join(client.account, room, "joiner", remember=False)
        await asyncio.wait_for(complete.wait(), 60)
        t_complete = next(t for t, e in events if e.complete)
        # The chunk holding our own presence (it comes last) is the last one read
        # before the list was complete.
        chunks = arrivals.before(t_complete)
        last_chunk = chunks[-1][0]
        if watch is not None:
            deadline = time.perf_counter() + 10
            while not watch.filled_at and time.perf_counter() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.001)
            await asyncio.sleep(0.2)  # the window repaints with the new list
        stall = await probe.stop()
        occupants = len(client.app.rooms.occupants(client.account, room))
        join_events = len(events)
        result: dict[str, Any] = {
            "occupants": occupants,
            "complete_after_server_ms": round((t_complete - last_chunk) * 1000, 2),
            "flood_read_ms": round((last_chunk - chunks[0][0]) * 1000, 2),
            "join_total_ms": round((t_complete - t0) * 1000, 2),
            "max_loop_stall_ms": round(stall * 1000, 2),
            "occupant_events": join_events,
            "bytes_read": sum(size for _t, size in chunks),
            "chunks_read": len(chunks),
        }
        if watch is not None:
            result["gui_complete_ms"] = (
                round((watch.filled_at - t_complete) * 1000, 2) if watch.filled_at else None
            )
        if leave:
            events.clear()
            probe.start()
            before = occupants
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, kick_many, server, room, leave)
            deadline = time.perf_counter() + 30
            while (  # noqa: ASYNC110 (polls the service's occupant list)
                len(client.app.rooms.occupants(client.account, room)) > before - leave
                and time.perf_counter() < deadline
            ):
                await asyncio.sleep(0.005)
            await asyncio.sleep(0.05)
            result["leave"] = {
                "left": before - len(client.app.rooms.occupants(client.account, room)),
                "occupant_events": len(events),
                "max_loop_stall_ms": round(await probe.stop() * 1000, 2),
            }
            populate(server, room, 1, leave)  # put them back for the next repetition
        return result
    finally:
        if watch is not None:
            watch.close()
        await client.stop()


async def run(occupants: int, reps: int, leave: int, gui: bool = False) -> dict[str, Any]:
    certs = generate_certs()
    server = ProsodyServer(certs, log_level="warn")
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="muc-bench-") as scratch:
            root = Path(scratch)
            jid, password = server.new_account("owner")
            owner = await app_client(server, root / "owner", jid, password)
            room = Jid.parse(f"big@{server.muc_domain}")
            try:
                await owner.app.rooms.create(
                    owner.account, room, "owner", RoomConfig(persistent=True, public=False)
                )
                while room not in owner.app.rooms.joined_rooms(owner.account):  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
                t = time.perf_counter()
                for start in range(1, occupants + 1, BATCH):
                    populate(server, room, start, min(BATCH, occupants - start + 1))
                populate_s = time.perf_counter() - t
                runs = []
                for rep in range(reps):
                    result = await one_join(
                        server, root / f"joiner{rep}", room, leave, gui, occupants + 2
                    )
                    print(f"run {rep + 1}: {json.dumps(result)}", flush=True)
                    runs.append(result)
            finally:
                await owner.stop()
    finally:
        server.cleanup()
        shutil.rmtree(certs.directory, ignore_errors=True)

    def summary(key: str) -> dict[str, float]:
        values = [r[key] for r in runs]
        return {"median": statistics.median(values), "max": max(values), "min": min(values)}

    return {
        "benchmark": "muc_join",
        "occupants_in_room": occupants + 1,  # the bots and the owner
        "repetitions": reps,
        "populate_s": round(populate_s, 2),
        "complete_after_server_ms": summary("complete_after_server_ms"),
        "join_total_ms": summary("join_total_ms"),
        "max_loop_stall_ms": summary("max_loop_stall_ms"),
        "gui": gui,
        **({"gui_complete_ms": summary("gui_complete_ms")} if gui else {}),
        "target_complete_after_server_ms": 1000,
        "runs": runs,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": __import__("os").cpu_count(),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--occupants", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--leave", type=int, default=500, help="occupants that leave at once")
    parser.add_argument("--gui", action="store_true", help="with the main window, offscreen")
    args = parser.parse_args(argv)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    if args.gui:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        qapp = QApplication.instance() or QApplication([])
        qapp.setQuitOnLastWindowClosed(False)  # one window per repetition
        loop = qasync.QEventLoop(qapp)
        asyncio.set_event_loop(loop)
        with loop:
            report = loop.run_until_complete(run(args.occupants, args.reps, args.leave, True))
    else:
        report = asyncio.run(run(args.occupants, args.reps, args.leave))
    report["timestamp"] = stamp
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"muc_join-{stamp}.json"
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "runs"}, indent=1))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
