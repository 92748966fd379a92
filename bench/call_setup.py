"""Whole-call benchmark: set-up over the real stack, CPU of one call, end-to-end latency.

Two complete headless clients (store, core, XMPP adapter, CallService) in this
process, a real Prosody handing out coturn credentials (XEP-0215 through
mod_turn_external) and a real coturn on loopback:

* set-up: ``--setups`` calls, each from ``start_call`` (the JMI propose) to the
  first decoded audio frame at the callee, which answers as soon as it rings
  (so ringing time is only the signalling round trips);
* CPU: one call of ``--seconds`` with audio both ways; this process's CPU (both
  clients: signalling, Opus, DTLS-SRTP, ICE, TURN) and coturn's;
* latency: the caller sends a 100 ms beep every second; each beep's first frame
  is timestamped at the source and again at the callee's sink (one clock).

    .venv/bin/python bench/call_setup.py [--seconds 20] [--setups 5]

Prints the figures and writes bench/results/call_setup-<stamp>.json (and
call_setup-latest.json). Prosody and coturn are stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.call_media import beep_latencies, cpu_seconds  # noqa: E402
from siproxylin.app.call_media import RelayMediaFactory  # noqa: E402
from siproxylin.domain.call_info import CallState  # noqa: E402
from siproxylin.domain.events import CallChanged, CallLogged  # noqa: E402
from siproxylin.domain.ids import AccountId  # noqa: E402
from siproxylin.media.audio import AudioSink, AudioSource  # noqa: E402
from siproxylin.media.tone import RecordingSink, ToneSource  # noqa: E402
from tests.integration.harness import Client, start_client  # noqa: E402
from tests.support.certs import generate_certs  # noqa: E402
from tests.support.coturn import CoturnServer  # noqa: E402
from tests.support.prosody import ProsodyServer  # noqa: E402
from tests.support.proxies import LOOPBACK  # noqa: E402

RESULTS = ROOT / "bench" / "results"


class Side:
    """One client whose next call uses ``source`` and records into a new sink."""

    def __init__(self) -> None:
        self.client: Client | None = None
        self.source: AudioSource = ToneSource(600)
        self.sinks: list[RecordingSink] = []

    def audio(self, _account: AccountId) -> tuple[AudioSource, AudioSink]:
        sink = RecordingSink()
        self.sinks.append(sink)
        return self.source, sink


async def client(server: ProsodyServer, root: Path, side: Side) -> Client:
    jid, password = server.new_account("bench")
    media = RelayMediaFactory(lambda _a: None, audio=side.audio)
    side.client = await start_client(
        root,
        jid,
        password,
        LOOPBACK,
        server.c2s_port,
        str(server.ca_file),
        app_options={"call_media": media},
    )
    return side.client


def auto_answer(callee: Client) -> None:
    calls = callee.app.calls
    assert calls is not None

    def on_change(event: CallChanged) -> None:
        if event.call.state is CallState.RINGING and event.call.direction.value == "incoming":
            calls.accept(event.call.call_id)

    callee.app.bus.subscribe(CallChanged, on_change)


async def one_call(caller: Client, callee: Client, sink_owner: Side) -> tuple[str, float]:
    calls = caller.app.calls
    assert calls is not None
    before = len(sink_owner.sinks)
    start = time.monotonic()
    info = calls.start_call(caller.account, callee.jid)
    async with asyncio.timeout(20):
        while len(sink_owner.sinks) == before:  # noqa: ASYNC110 - the call makes the sink
            await asyncio.sleep(0.001)
        await sink_owner.sinks[-1].first_frame.wait()
    return info.call_id, time.monotonic() - start


async def hang_up(caller: Client, callee: Client, call_id: str) -> None:
    assert caller.app.calls is not None
    caller.app.calls.hang_up(call_id)
    await callee.log.wait(CallLogged, lambda e: e.record.call_id == call_id, timeout=10)


async def run(seconds: float, setups: int) -> dict[str, Any]:
    certs = generate_certs()
    with CoturnServer(certs) as turn:
        config = (
            f'turn_external_secret = "{turn.secret}"\n'
            f'turn_external_host = "{LOOPBACK}"\n'
            f"turn_external_port = {turn.port}\n"
        )
        server = ProsodyServer(certs, extra_modules=["turn_external"], extra_global_config=config)
        server.start()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                a_side, b_side = Side(), Side()
                a_side.source = ToneSource(1000, beep=(0.1, 1.0))
                caller = await client(server, Path(tmp) / "a", a_side)
                callee = await client(server, Path(tmp) / "b", b_side)
                auto_answer(callee)
                times = []
                for _ in range(setups):
                    call_id, took = await one_call(caller, callee, b_side)
                    times.append(took)
                    await hang_up(caller, callee, call_id)
                call_id, _ = await one_call(caller, callee, b_side)
                await asyncio.sleep(1.0)
                beeps = a_side.source
                assert isinstance(beeps, ToneSource)
                beeps.beep_starts.clear()
                sink = b_side.sinks[-1]
                sink.frames.clear()
                wall0, cpu0, turn0 = (
                    time.monotonic(),
                    time.process_time(),
                    cpu_seconds(turn.pid or 0),
                )
                await asyncio.sleep(seconds)
                wall = time.monotonic() - wall0
                cpu = time.process_time() - cpu0
                turn_cpu = cpu_seconds(turn.pid or 0) - turn0
                latencies = beep_latencies(beeps, sink)
                received = len(sink.frames)
                await hang_up(caller, callee, call_id)
                await caller.stop()
                await callee.stop()
        finally:
            server.cleanup()
    return {
        "setup_s": {
            "median": statistics.median(times),
            "min": min(times),
            "max": max(times),
            "runs": times,
        },
        "cpu_percent_both_clients": 100 * cpu / wall,
        "cpu_percent_coturn": 100 * turn_cpu / wall,
        "frames_received_callee": received,
        "latency_ms": {
            "median": 1000 * statistics.median(latencies) if latencies else None,
            "min": 1000 * min(latencies) if latencies else None,
            "max": 1000 * max(latencies) if latencies else None,
            "beeps": len(latencies),
        },
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--setups", type=int, default=5)
    args = parser.parse_args()
    result = asyncio.run(run(args.seconds, args.setups))
    result["machine"] = {"python": platform.python_version(), "platform": platform.platform()}
    text = json.dumps(result, indent=2)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"call_setup-{stamp}.json").write_text(text + "\n", "utf-8")
    (RESULTS / "call_setup-latest.json").write_text(text + "\n", "utf-8")


if __name__ == "__main__":
    main()
