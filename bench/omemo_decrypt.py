"""OMEMO archive benchmark: decrypt-and-store of N encrypted messages from XEP-0313.

A real Prosody (tests/support/prosody.py: loopback, STARTTLS, MAM; here without
offline storage, so the archive is the only way in, and archives in memory; with
XEP-0198, so alice's "acknowledged" means the server has archived it). Two
whole applications (``build_application``: store, core, XMPP adapter, OMEMO) in
this process: bob and alice log in (their OMEMO keys are published); bob logs out
and alice sends him N OMEMO encrypted messages (half OMEMO 2 with a XEP-0420 envelope, half
legacy OMEMO) in an established conversation (a message each way in each namespace
first, so these are ordinary ratchet messages, not key exchanges) and logs out.
Then bob's application starts again on its profile and catches up: every result
is decrypted and stored. Measured from bob's session start to the end of
the catch-up with every message committed: wall seconds, CPU seconds, messages
per second; the stored rows are checked (bodies and no decryption failure).

    .venv/bin/python bench/omemo_decrypt.py [--n 1000] [--reps 3] [--page 50]

Prints the figures and writes bench/results/omemo_decrypt-<stamp>.json (and
omemo_decrypt-latest.json). The Prosody started is ended by the fixture's cleanup.
"""

# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
SERVER_CONFIG = (
    'modules_disabled = {{ "s2s"; "dialback"; "limits"; "offline" }}\n'
    "max_archive_query_results = {page}\n"
    'storage = {{ archive = "memory" }}\n'
)
TIMEOUT = 600.0


async def start(root: Path, account: Any = None, **new: Any) -> Any:
    """An application on ``root``: a new account (``new``) or the stored one."""
    from siproxylin.app.bootstrap import build_application
    from siproxylin.app.logs import LogSettings
    from siproxylin.app.paths import resolve_paths
    from siproxylin.domain.config import AccountConfig, LogLevel, TlsPolicy
    from siproxylin.domain.ids import AccountId, Jid
    from siproxylin.domain.models import ConnectionState

    app = build_application(resolve_paths(data_dir=root), LogSettings(LogLevel.WARNING))
    if account is None:
        config = AccountConfig(
            id=AccountId(0),
            jid=Jid.parse(new["jid"]),
            server_host="127.0.0.1",
            server_port=new["port"],
            tls=TlsPolicy(ca_file=new["ca_file"]),
            log_level=LogLevel.WARNING,
        )
        account = (await app.accounts.add_account(config, new["password"])).id
    else:
        await app.start()
    for _ in range(300):
        if app.accounts.status(account).state is ConnectionState.ONLINE:
            break
        await asyncio.sleep(0.05)
    session = app.accounts.xmpp(account)
    await asyncio.wait_for(session.omemo.engine.manager(), 60)
    return app, account


async def fill(server: Any, scratch: Path, n: int, page: int) -> tuple[Path, Any, str]:
    """bob's profile with keys published, and N encrypted messages in his archive."""
    from siproxylin.domain.events import MessageAcked, MessageReceived
    from siproxylin.domain.ids import Jid
    from siproxylin.domain.models import OutgoingMessage
    from siproxylin.xmpp.omemo.plugin import NS_LEGACY, NS_OMEMO2

    a_jid, a_pw = server.new_account("alice")
    b_jid, b_pw = server.new_account("bob")
    common = {"port": server.c2s_port, "ca_file": str(server.ca_file)}
    bob_root = scratch / "bob"
    bob, bob_account = await start(bob_root, jid=b_jid, password=b_pw, **common)
    bob.history.page_size = page
    alice, alice_account = await start(scratch / "alice", jid=a_jid, password=a_pw, **common)
    session = alice.accounts.xmpp(alice_account)
    engine = session.omemo.engine
    to = Jid.parse(b_jid)
    # An established conversation: a message each way in each namespace, so the
    # messages measured are ordinary ratchet messages, not key exchanges.
    got: list[str] = []
    bob.bus.subscribe(MessageReceived, lambda e: got.append(e.body))
    alice.bus.subscribe(MessageReceived, lambda e: got.append(e.body))
    bob_session = bob.accounts.xmpp(bob_account)
    for namespace in (NS_OMEMO2, NS_LEGACY):
        engine.send_namespaces = bob_session.omemo.engine.send_namespaces = (namespace,)
        session.send_message(
            OutgoingMessage(to, f"hi {namespace}", uuid.uuid4().hex, encrypted=True)
        )
        back = OutgoingMessage(
            Jid.parse(a_jid), f"re {namespace}", uuid.uuid4().hex, encrypted=True
        )
        while f"hi {namespace}" not in got:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        bob_session.send_message(back)
        while f"re {namespace}" not in got:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    await bob.stop()
    kex = count_key_exchanges(engine)
    acked: set[str] = set()
    alice.bus.subscribe(MessageAcked, lambda e: acked.add(e.origin_id))
    origins = []
    for i in range(n):
        engine.send_namespaces = (NS_OMEMO2,) if i % 2 == 0 else (NS_LEGACY,)
        origin = uuid.uuid4().hex
        origins.append(origin)
        session.send_message(OutgoingMessage(to, f"omemo {i}", origin, encrypted=True))
        await asyncio.sleep(0)
        if i % 50 == 49:  # the encryption is asynchronous: let it keep up
            while len(acked) < i - 10:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    deadline = time.monotonic() + TIMEOUT
    while not acked.issuperset(origins):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(acked)} of {n} acknowledged")
        await asyncio.sleep(0.05)
    await alice.stop()
    return bob_root, bob_account, kex[0]


