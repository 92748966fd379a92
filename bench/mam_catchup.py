"""Archive catch-up benchmark: Siproxylin reading N messages from its XEP-0313 archive.

bob's archive on a real Prosody (tests/support/prosody.py: loopback, STARTTLS,
MAM; here without offline storage, so the archive is the only way in, and without
smacks, like bench/message_burst.py) holds a seed message and then N chat messages
from alice. Two receivers read the N messages forward from the seed, page by page
(XEP-0059 ``after``), in separate processes, alternating, several repetitions:

* ``siproxylin``: the application without its GUI (``build_application``: store,
  core services, XMPP adapter) on a copy of a profile whose archive sync point is
  the seed. It logs in and catches up on its own; done is the end of the catch-up
  with every message committed to its SQLite store (checked by counting rows).
* ``floor``: a plain slixmpp client paging the same archive with the same page
  size, with one raw handler that counts the results and does nothing with them.

Measured inside each receiver, from session start to done: wall seconds, CPU
(``time.process_time``, all threads) per message; and the process's peak RSS
(``ru_maxrss``, whole lifetime). Targets: wall <= 1.3x the floor's, CPU <= 0.2
ms per message (medians).

    .venv/bin/python bench/mam_catchup.py [--n 10000] [--reps 5] [--page 50]
                                          [--storage memory|internal]
                                          [--quick] [--profile] [--keep]

Prints a table and writes bench/results/mam_catchup-<stamp>.json (and
mam_catchup-latest.json). ``--profile`` adds one client run under py-spy (not
counted) and prints where its CPU went. Every process started is ended by PID.
"""

# Each receiver imports only what it runs (its peak RSS is measured), so imports
# of slixmpp and siproxylin are made inside the functions that use them.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import datetime as dt
import json
import os
import platform
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
if not PYTHON.exists():
    PYTHON = Path(sys.executable)
CLIENT = "siproxylin"
FLOOR = "floor"
MAM = "urn:xmpp:mam:2"
RSM = "http://jabber.org/protocol/rsm"
TARGETS = {"wall_ratio": 1.3, "cpu_ms_per_msg": 0.2}
RUN_TIMEOUT = 300.0
# A Lua assignment later in the config replaces the fixture's: no offline storage
# (the archive is the only way in), no smacks (as in message_burst.py), no limits.
# Archives in memory by default: Prosody's file store reads a user's whole archive
# for every page (tens of seconds for 10,000 messages, on the server alone, which
# would hide the receivers' costs); a server with SQL storage pages in O(page).
SERVER_CONFIG = (
    'modules_disabled = {{ "s2s"; "dialback"; "limits"; "smacks"; "offline" }}\n'
    "max_archive_query_results = {page}\n"
    'storage = {{ archive = "{storage}" }}\n'
)

_LIBC = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- the receivers (run as child processes) ----------------------------------------


def _query_xml(queryid: str, after: str, page: int) -> ET.Element:
    query = ET.Element(f"{{{MAM}}}query", {"queryid": queryid})
    rsm = ET.SubElement(query, f"{{{RSM}}}set")
    ET.SubElement(rsm, f"{{{RSM}}}max").text = str(page)
    if after:
        ET.SubElement(rsm, f"{{{RSM}}}after").text = after
    return query


