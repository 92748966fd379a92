"""Message-burst benchmark: the whole Siproxylin client against a real Prosody.

Measured the way shared/notes/performance-anchors.md measured profanity, poezio,
Gajim and the bare slixmpp floor, so the figures can be put side by side:

* one Prosody (tests/support/prosody.py) on loopback, STARTTLS, MAM for everyone,
  carbons, offline storage, no rate limits and (like the anchors) no smacks;
* alice, a plain slixmpp client inside this process, is the load generator; bob,
  the receiver, is either the whole client (``python -m siproxylin --data-dir DIR``
  with its GUI on Qt's offscreen platform) or ``bench/floor_client.py`` (slixmpp +
  one SQLite table, WAL, synchronous=NORMAL, commit per message: the anchors'
  "slix-commit-wal");
* alice and bob are fresh accounts for every cell, mutual contacts (set up with
  plain slixmpp before the receiver starts), so every store starts empty.

For every repetition and receiver:

login   process start -> alice receives bob's available presence ("connect");
        VmRSS after that plus 5 s idle; CPU over start + 5 s idle.
live    alice writes N pre-serialised ``<message type='chat'>`` stanzas with
        send_raw as fast as the socket takes them. Clock from the first write
        until every body "msg 0".."msg N-1" is in the receiver's SQLite file
        (polled every 20 ms through a read-only connection). Client CPU
        (utime+stime from /proc) over the burst, peak RSS (VmHWM reset through
        clear_refs before the burst), rows written, server ack (a ping alice
        sends after the burst comes back), Prosody CPU.
offline bob is not running; alice writes N stanzas, waits for the ping round
        trip (Prosody has stored them), then bob's process starts. Clock and
        CPU from process start (login included) until all N are stored; peak
        RSS over the whole process lifetime.

    .venv/bin/python bench/message_burst.py [--n 10000] [--reps 3] [--quick]
                                            [--profile] [--smacks]

Prints a table and writes bench/results/message_burst-<timestamp>.json and
bench/results/latest.json: every run, then per cell "median [min-max]", the
client/floor ratios and the targets (met / missed). ``--profile`` adds one live
and one offline run of the client under py-spy (not counted in the figures) and
summarises where its CPU goes. Every process it starts is ended by PID.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import datetime as dt
import json
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import slixmpp  # noqa: E402
from slixmpp import JID  # noqa: E402

from siproxylin.app.paths import resolve_paths  # noqa: E402
from siproxylin.domain.config import AccountConfig, LogLevel, TlsPolicy  # noqa: E402
from siproxylin.domain.ids import AccountId, Jid  # noqa: E402
from siproxylin.store.accounts import AccountsRepo  # noqa: E402
from siproxylin.store.db import Database  # noqa: E402
from siproxylin.store.secrets import SECRETS_FILE, FileSecretStore  # noqa: E402
from tests.support.certs import generate_certs  # noqa: E402
from tests.support.prosody import ProsodyServer  # noqa: E402
from tests.support.xmpp import connect_client, disconnect_client, make_client  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
if not PYTHON.exists():
    PYTHON = Path(sys.executable)
FLOOR_SCRIPT = ROOT / "bench" / "floor_client.py"

CLIENT = "siproxylin"
FLOOR = "floor"
RESOURCES = {CLIENT: "siproxylin", FLOOR: "floor"}  # AccountConfig's default resource

POLL = 0.020
IDLE = 5.0
CONNECT_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
MB = 1024 * 1024

TARGETS = {
    "wall_ratio": 1.3,  # client wall <= 1.3 x floor wall
    "cpu_ms_per_msg": 0.2,
    "idle_rss_mb": 120.0,
    "connect_s": 1.2,
}

# Prosody: the fixture already disables mod_limits (and sets 10 MB/s anyway). The
# anchors' server ran without smacks: disable it too unless --smacks. A Lua config
# assignment later in the file replaces the fixture's.
NO_SMACKS = 'modules_disabled = { "s2s"; "dialback"; "limits"; "smacks" }\n'


# --- processes --------------------------------------------------------------------

_LIBC = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # In the child, before exec: SIGTERM it if the benchmark dies without cleaning up.
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class Processes:
    """Every process the benchmark starts, ended by PID (SIGTERM, then SIGKILL)."""

    def __init__(self) -> None:
        self.live: list[subprocess.Popen[bytes]] = []

    def spawn(self, cmd: list[str], log_path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
        with open(log_path, "ab") as out:
            proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # no terminal Ctrl-C: we stop it ourselves
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads here
            )
        self.live.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> dict[str, Any]:
        """SIGTERM, wait ``timeout``, SIGKILL; returns how it went."""
        t0 = time.monotonic()
        killed = False
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                killed = True
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                proc.wait(5)
        if proc in self.live:
            self.live.remove(proc)
        return {
            "exit_code": proc.returncode,
            "stop_s": round(time.monotonic() - t0, 3),
            "killed": killed,
        }

    def stop_all(self) -> None:
        for proc in list(self.live):
            with contextlib.suppress(Exception):
                self.stop(proc, timeout=5)


PROCS = Processes()
RUNTIME_DIR: Path | None = None  # an XDG_RUNTIME_DIR for Qt, inside the scratch folder


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def status_mb(pid: int, key: str) -> float:
    """A ``VmRSS``/``VmHWM`` line of /proc/PID/status, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def reset_hwm(pid: int) -> None:
    """Reset VmHWM to the current RSS."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    # Passwords go to the profile's secrets.json, never to a desktop keyring.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    if RUNTIME_DIR is not None:
        env.setdefault("XDG_RUNTIME_DIR", str(RUNTIME_DIR))
    env["PYTHONUNBUFFERED"] = "1"
    # Receivers run from bytecode, as installed software does (pip and distro packages
    # compile it at install time). With PYTHONDONTWRITEBYTECODE inherited, the client
    # would compile its own modules from source on every start, a cost the floor
    # (whose one import, slixmpp, has its bytecode) never pays. See compile_bytecode.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_bytecode() -> bool:
    """Compile siproxylin's modules (into its git-ignored __pycache__ folders) once,
    before the first measured start."""
    try:
        done = subprocess.run(
            [str(PYTHON), "-m", "compileall", "-q", str(ROOT / "siproxylin")],
            cwd=ROOT, env=child_env(), capture_output=True, timeout=300, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


# --- the store, read-only ---------------------------------------------------------


class StorePoller:
    """Incrementally reads the receiver's message rows through a read-only connection.

    Args:
        path: The SQLite file.
        where: Extra condition selecting the received messages.
    """

    def __init__(self, path: Path, where: str = "") -> None:
        self.path = path
        self.sql = f"SELECT id, body FROM message WHERE id > ? {where} ORDER BY id"
        self.conn: sqlite3.Connection | None = None
        self.last_id = 0
        self.rows = 0
        self.seen: set[int] = set()
        self.first_at: float | None = None
        self.errors = 0

    def poll(self) -> int:
        """Read new rows; returns how many distinct message numbers are stored."""
        try:
            if self.conn is None:
                if not self.path.exists():
                    return len(self.seen)
                uri = f"file:{urllib.parse.quote(str(self.path))}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, isolation_level=None)
                self.conn.execute("PRAGMA busy_timeout = 1000")
            rows = self.conn.execute(self.sql, (self.last_id,)).fetchall()
        except sqlite3.Error:
            self.errors += 1
            self.close()
            return len(self.seen)
        for row_id, body in rows:
            self.last_id = row_id
            if isinstance(body, str) and body.startswith("msg "):
                self.rows += 1
                with contextlib.suppress(ValueError):
                    self.seen.add(int(body[4:]))
        if rows and self.first_at is None and self.seen:
            self.first_at = time.monotonic()
        return len(self.seen)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def count_rows(path: Path, where: str = "") -> int:
    """Message rows (with our bodies) in a store, read once at the end."""
    poller = StorePoller(path, where)
    poller.poll()
    poller.close()
    return poller.rows


# --- receivers --------------------------------------------------------------------


@dataclass
class Receiver:
    """How to prepare, start and read one kind of receiver."""

    kind: str
    workdir: Path
    jid: str
    password: str
    db_path: Path = field(init=False)
    where: str = field(init=False)
    cmd: list[str] = field(init=False)
    log_path: Path = field(init=False)

    def prepare(self, server: ProsodyServer) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / "process.log"
        if self.kind == CLIENT:
            self._prepare_client(server)
        else:
            self._prepare_floor(server)

    def _prepare_client(self, server: ProsodyServer) -> None:
        """bob's profile, written with the project's own store API."""
        data_dir = self.workdir / "profile"
        paths = resolve_paths(None, data_dir)
        paths.create()
        secrets = FileSecretStore(paths.config / SECRETS_FILE)
        db = Database(paths.database)
        try:
            config = AccountConfig(
                id=AccountId(0),
                jid=Jid.parse(self.jid),
                resource=RESOURCES[CLIENT],
                server_host=server.host,
                server_port=server.c2s_port,
                tls=TlsPolicy(ca_file=str(server.ca_file)),
                log_level=LogLevel.WARNING,
            )
            stored = AccountsRepo(db, secrets).add_account(config)
            secrets.set_password(stored.id, self.password)
            db.commit()
        finally:
            db.close()
        self.db_path = paths.database
        self.where = "AND direction = 0"
        self.cmd = [
            str(PYTHON), "-m", "siproxylin",
            "--data-dir", str(data_dir), "--log-level", "warning",
        ]  # fmt: skip

    def _prepare_floor(self, server: ProsodyServer) -> None:
        password_file = self.workdir / "password"
        fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.password)
        self.db_path = self.workdir / "floor.db"
        self.where = ""
        self.cmd = [
            str(PYTHON), str(FLOOR_SCRIPT),
            "--jid", self.jid, "--password-file", str(password_file),
            "--host", server.host, "--port", str(server.c2s_port),
            "--ca-file", str(server.ca_file), "--db", str(self.db_path),
            "--resource", RESOURCES[FLOOR],
        ]  # fmt: skip

    def start(self) -> subprocess.Popen[bytes]:
        return PROCS.spawn(self.cmd, self.log_path, child_env())

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(errors="replace").splitlines()[-lines:]
            return "\n".join(text)
        return ""


# --- alice ------------------------------------------------------------------------


class Alice:
    """The load generator: a plain slixmpp client that also watches bob's presence."""

    def __init__(self, server: ProsodyServer, jid: str, password: str) -> None:
        self.server = server
        self.jid = jid
        self.password = password
        self.client: Any = None
        self.available: dict[str, float] = {}
        self._waiters: list[tuple[str, asyncio.Future[float]]] = []

    async def connect(self) -> None:
        self.client = make_client(
            f"{self.jid}/bench", self.password, self.server, plugins=("xep_0199",)
        )
        self.client.add_event_handler("presence_available", self._on_available)
        await connect_client(self.client, self.server, presence=True)

    def _on_available(self, presence: Any) -> None:
        who = str(presence["from"])
        now = time.monotonic()
        self.available.setdefault(who, now)
        for full, fut in self._waiters:
            if full == who and not fut.done():
                fut.set_result(now)

    def forget_presence(self, full_jid: str) -> None:
        self.available.pop(full_jid, None)

    async def wait_available(
        self, full_jid: str, timeout: float, alive: Callable[[], bool]
    ) -> float:
        """When ``full_jid``'s available presence arrived (monotonic)."""
        if full_jid in self.available:
            return self.available[full_jid]
        fut: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters.append((full_jid, fut))
        deadline = time.monotonic() + timeout
        try:
            while not fut.done():
                if not alive():
                    raise RuntimeError(f"receiver exited before {full_jid} came online")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no presence from {full_jid} within {timeout} s")
                await asyncio.wait({fut}, timeout=0.05)
            return fut.result()
        finally:
            self._waiters.remove((full_jid, fut))

    async def befriend(self, bob_jid: str, bob_password: str) -> None:
        """Make alice and bob mutual contacts (subscription both), with a throw-away
        plain slixmpp session for bob that approves and subscribes back."""
        bob = make_client(f"{bob_jid}/setup", bob_password, self.server, plugins=())
        bob.auto_authorize = True
        bob.auto_subscribe = True
        self.client.auto_authorize = True
        await connect_client(bob, self.server, presence=True)
        try:
            self.client.send_presence(pto=bob_jid, ptype="subscribe")
            deadline = time.monotonic() + 15
            while True:
                a = self.client.client_roster[bob_jid]["subscription"]
                b = bob.client_roster[self.jid]["subscription"]
                if a == "both" and b == "both":
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"subscriptions not mutual: alice={a} bob={b}")
                await asyncio.sleep(0.01)
        finally:
            await disconnect_client(bob)

    def burst(self, bob_jid: str, n: int, tag: str) -> float:
        """Write N pre-serialised chat messages; returns the monotonic time of the
        first write."""
        stanzas = [
            (
                f"<message type='chat' id='{tag}-{i}' to='{bob_jid}'><body>msg {i}</body></message>"
            ).encode()
            for i in range(n)
        ]
        send = self.client.send_raw
        t0 = time.monotonic()
        for data in stanzas:
            send(data)
        return t0

    async def ping(self, timeout: float) -> float:
        """A ping round trip to the server; returns when it came back (monotonic)."""
        await self.client.plugin["xep_0199"].ping(JID(self.server.domain), timeout=timeout)
        return time.monotonic()

    async def close(self) -> None:
        if self.client is not None:
            await disconnect_client(self.client)
            self.client = None