def count_key_exchanges(engine: Any) -> list[int]:
    """Counts the messages ``engine`` encrypts as key exchanges (one X3DH each on
    the receiving side) in a one-element list."""
    encrypt = engine.encrypt
    count = [0]

    async def counting(*args: Any) -> Any:
        out = await encrypt(*args)
        count[0] += any(
            key.get("kex") in ("true", "1") or key.get("prekey") in ("true", "1")
            for key in out.iter()
            if key.tag.endswith("}key")
        )
        return out

    engine.encrypt = counting
    return count


async def catch_up(root: Path, account: Any, n: int, page: int) -> dict[str, Any]:
    """bob starts again; his catch-up decrypts and stores the N messages."""
    from siproxylin.domain.events import (
        HistorySyncStateChanged,
        MessageReceived,
        SessionStarted,
    )

    marks: dict[str, float] = {}
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Any] = loop.create_future()
    counts = {"encrypted": 0, "failed": 0}

    def on_started(_event: Any) -> None:
        marks.setdefault("t0", time.perf_counter())
        marks.setdefault("c0", time.process_time())

    def on_sync(event: Any) -> None:
        if marks and not event.syncing and not done.done():
            done.set_result(event)

    def on_message(event: Any) -> None:
        counts["encrypted"] += event.encryption.value != "none"
        counts["failed"] += bool(event.decryption_error)

    from siproxylin.app.bootstrap import build_application
    from siproxylin.app.logs import LogSettings
    from siproxylin.app.paths import resolve_paths
    from siproxylin.domain.config import LogLevel

    app = build_application(resolve_paths(data_dir=root), LogSettings(LogLevel.WARNING))
    app.history.page_size = page
    app.bus.subscribe(SessionStarted, on_started)
    app.bus.subscribe(HistorySyncStateChanged, on_sync)
    app.bus.subscribe(MessageReceived, on_message)
    await app.start()
    end = await asyncio.wait_for(done, TIMEOUT)
    app.db.commit()
    wall, cpu = time.perf_counter() - marks["t0"], time.process_time() - marks["c0"]
    (stored,) = app.db.read_one(
        "SELECT count(DISTINCT body) FROM message WHERE body LIKE 'omemo %'"
    ) or (0,)
    await app.stop()
    # After the stop (every message received is published before it): the whole count.
    import sqlite3

    with sqlite3.connect(root / "data" / "siproxylin.db") as db:
        (kept,) = db.execute(
            "SELECT count(DISTINCT body) FROM message WHERE body LIKE 'omemo %'"
        ).fetchone()
    return {
        "stored": stored,
        "stored_after_stop": kept,
        "fetched": end.fetched,
        "decrypted_events": counts["encrypted"],
        "failed": counts["failed"],
        "wall_s": wall,
        "cpu_s": cpu,
        "msgs_per_s": stored / wall if wall else 0.0,
        "cpu_ms_per_msg": cpu * 1000 / max(stored, 1),
    }


async def bench(args: argparse.Namespace, scratch: Path) -> list[dict[str, Any]]:
    from tests.support.certs import generate_certs
    from tests.support.prosody import ProsodyServer

    certs = generate_certs()
    server = ProsodyServer(certs, extra_global_config=SERVER_CONFIG.format(page=args.page))
    server.start()
    runs = []
    try:
        for rep in range(args.reps):
            t0 = time.monotonic()
            root, account, kex = await fill(server, scratch / f"rep{rep}", args.n, args.page)
            print(f"rep {rep}: archive filled in {time.monotonic() - t0:.1f} s")
            run = await catch_up(root, account, args.n, args.page)
            run["key_exchanges_sent"] = kex
            print(
                f"rep {rep}: {run['stored']} stored in {run['wall_s']:.2f} s"
                f" ({run['msgs_per_s']:.0f} msg/s, cpu {run['cpu_ms_per_msg']:.2f} ms/msg,"
                f" {run['failed']} failed, {kex} sent as key exchanges)"
            )
            runs.append(run)
    finally:
        server.cleanup()
        shutil.rmtree(certs.directory, ignore_errors=True)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--page", type=int, default=50)
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="siproxylin-omemo-bench-"))
    try:
        runs = asyncio.run(bench(args, scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    rate = [r["msgs_per_s"] for r in runs]
    summary = {
        "msgs_per_s_median": statistics.median(rate),
        "msgs_per_s_min": min(rate),
        "msgs_per_s_max": max(rate),
        "cpu_ms_per_msg_median": statistics.median(r["cpu_ms_per_msg"] for r in runs),
        "all_stored": all(r["stored"] == args.n for r in runs),
        "all_kept": all(r["stored_after_stop"] == args.n for r in runs),
        "failed": sum(r["failed"] for r in runs),
    }
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    document = {
        "benchmark": "omemo_decrypt",
        "when": stamp,
        "n": args.n,
        "page": args.page,
        "reps": args.reps,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "summary": summary,
        "runs": runs,
    }
    print(json.dumps(summary, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(document, indent=2) + "\n"
    (RESULTS / f"omemo_decrypt-{stamp}.json").write_text(payload)
    (RESULTS / "omemo_decrypt-latest.json").write_text(payload)
    return 0 if summary["all_kept"] and not summary["failed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