async def run_floor(args: argparse.Namespace) -> dict[str, Any]:
    """A plain slixmpp client pages the archive after ``--after``; counts the results."""
    from slixmpp import ClientXMPP
    from slixmpp.xmlstream.handler import Callback
    from slixmpp.xmlstream.matcher import MatchXPath

    client = ClientXMPP(f"{args.jid}/floor", args.password)
    client.ca_certs = Path(args.ca_file)
    client.enable_plaintext = False
    results = [0]

    def on_result(_stanza: Any) -> None:
        results[0] += 1

    client.register_handler(
        Callback("mam results", MatchXPath(f"{{jabber:client}}message/{{{MAM}}}result"), on_result)
    )
    started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    client.add_event_handler("session_start", lambda _e: started.set_result(None))
    client.connect(args.host, int(args.port))
    await asyncio.wait_for(started, 30)
    t0, c0 = time.perf_counter(), time.process_time()
    after, pages = args.after, 0
    while True:
        iq = client.Iq()
        iq["type"] = "set"
        iq.xml.append(_query_xml(uuid.uuid4().hex, after, args.page))
        reply = await iq.send(timeout=60)
        pages += 1
        fin = reply.xml.find(f"{{{MAM}}}fin")
        last = fin.findtext(f"{{{RSM}}}set/{{{RSM}}}last") if fin is not None else None
        if fin is None or fin.get("complete") == "true" or not last:
            break
        after = last
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    await client.disconnect(wait=2.0)
    return {"results": results[0], "pages": pages, "wall_s": wall, "cpu_s": cpu}


async def run_client(args: argparse.Namespace) -> dict[str, Any]:
    """The application on a prepared profile: login, catch-up, done when committed."""
    from siproxylin.app.bootstrap import build_application
    from siproxylin.app.logs import LogSettings
    from siproxylin.app.paths import resolve_paths
    from siproxylin.domain.config import LogLevel
    from siproxylin.domain.events import HistorySyncStateChanged, SessionStarted

    app = build_application(
        resolve_paths(data_dir=Path(args.data_dir)), LogSettings(LogLevel.WARNING)
    )
    app.history.page_size = args.page
    marks: dict[str, float] = {}
    done: asyncio.Future[HistorySyncStateChanged] = asyncio.get_running_loop().create_future()

    def on_started(_event: SessionStarted) -> None:
        marks.setdefault("t0", time.perf_counter())
        marks.setdefault("c0", time.process_time())

    def on_sync(event: HistorySyncStateChanged) -> None:
        if not event.syncing and not done.done():
            done.set_result(event)

    app.bus.subscribe(SessionStarted, on_started)
    app.bus.subscribe(HistorySyncStateChanged, on_sync)
    await app.start()
    end = await asyncio.wait_for(done, RUN_TIMEOUT)
    app.db.commit()  # what a loop turn ending would do: the last page is in the file
    wall, cpu = time.perf_counter() - marks["t0"], time.process_time() - marks["c0"]
    (stored,) = app.db.read_one("SELECT count(*) FROM message WHERE body LIKE 'msg %'") or (0,)
    await app.stop()
    return {
        "results": stored,
        "fetched": end.fetched,
        "complete": end.complete,
        "wall_s": wall,
        "cpu_s": cpu,
    }


def child_main(args: argparse.Namespace) -> int:
    if args.password_file:
        args.password = Path(args.password_file).read_text()
    runner = run_floor if args.role == FLOOR else run_client
    result = asyncio.run(runner(args))
    result["peak_rss_mb"] = _peak_rss_mb()
    Path(args.out).write_text(json.dumps(result))
    return 0


# --- the harness -------------------------------------------------------------------


class Processes:
    """Child processes, ended by PID (SIGTERM, then SIGKILL)."""

    def __init__(self) -> None:
        self.live: list[subprocess.Popen[bytes]] = []

    def run(self, cmd: list[str], log_path: Path, timeout: float) -> int:
        with open(log_path, "ab") as out:
            proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=_child_env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads here
            )
        self.live.append(proc)
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop(proc)
            raise
        finally:
            if proc in self.live:
                self.live.remove(proc)

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                proc.wait(5)

    def stop_all(self) -> None:
        for proc in list(self.live):
            self.stop(proc)


PROCS = Processes()


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # run from bytecode, as installed software does
    return env