# --- one cell ---------------------------------------------------------------------


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


async def _poll_until_done(
    poller: StorePoller,
    n: int,
    proc: subprocess.Popen[bytes],
    timeout: float,
) -> float | None:
    """Poll every 20 ms; the monotonic time all N were seen, or None on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        count = poller.poll()
        now = time.monotonic()
        if count >= n:
            return now
        if now > deadline or proc.poll() is not None:
            return None
        await asyncio.sleep(POLL)


class PySpy:
    """``py-spy record`` attached to a PID, raw (collapsed) output.

    Attaching fails until the target has loaded its interpreter, so :meth:`start`
    retries; the first few hundred milliseconds of a process are not sampled.
    """

    def __init__(self, pid: int, out: Path) -> None:
        self.pid = pid
        self.out = out
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self, tries: int = 20) -> bool:
        exe = shutil.which("py-spy") or str(PYTHON.parent / "py-spy")
        cmd = [
            exe, "record", "--pid", str(self.pid), "--rate", "250", "--format", "raw",
            "--output", str(self.out), "--nonblocking",
        ]  # fmt: skip
        for _ in range(tries):
            self.proc = PROCS.spawn(cmd, self.out.with_suffix(".log"), dict(os.environ))
            await asyncio.sleep(0.25)
            if self.proc.poll() is None:
                return True
            PROCS.stop(self.proc)
        self.proc = None
        return False

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(30)
        PROCS.stop(self.proc, timeout=2)


async def run_live(
    server: ProsodyServer, kind: str, n: int, workdir: Path, profile_dir: Path | None = None
) -> dict[str, Any]:
    alice_jid, alice_pw = server.new_account("alice")
    bob_jid, bob_pw = server.new_account("bob")
    alice = Alice(server, alice_jid, alice_pw)
    result: dict[str, Any] = {"kind": kind, "phase": "live", "n": n, "ok": False}
    proc = None
    try:
        await alice.connect()
        await alice.befriend(bob_jid, bob_pw)
        receiver = Receiver(kind, workdir, bob_jid, bob_pw)
        receiver.prepare(server)
        full = f"{bob_jid}/{RESOURCES[kind]}"
        alice.forget_presence(full)

        t_start = time.monotonic()
        proc = receiver.start()
        pid = proc.pid
        t_online = await alice.wait_available(
            full, CONNECT_TIMEOUT, lambda: proc is not None and proc.poll() is None
        )
        result["connect_s"] = _r(t_online - t_start)
        await asyncio.sleep(IDLE)
        result["idle_rss_mb"] = _r(status_mb(pid, "VmRSS"), 1)
        result["login_cpu_s"] = _r(cpu_seconds(pid))

        poller = StorePoller(receiver.db_path, receiver.where)
        poller.poll()
        result["rows_before"] = poller.rows
        spy = PySpy(pid, profile_dir / f"{kind}-live.txt") if profile_dir else None
        if spy and not await spy.start():
            result["profile_error"] = "py-spy could not attach"
        reset_hwm(pid)
        cpu0 = cpu_seconds(pid)
        pcpu0 = cpu_seconds(server.pid) if server.pid else 0.0

        t0 = alice.burst(bob_jid, n, "live")
        t_written = time.monotonic()
        ping = asyncio.ensure_future(alice.ping(timeout=max(120.0, n * 0.02)))
        done = await _poll_until_done(poller, n, proc, timeout=max(120.0, n * 0.02))
        cpu1 = cpu_seconds(pid) if proc.poll() is None else None
        hwm = status_mb(pid, "VmHWM") if proc.poll() is None else None
        if spy:
            spy.stop()
            result["profile"] = str(spy.out)
        if cpu1 is not None:
            await asyncio.sleep(1.0)  # work the client still does after the last row
            with contextlib.suppress(OSError):
                result["cpu_tail_1s"] = _r(cpu_seconds(pid) - cpu1)
        t_ack = await ping
        pcpu1 = cpu_seconds(server.pid) if server.pid else 0.0

        result.update(
            write_s=_r(t_written - t0),
            server_ack_s=_r(t_ack - t0),
            prosody_cpu_s=_r(pcpu1 - pcpu0),
            persisted=len(poller.seen),
            first_s=_r(poller.first_at - t0) if poller.first_at else None,
            poll_errors=poller.errors,
        )
        if done is not None and cpu1 is not None:
            wall = done - t0
            cpu = cpu1 - cpu0
            result.update(
                ok=True,
                wall_s=_r(wall),
                msg_per_s=round(n / wall),
                cpu_s=_r(cpu),
                cpu_ms_per_msg=_r(cpu * 1000 / n, 4),
                peak_rss_mb=_r(hwm, 1),
            )
        else:
            result["error"] = "timeout" if proc.poll() is None else "receiver exited"
        poller.close()
        result.update(PROCS.stop(proc))
        proc = None
        result["rows_written"] = count_rows(receiver.db_path, receiver.where)
        if not result["ok"] or result["exit_code"] != 0:
            result["log_tail"] = receiver.log_tail()
    finally:
        if proc is not None:
            PROCS.stop(proc)
        await alice.close()
    return result


async def run_offline(
    server: ProsodyServer, kind: str, n: int, workdir: Path, profile_dir: Path | None = None
) -> dict[str, Any]:
    alice_jid, alice_pw = server.new_account("alice")
    bob_jid, bob_pw = server.new_account("bob")
    alice = Alice(server, alice_jid, alice_pw)
    result: dict[str, Any] = {"kind": kind, "phase": "offline", "n": n, "ok": False}
    proc = None
    try:
        await alice.connect()
        await alice.befriend(bob_jid, bob_pw)
        receiver = Receiver(kind, workdir, bob_jid, bob_pw)
        receiver.prepare(server)
        full = f"{bob_jid}/{RESOURCES[kind]}"

        pcpu0 = cpu_seconds(server.pid) if server.pid else 0.0
        t_send = alice.burst(bob_jid, n, "offline")
        t_ack = await alice.ping(timeout=max(180.0, n * 0.05))
        pcpu1 = cpu_seconds(server.pid) if server.pid else 0.0
        result.update(server_ack_s=_r(t_ack - t_send), prosody_store_cpu_s=_r(pcpu1 - pcpu0))

        poller = StorePoller(receiver.db_path, receiver.where)
        poller.poll()
        result["rows_before"] = poller.rows
        alice.forget_presence(full)
        pcpu2 = cpu_seconds(server.pid) if server.pid else 0.0
        t0 = time.monotonic()
        proc = receiver.start()
        pid = proc.pid
        spy = PySpy(pid, profile_dir / f"{kind}-offline.txt") if profile_dir else None
        if spy:
            # Not awaited: the clock runs from process start, attaching must not stall it.
            attach = asyncio.ensure_future(spy.start())
        done = await _poll_until_done(poller, n, proc, timeout=max(180.0, n * 0.05))
        cpu1 = cpu_seconds(pid) if proc.poll() is None else None
        hwm = status_mb(pid, "VmHWM") if proc.poll() is None else None
        if spy:
            await attach
            spy.stop()
            result["profile"] = str(spy.out)
        pcpu3 = cpu_seconds(server.pid) if server.pid else 0.0
        online = alice.available.get(full)
        result.update(
            connect_s=_r(online - t0) if online else None,
            prosody_cpu_s=_r(pcpu3 - pcpu2),
            persisted=len(poller.seen),
            first_s=_r(poller.first_at - t0) if poller.first_at else None,
            poll_errors=poller.errors,
        )
        if done is not None and cpu1 is not None:
            wall = done - t0
            result.update(
                ok=True,
                wall_s=_r(wall),
                msg_per_s=round(n / wall),
                cpu_s=_r(cpu1),
                cpu_ms_per_msg=_r(cpu1 * 1000 / n, 4),
                peak_rss_mb=_r(hwm, 1),
            )
        else:
            result["error"] = "timeout" if proc.poll() is None else "receiver exited"
        poller.close()
        result.update(PROCS.stop(proc))
        proc = None
        result["rows_written"] = count_rows(receiver.db_path, receiver.where)
        if not result["ok"] or result["exit_code"] != 0:
            result["log_tail"] = receiver.log_tail()
    finally:
        if proc is not None:
            PROCS.stop(proc)
        await alice.close()
    return result


# --- statistics and report ----------------------------------------------------------

METRICS = {
    "login": ["connect_s", "idle_rss_mb", "login_cpu_s"],
    "live": [
        "wall_s", "msg_per_s", "cpu_s", "cpu_ms_per_msg", "peak_rss_mb",
        "rows_written", "first_s", "server_ack_s", "prosody_cpu_s",
    ],
    "offline": [
        "wall_s", "msg_per_s", "cpu_s", "cpu_ms_per_msg", "peak_rss_mb",
        "rows_written", "first_s", "connect_s", "server_ack_s", "prosody_cpu_s",
    ],
}  # fmt: skip


def summarise(values: list[float]) -> dict[str, Any] | None:
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {
        "median": round(statistics.median(values), 4),
        "min": min(values),
        "max": max(values),
        "values": values,
    }


def build_cells(runs: list[dict[str, Any]]) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for kind in (CLIENT, FLOOR):
        mine = [r for r in runs if r["kind"] == kind]
        live = [r for r in mine if r["phase"] == "live"]
        offline = [r for r in mine if r["phase"] == "offline"]
        cell: dict[str, Any] = {}
        for phase, group in (("login", live), ("live", live), ("offline", offline)):
            ok = [r for r in group if r.get("ok") or phase == "login"]
            cell[phase] = {"runs": len(group), "ok": sum(1 for r in group if r.get("ok"))}
            for metric in METRICS[phase]:
                cell[phase][metric] = summarise([r.get(metric) for r in ok])
        cells[kind] = cell
    return cells


def _median(cells: dict[str, Any], kind: str, phase: str, metric: str) -> float | None:
    stat = cells.get(kind, {}).get(phase, {}).get(metric)
    return None if stat is None else stat["median"]


def build_targets(cells: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    ratios: dict[str, Any] = {}
    for phase in ("live", "offline"):
        for metric in ("wall_s", "cpu_ms_per_msg"):
            client = _median(cells, CLIENT, phase, metric)
            floor = _median(cells, FLOOR, phase, metric)
            ratios[f"{phase}_{metric}"] = (
                round(client / floor, 2) if client is not None and floor else None
            )
    targets = []

    def target(name: str, value: float | None, limit: float, unit: str) -> None:
        targets.append(
            {
                "target": name,
                "value": value,
                "limit": limit,
                "unit": unit,
                "met": None if value is None else value <= limit,
            }
        )

    for phase in ("live", "offline"):
        target(f"{phase} wall <= 1.3x floor", ratios[f"{phase}_wall_s"], 1.3, "x floor")
    for phase in ("live", "offline"):
        target(
            f"{phase} CPU <= 0.2 ms/msg",
            _median(cells, CLIENT, phase, "cpu_ms_per_msg"),
            TARGETS["cpu_ms_per_msg"],
            "ms/msg",
        )
    target(
        "idle RSS <= 120 MB",
        _median(cells, CLIENT, "login", "idle_rss_mb"),
        TARGETS["idle_rss_mb"],
        "MB",
    )
    target(
        "start->connected <= 1.2 s",
        _median(cells, CLIENT, "login", "connect_s"),
        TARGETS["connect_s"],
        "s",
    )
    return ratios, targets


def fmt(stat: dict[str, Any] | None, digits: int = 2) -> str:
    if stat is None:
        return "-"

    def f(v: float) -> str:
        return f"{v:.{digits}f}" if digits else f"{v:.0f}"

    return f"{f(stat['median'])} [{f(stat['min'])}–{f(stat['max'])}]"


def render(report: dict[str, Any]) -> str:
    cells, n = report["cells"], report["meta"]["n"]
    out = ["", f"## Login and idle (live runs; N={n})", ""]
    out.append("| receiver | runs | connect s | idle RSS MB | login CPU s (start+5 s idle) |")
    out.append("|---|---|---|---|---|")
    for kind in (CLIENT, FLOOR):
        c = cells[kind]["login"]
        out.append(
            f"| {kind} | {c['runs']} | {fmt(c['connect_s'])} | {fmt(c['idle_rss_mb'], 1)} "
            f"| {fmt(c['login_cpu_s'])} |"
        )
    for phase, title in (("live", "Live burst"), ("offline", "Offline catch-up")):
        out += ["", f"## {title}", ""]
        extra = "connect s | " if phase == "offline" else ""
        out.append(
            "| receiver | N | ok | all N persisted s | msg/s | client CPU s | CPU ms/msg "
            f"| peak RSS MB | rows written | first row s | {extra}server ack s | prosody CPU s |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|" + ("---|" if extra else ""))
        for kind in (CLIENT, FLOOR):
            c = cells[kind][phase]
            row = (
                f"| {kind} | {n} | {c['ok']}/{c['runs']} | {fmt(c['wall_s'])} "
                f"| {fmt(c['msg_per_s'], 0)} | {fmt(c['cpu_s'])} | {fmt(c['cpu_ms_per_msg'], 3)} "
                f"| {fmt(c['peak_rss_mb'], 1)} | {fmt(c['rows_written'], 0)} "
                f"| {fmt(c['first_s'])} | "
            )
            if extra:
                row += f"{fmt(c['connect_s'])} | "
            row += f"{fmt(c['server_ack_s'])} | {fmt(c['prosody_cpu_s'])} |"
            out.append(row)
    out += ["", "## Ratios client / floor (medians)", ""]
    for name, value in report["ratios"].items():
        out.append(f"* {name}: {value if value is not None else '-'}")
    out += ["", "## Targets", "", "| target | value | met |", "|---|---|---|"]
    for t in report["targets"]:
        met = "-" if t["met"] is None else ("met" if t["met"] else "MISSED")
        value = "-" if t["value"] is None else f"{t['value']} {t['unit']}"
        out.append(f"| {t['target']} | {value} | {met} |")
    if report.get("profiles"):
        out += ["", "## Profile (py-spy, separate run; share of non-idle samples)"]
        for name, prof in report["profiles"].items():
            out += ["", f"### {name}: {prof['samples']} samples", "", "self:"]
            for row in prof["self"][:15]:
                out.append(f"  {row['pct']:5.1f}%  {row['frame']}")
            out.append("inclusive:")
            for row in prof["inclusive"][:25]:
                out.append(f"  {row['pct']:5.1f}%  {row['frame']}")
    return "\n".join(out)


def summarise_profile(path: Path) -> dict[str, Any] | None:
    """Top self and inclusive frames of a py-spy raw (collapsed stack) file."""
    if not path.exists():
        return None
    self_c: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame_name(f) for f in stack.split(";")]
        frames = [f for f in frames if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += count
        self_c[frames[-1]] += count
        for frame in set(frames):
            incl[frame] += count
    if not total:
        return None

    def top(counter: Counter[str], k: int) -> list[dict[str, Any]]:
        return [
            {"frame": f, "samples": c, "pct": round(100 * c / total, 1)}
            for f, c in counter.most_common(k)
        ]

    return {
        "file": str(path),
        "samples": total,
        "self": top(self_c, 30),
        "inclusive": top(incl, 50),
    }


def _frame_name(frame: str) -> str:
    # "function (path/to/file.py:123)" -> "function (package/file.py)"
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    file = where.rsplit(":", 1)[0]
    for marker in ("site-packages/", "/lib/python3", str(ROOT) + "/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{name} ({file})" if file else name


# --- main -------------------------------------------------------------------------


async def bench(args: argparse.Namespace, server: ProsodyServer, scratch: Path) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    for rep in range(args.reps):
        for kind in (FLOOR, CLIENT):
            for phase, fn in (("live", run_live), ("offline", run_offline)):
                workdir = scratch / f"rep{rep}-{kind}-{phase}"
                t = time.monotonic()
                try:
                    result = await fn(server, kind, args.n, workdir)
                except Exception as exc:  # a failed cell must not lose the others
                    result = {"kind": kind, "phase": phase, "n": args.n, "ok": False,
                              "error": f"{type(exc).__name__}: {exc}"}  # fmt: skip
                result["rep"] = rep
                runs.append(result)
                brief = {k: result.get(k) for k in (
                    "ok", "connect_s", "idle_rss_mb", "wall_s", "cpu_ms_per_msg",
                    "peak_rss_mb", "rows_written", "server_ack_s", "error",
                )}  # fmt: skip
                print(
                    f"rep {rep} {kind:10s} {phase:7s} ({time.monotonic() - t:5.1f} s): "
                    + ", ".join(f"{k}={v}" for k, v in brief.items() if v is not None),
                    flush=True,
                )
    profiles: dict[str, Any] = {}
    if args.profile:
        profile_dir = RESULTS / "profiles" / args.stamp
        profile_dir.mkdir(parents=True, exist_ok=True)
        for phase, fn in (("live", run_live), ("offline", run_offline)):
            try:
                result = await fn(server, CLIENT, args.n, scratch / f"profile-{phase}", profile_dir)
            except Exception as exc:
                print(f"profile {phase} failed: {exc!r}", flush=True)
                continue
            print(f"profile {phase}: ok={result.get('ok')} wall_s={result.get('wall_s')} "
                  f"cpu_ms_per_msg={result.get('cpu_ms_per_msg')}", flush=True)  # fmt: skip
            summary = summarise_profile(profile_dir / f"{CLIENT}-{phase}.txt")
            if summary is not None:
                summary["run"] = {k: v for k, v in result.items() if k != "log_tail"}
                profiles[f"{CLIENT} {phase}"] = summary
    cells = build_cells(runs)
    ratios, targets = build_targets(cells)
    return {"runs": runs, "cells": cells, "ratios": ratios, "targets": targets,
            "profiles": profiles}  # fmt: skip


def meta(args: argparse.Namespace, server: ProsodyServer) -> dict[str, Any]:
    def version(cmd: list[str]) -> str:
        with contextlib.suppress(Exception):
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        return "?"

    commit = version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    changed: list[str] = []
    with contextlib.suppress(Exception):
        status = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "siproxylin"],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
        changed = [line[3:] for line in status.stdout.splitlines() if line.strip()]
    return {
        "stamp": args.stamp,
        "n": args.n,
        "reps": args.reps,
        "quick": args.quick,
        "smacks": args.smacks,
        "commit": commit,
        "uncommitted_app_files": changed,  # others edit the tree while we measure
        "python": platform.python_version(),
        "slixmpp": slixmpp.__version__,
        "sqlite": sqlite3.sqlite_version,
        "prosody": version(["dpkg-query", "-W", "-f=${Version}", "prosody"]),
        "cpus": os.cpu_count(),
        "kernel": platform.release(),
        "prosody_port": server.c2s_port,
        "receiver_client": "python -m siproxylin --data-dir DIR --log-level warning "
        "(QT_QPA_PLATFORM=offscreen)",
        "receiver_floor": "bench/floor_client.py (slixmpp + SQLite WAL, commit per message)",
        "poll_s": POLL,
        "idle_s": IDLE,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Siproxylin message-burst benchmark")
    parser.add_argument("--n", type=int, default=10000, help="messages per burst")
    parser.add_argument("--reps", type=int, default=3, help="repetitions")
    parser.add_argument(
        "--quick", action="store_true", help="N=1000, one repetition; leaves latest.json alone"
    )
    parser.add_argument("--profile", action="store_true",
                        help="add a py-spy run of the client (live and offline)")  # fmt: skip
    parser.add_argument("--smacks", action="store_true",
                        help="keep Prosody's mod_smacks (the anchors ran without)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.reps = 1000, 1
    args.stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")

    def on_term(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    # Also when started in the background, where SIGINT comes in ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    scratch = Path(tempfile.mkdtemp(prefix="siproxylin-bench-"))
    global RUNTIME_DIR  # noqa: PLW0603
    RUNTIME_DIR = scratch / "xdg-runtime"
    RUNTIME_DIR.mkdir(mode=0o700)
    server: ProsodyServer | None = None
    try:
        server = ProsodyServer(
            generate_certs(), extra_global_config="" if args.smacks else NO_SMACKS
        )
        server.start()
        print(f"prosody {server!r}; scratch {scratch}", flush=True)
        compiled = compile_bytecode()
        report = {"meta": meta(args, server)}
        report["meta"]["bytecode_precompiled"] = compiled
        report.update(asyncio.run(bench(args, server, scratch)))
    finally:
        PROCS.stop_all()
        if server is not None:
            server.cleanup()
            shutil.rmtree(server.certs.directory, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=1, ensure_ascii=False)
    # A --quick sanity run does not replace the figures in latest.json.
    suffix = "-quick" if args.quick else ""
    out = RESULTS / f"message_burst-{args.stamp}{suffix}.json"
    out.write_text(text + "\n")
    written = [out]
    if not args.quick:
        (RESULTS / "latest.json").write_text(text + "\n")
        written.append(RESULTS / "latest.json")
    print(render(report))
    print("\nwrote " + " and ".join(str(p.relative_to(ROOT)) for p in written))
    failed = [r for r in report["runs"] if not r.get("ok")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
