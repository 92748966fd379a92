"""Call media benchmark: set-up time, CPU and end-to-end audio latency through a real TURN relay.

A real coturn (tests/support/coturn.py, loopback) and two relay-only ``RelayPeer``s
in this process, SDP passed directly. For each route (TURN/UDP direct, and
TURN/TCP through a real SOCKS5 proxy, microsocks, with the TURN name resolved by
the proxy):

* set-up: ``--setups`` short calls; from the start of the SDP exchange (offer
  created) to the first decoded audio frame at the answerer;
* one call of ``--seconds`` (default 20) with audio both ways: this process's CPU
  (both peers: Opus encode and decode, DTLS-SRTP, ICE, TURN) and coturn's CPU,
  from /proc;
* latency: the offerer sends a 100 ms 1 kHz beep every second; each beep's
  first frame is timestamped when the source hands it out and again when the
  answerer's sink receives the first loud frame (same clock: one process).

    .venv/bin/python bench/call_media.py [--seconds 20] [--setups 5]

Prints the figures and writes bench/results/call_media-<stamp>.json (and
call_media-latest.json). coturn and microsocks are stopped by PID at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from siproxylin.domain.call_media import TurnScheme, TurnServer, TurnTransport  # noqa: E402
from siproxylin.domain.config import ProxyConfig, ProxyKind  # noqa: E402
from siproxylin.domain.ids import AccountId  # noqa: E402
from siproxylin.media.peer import RelayPeer  # noqa: E402
from siproxylin.media.tone import RecordingSink, ToneSource, rms  # noqa: E402
from siproxylin.net.network import AccountNetwork  # noqa: E402
from siproxylin.net.turn import TurnRoute  # noqa: E402
from tests.support.certs import generate_certs  # noqa: E402
from tests.support.coturn import CoturnServer  # noqa: E402
from tests.support.proxies import LOOPBACK, TEST_DOMAIN, MicrosocksProxy  # noqa: E402

RESULTS = ROOT / "bench" / "results"
LOUD = 1000.0
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` from /proc (children not included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Route:
    """How both peers reach coturn in one scenario."""

    def __init__(self, name: str, turn: CoturnServer, proxy: MicrosocksProxy | None) -> None:
        self.name = name
        self.turn = turn
        self.proxy = proxy

    def server(self, user: str) -> TurnServer:
        username, password = self.turn.credentials(user)
        if self.proxy is None:
            return TurnServer(
                TurnScheme.TURN, LOOPBACK, self.turn.port, TurnTransport.UDP, username, password
            )
        return TurnServer(
            TurnScheme.TURN, TEST_DOMAIN, self.turn.port, TurnTransport.TCP, username, password
        )

    def route(self) -> TurnRoute:
        if self.proxy is None:
            return TurnRoute()
        config = ProxyConfig(ProxyKind.SOCKS5, LOOPBACK, self.proxy.port)
        return TurnRoute(AccountNetwork(AccountId(1), config))


async def start_call(
    route: Route, a_source: ToneSource, b_source: ToneSource
) -> tuple[RelayPeer, RelayPeer, RecordingSink, RecordingSink, float]:
    a_sink, b_sink = RecordingSink(), RecordingSink()
    a = RelayPeer(route.server("alice"), route.route(), a_source, a_sink)
    b = RelayPeer(route.server("bob"), route.route(), b_source, b_sink)
    started = time.monotonic()
    offer = await a.create_offer()
    answer = await b.accept_offer(offer)
    await a.set_answer(answer)
    return a, b, a_sink, b_sink, started


async def setup_time(route: Route) -> dict[str, float]:
    a, b, _, b_sink, started = await start_call(route, ToneSource(1000), ToneSource(600))
    try:
        await a.wait_connected()
        connected = time.monotonic() - started
        await asyncio.wait_for(b_sink.first_frame.wait(), 10)
        first = b_sink.frames[0].at - started
    finally:
        await asyncio.gather(a.close(), b.close())
    return {"connected_s": connected, "first_frame_s": first}


def beep_latencies(source: ToneSource, sink: RecordingSink) -> list[float]:
    """For each beep sent, the delay to the first loud frame received after it."""
    onsets = []
    quiet = True
    for frame in sink.frames:
        loud = rms(frame.pcm) > LOUD
        if loud and quiet:
            onsets.append(frame.at)
        quiet = not loud
    latencies = []
    for sent in source.beep_starts:
        later = [at for at in onsets if at >= sent]
        if later and later[0] - sent < 0.5:
            latencies.append(later[0] - sent)
    return latencies


async def long_call(route: Route, seconds: float) -> dict[str, Any]:
    beeps = ToneSource(1000, beep=(0.1, 1.0))
    a, b, a_sink, b_sink, _ = await start_call(route, beeps, ToneSource(600))
    try:
        await asyncio.gather(a.wait_connected(), b.wait_connected())
        await asyncio.sleep(1.0)  # jitter buffers filled, channels bound
        beeps.beep_starts.clear()
        b_sink.frames.clear()
        a_sink.frames.clear()
        turn_pid = route.turn.pid or 0
        wall0, cpu0, turn0 = time.monotonic(), time.process_time(), cpu_seconds(turn_pid)
        await asyncio.sleep(seconds)
        wall = time.monotonic() - wall0
        cpu = time.process_time() - cpu0
        turn_cpu = cpu_seconds(turn_pid) - turn0
        stats = await a.statistics()
    finally:
        await asyncio.gather(a.close(), b.close())
    latencies = beep_latencies(beeps, b_sink)
    return {
        "seconds": round(wall, 2),
        "cpu_percent_both_peers": round(100 * cpu / wall, 2),
        "cpu_percent_per_peer": round(50 * cpu / wall, 2),
        "coturn_cpu_percent": round(100 * turn_cpu / wall, 2),
        "frames_received_b": len(b_sink.frames),
        "frames_received_a": len(a_sink.frames),
        "beeps": len(latencies),
        "latency_ms_median": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "latency_ms_min": round(1000 * min(latencies), 1) if latencies else None,
        "latency_ms_max": round(1000 * max(latencies), 1) if latencies else None,
        "rtcp_rtt_ms": round(1000 * stats.round_trip, 2) if stats.round_trip else None,
        "packets_lost": stats.packets_lost,
        "selected_pair": [stats.selected_local, stats.selected_remote],
    }


async def bench(args: argparse.Namespace, route: Route) -> dict[str, Any]:
    setups = [await setup_time(route) for _ in range(args.setups)]
    call = await long_call(route, args.seconds)
    first = [s["first_frame_s"] for s in setups]
    return {
        "route": route.name,
        "setup_first_frame_ms_median": round(1000 * statistics.median(first), 1),
        "setup_first_frame_ms_max": round(1000 * max(first), 1),
        "setup_connected_ms_median": round(
            1000 * statistics.median(s["connected_s"] for s in setups), 1
        ),
        "call": call,
        "setups": setups,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--setups", type=int, default=5)
    args = parser.parse_args(argv)
    certs = generate_certs()
    results = []
    try:
        with CoturnServer(certs) as turn, MicrosocksProxy() as proxy:
            for route in (
                Route("turn-udp-direct", turn, None),
                Route("turn-tcp-socks5", turn, proxy),
            ):
                results.append(asyncio.run(bench(args, route)))
    finally:
        shutil.rmtree(certs.directory, ignore_errors=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    document = {
        "benchmark": "call_media",
        "when": stamp,
        "seconds": args.seconds,
        "setups": args.setups,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        },
        "results": results,
    }
    print(json.dumps(document, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(document, indent=2) + "\n"
    (RESULTS / f"call_media-{stamp}.json").write_text(payload)
    (RESULTS / "call_media-latest.json").write_text(payload)
    ok = all(r["call"]["beeps"] > 0 and r["call"]["frames_received_b"] > 0 for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