async def prepare(server: Any, scratch: Path, n: int) -> tuple[dict[str, str], Path, str, float]:
    """alice, bob; the seed and N messages in bob's archive; bob's profile synced to the seed.

    Returns:
        bob's credentials, the profile template folder, the seed's archive id and time.
    """
    from siproxylin.app.paths import resolve_paths
    from siproxylin.core.ports import ArchivePage
    from siproxylin.domain.config import AccountConfig, LogLevel, TlsPolicy
    from siproxylin.domain.ids import AccountId, Jid
    from siproxylin.store.accounts import AccountsRepo
    from siproxylin.store.archive_sync import ArchiveSyncStore
    from siproxylin.store.db import Database
    from siproxylin.store.secrets import SECRETS_FILE, FileSecretStore
    from tests.support.xmpp import online

    a_jid, a_pw = server.new_account("alice")
    b_jid, b_pw = server.new_account("bob")
    async with online(server, a_jid, a_pw, presence=False) as alice:
        alice.send_raw(f"<message type='chat' to='{b_jid}' id='seed'><body>seed</body></message>")
        await alice.plugin["xep_0199"].ping(server.domain, timeout=30)
    seed_time = time.time()  # the sync point's time (only a fallback uses it)
    # The seed's archive id, as bob's archive has it: the last page, one result.
    async with online(server, b_jid, b_pw, presence=False) as bob:
        iq = bob.Iq()
        iq["type"] = "set"
        query = _query_xml("seed", "", 1)
        rsm = query.find(f"{{{RSM}}}set")
        assert rsm is not None
        ET.SubElement(rsm, f"{{{RSM}}}before")
        iq.xml.append(query)
        reply = await iq.send(timeout=30)
        seed_id = reply.xml.findtext(f"{{{MAM}}}fin/{{{RSM}}}set/{{{RSM}}}last")
        assert seed_id, "the seed is not in the archive"
    # N messages while bob is offline, pre-serialised, as fast as the socket takes them.
    async with online(server, a_jid, a_pw, presence=False) as alice:
        for i in range(n):
            alice.send_raw(
                f"<message type='chat' to='{b_jid}' id='m{i}'><body>msg {i}</body></message>"
            )
        await alice.plugin["xep_0199"].ping(server.domain, timeout=300)
    # bob's profile, written with the store API, synced up to the seed.
    template = scratch / "profile-template"
    paths = resolve_paths(data_dir=template)
    paths.create()
    secrets = FileSecretStore(paths.config / SECRETS_FILE)
    db = Database(paths.database)
    try:
        config = AccountConfig(
            id=AccountId(0),
            jid=Jid.parse(b_jid),
            server_host=server.host,
            server_port=server.c2s_port,
            tls=TlsPolicy(ca_file=str(server.ca_file)),
            log_level=LogLevel.WARNING,
        )
        stored = AccountsRepo(db, secrets).add_account(config)
        secrets.set_password(stored.id, b_pw)
        page = ArchivePage((), seed_id, seed_id, True, seed_time, seed_time)
        ArchiveSyncStore(db).record_backward(stored.id, Jid.parse(b_jid), None, "", page)
        db.commit()
    finally:
        db.close()
    password_file = scratch / "bob-password"
    password_file.write_text(b_pw)
    password_file.chmod(0o600)
    creds = {"jid": b_jid, "password_file": str(password_file)}
    return creds, template, seed_id, seed_time


def one_run(
    kind: str,
    rep: int,
    args: argparse.Namespace,
    server: Any,
    scratch: Path,
    creds: dict[str, str],
    template: Path,
    seed_id: str,
    profile: Path | None = None,
) -> dict[str, Any]:
    workdir = scratch / f"{kind}-{rep}"
    workdir.mkdir()
    out = workdir / "result.json"
    base = [str(PYTHON), str(Path(__file__).resolve()), "--role", kind, "--page", str(args.page)]
    base += ["--out", str(out)]
    if kind == CLIENT:
        data_dir = workdir / "profile"
        shutil.copytree(template, data_dir)
        cmd = [*base, "--data-dir", str(data_dir)]
    else:
        cmd = [*base, "--jid", creds["jid"], "--password-file", creds["password_file"]]
        cmd += ["--host", server.host, "--port", str(server.c2s_port)]
        cmd += ["--ca-file", str(server.ca_file), "--after", seed_id]
    if profile is not None:
        spy = ROOT / ".venv" / "bin" / "py-spy"
        cmd = [str(spy), "record", "-r", "250", "-f", "raw", "-o", str(profile), "--", *cmd]
    code = PROCS.run(cmd, workdir / "process.log", RUN_TIMEOUT)
    if code != 0 or not out.exists():
        tail = (workdir / "process.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{kind} run {rep} failed (exit {code}):\n{tail}")
    result: dict[str, Any] = json.loads(out.read_text())
    result.update(kind=kind, rep=rep)
    result["cpu_ms_per_msg"] = result["cpu_s"] * 1000 / args.n
    if result["results"] != args.n:
        raise RuntimeError(f"{kind} run {rep}: {result['results']} of {args.n} messages")
    return result


def summarise(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


def report(runs: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    cells: dict[str, dict[str, Any]] = {}
    for kind in (CLIENT, FLOOR):
        mine = [r for r in runs if r["kind"] == kind]
        cells[kind] = {
            metric: summarise([r[metric] for r in mine])
            for metric in ("wall_s", "cpu_s", "cpu_ms_per_msg", "peak_rss_mb")
        }
    wall_ratio = cells[CLIENT]["wall_s"]["median"] / cells[FLOOR]["wall_s"]["median"]
    cpu = cells[CLIENT]["cpu_ms_per_msg"]["median"]
    targets = {
        "wall_ratio": {
            "value": round(wall_ratio, 3),
            "limit": TARGETS["wall_ratio"],
            "met": wall_ratio <= TARGETS["wall_ratio"],
        },
        "cpu_ms_per_msg": {
            "value": round(cpu, 4),
            "limit": TARGETS["cpu_ms_per_msg"],
            "met": cpu <= TARGETS["cpu_ms_per_msg"],
        },
    }
    return {"cells": cells, "targets": targets}


def render(summary: dict[str, Any], args: argparse.Namespace) -> str:
    def fmt(stat: dict[str, float], digits: int = 3) -> str:
        return f"{stat['median']:.{digits}f} [{stat['min']:.{digits}f}–{stat['max']:.{digits}f}]"

    lines = [
        f"# Archive catch-up, N={args.n}, page={args.page}, Prosody archive storage"
        f" {args.storage}, {args.reps} repetitions"
        " (median [min–max])",
        "",
        "| receiver | wall s | CPU s | CPU ms/msg | peak RSS MB |",
        "|---|---|---|---|---|",
    ]
    for kind in (CLIENT, FLOOR):
        c = summary["cells"][kind]
        lines.append(
            f"| {kind} | {fmt(c['wall_s'])} | {fmt(c['cpu_s'])} | "
            f"{fmt(c['cpu_ms_per_msg'], 4)} | {fmt(c['peak_rss_mb'], 1)} |"
        )
    lines.append("")
    for name, t in summary["targets"].items():
        state = "met" if t["met"] else "MISSED"
        lines.append(f"- {name}: {t['value']} (target <= {t['limit']}): {state}")
    return "\n".join(lines)


def summarise_profile(path: Path, top: int = 25) -> list[tuple[str, float]]:
    """Share of samples per function (self time) from a py-spy raw file."""
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        own[stack.split(";")[-1]] += int(count)
    return [(name, round(100 * c / total, 1)) for name, c in own.most_common(top)] if total else []


async def bench(args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    from tests.support.certs import generate_certs
    from tests.support.prosody import ProsodyServer

    certs = generate_certs()
    config = SERVER_CONFIG.format(page=args.page, storage=args.storage)
    server = ProsodyServer(certs, extra_global_config=config)
    server.start()
    try:
        t0 = time.monotonic()
        creds, template, seed_id, _seed_time = await prepare(server, scratch, args.n)
        print(f"archive filled with {args.n} messages in {time.monotonic() - t0:.1f} s")
        runs: list[dict[str, Any]] = []
        for rep in range(args.reps):
            order = (CLIENT, FLOOR) if rep % 2 == 0 else (FLOOR, CLIENT)
            for kind in order:
                run = await asyncio.to_thread(
                    one_run, kind, rep, args, server, scratch, creds, template, seed_id
                )
                print(
                    f"rep {rep} {kind:10s} wall {run['wall_s']:.3f} s  cpu {run['cpu_s']:.3f} s"
                    f"  ({run['cpu_ms_per_msg']:.4f} ms/msg)  peak RSS {run['peak_rss_mb']:.1f} MB"
                )
                runs.append(run)
        profile_top: list[tuple[str, float]] = []
        if args.profile:
            out = RESULTS / "profiles" / f"mam_catchup-{_stamp()}.raw"
            out.parent.mkdir(parents=True, exist_ok=True)
            await asyncio.to_thread(
                one_run, CLIENT, 99, args, server, scratch, creds, template, seed_id, out
            )
            profile_top = summarise_profile(out)
        return {"runs": runs, "profile_top": profile_top, "prosody": server_version()}
    finally:
        server.cleanup()
        shutil.rmtree(certs.directory, ignore_errors=True)


def server_version() -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "prosody"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return out.stdout.strip()
    return ""


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--page", type=int, default=50)
    parser.add_argument(
        "--storage",
        choices=("memory", "internal"),
        default="memory",
        help="Prosody's archive store (internal: its file store, slow per page)",
    )
    parser.add_argument("--quick", action="store_true", help="N=1000, 1 repetition")
    parser.add_argument("--profile", action="store_true", help="one more client run, py-spy")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    # A receiver's own options (the harness runs this file again as a child).
    parser.add_argument("--role", choices=(CLIENT, FLOOR))
    parser.add_argument("--out")
    parser.add_argument("--data-dir")
    parser.add_argument("--jid")
    parser.add_argument("--password-file")
    parser.add_argument("--host")
    parser.add_argument("--port")
    parser.add_argument("--ca-file")
    parser.add_argument("--after", default="")
    args = parser.parse_args(argv)
    if args.role:
        return child_main(args)
    if args.quick:
        args.n, args.reps = 1000, 1
    scratch = Path(tempfile.mkdtemp(prefix="siproxylin-mam-bench-"))

    def on_term(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)
    try:
        subprocess.run(
            [str(PYTHON), "-m", "compileall", "-q", str(ROOT / "siproxylin")],
            cwd=ROOT,
            env=_child_env(),
            capture_output=True,
            timeout=300,
            check=False,
        )
        result = asyncio.run(bench(args, scratch))
    finally:
        PROCS.stop_all()
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    summary = report(result["runs"], args)
    text = render(summary, args)
    print()
    print(text)
    if result["profile_top"]:
        print("\nclient profile, self time (% of samples):")
        for name, share in result["profile_top"]:
            print(f"  {share:5.1f}  {name}")
    document = {
        "benchmark": "mam_catchup",
        "when": _stamp(),
        "n": args.n,
        "page": args.page,
        "reps": args.reps,
        "server_archive_storage": args.storage,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "prosody": result["prosody"],
            "sqlite": sqlite3.sqlite_version,
        },
        **summary,
        "runs": result["runs"],
        "profile_top": result["profile_top"],
        "table": text,
    }
    if not args.quick:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"mam_catchup-{document['when']}.json"
        payload = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        path.write_text(payload)
        (RESULTS / "mam_catchup-latest.json").write_text(payload)
        print(f"\nwritten {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
