"""A libwebrtc peer in a node subprocess (``tests/support/wrtc/peer.js``), for call interop.

    reason = unavailable_reason()              # None when node and @roamhq/wrtc load
    peer = WrtcPeer(turn_uri, username, password, tone=440.0)
    await peer.start()                         # {"node": "v20...", ...}
    offer = await peer.create_offer()          # or: answer = await peer.accept_offer(sdp)
    await peer.set_answer(sdp)
    await peer.add_candidate("candidate:...", "0")
    peer.candidates                            # its trickled candidates, (line, mid)
    await peer.wait_state("connected")
    await peer.stats()                         # frames / loud frames / Hz it received, ...
    await peer.close()                         # asks it to close, then stops it by PID

libwebrtc is the ``@roamhq/wrtc`` npm package (node-webrtc with a prebuilt libwebrtc
M128), installed into ``tests/support/wrtc/node_modules`` by ``make test``
(``npm ci``, pinned by the package-lock). The peer is relay-only with one TURN server
on loopback and talks JSON lines over stdin/stdout; its stderr goes to a log file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from .proxies import deathsig_prefix, tail

WRTC_DIR = Path(__file__).resolve().parent / "wrtc"
PEER_SCRIPT = WRTC_DIR / "peer.js"
PACKAGE = "@roamhq/wrtc"
INSTALL_HINT = (
    "run `make wrtc` (node and npm from tools/install-test-deps.sh when missing, then "
    "`npm ci --prefix tests/support/wrtc --ignore-scripts`)"
)
REPLY_TIMEOUT = 15.0
STOP_TIMEOUT = 3.0


class WrtcPeerError(RuntimeError):
    """The node peer reported an error or went away."""


@cache
def unavailable_reason() -> str | None:
    """Why the libwebrtc peer cannot run here, or None when it can (checked once)."""
    node = shutil.which("node")
    if node is None:
        return f"node is not installed: {INSTALL_HINT}"
    if not (WRTC_DIR / "node_modules" / PACKAGE).is_dir():
        return f"{PACKAGE} is not installed in {WRTC_DIR}: {INSTALL_HINT}"
    try:
        probe = subprocess.run(
            [node, "-e", f"require({PACKAGE!r}); process.stdout.write(process.version)"],
            cwd=WRTC_DIR,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"node cannot run: {exc}"
    if probe.returncode != 0:
        lines = probe.stderr.strip().splitlines()
        detail = next((line for line in lines if "Error" in line), lines[-1] if lines else "")
        return f"{PACKAGE} does not load with node: {detail}"
    return None


class WrtcPeer:
    """One libwebrtc RTCPeerConnection in its own node process."""

    def __init__(
        self,
        turn_uri: str,
        username: str,
        credential: str,
        *,
        tone: float = 440.0,
        trickle: bool = True,
    ) -> None:
        self.argv = [
            shutil.which("node") or "node",
            str(PEER_SCRIPT),
            "--turn",
            turn_uri,
            "--username",
            username,
            "--credential",
            credential,
            "--tone",
            f"{tone:g}",
            "--trickle" if trickle else "--no-trickle",
        ]
        self.ready: dict[str, Any] = {}  # node version, N-API version, TURN URI
        self.candidates: list[tuple[str, str]] = []  # (candidate line, mid), as trickled
        self.states: list[str] = []
        self.errors: list[str] = []
        self.gathered = asyncio.Event()
        self.new_candidate = asyncio.Event()
        self._dir = Path(tempfile.mkdtemp(prefix="siproxylin-wrtc-"))
        self.log_path = self._dir / "peer.log"
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiting: dict[str, asyncio.Future[Any]] = {}
        self._state_changed = asyncio.Event()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # ---- process ------------------------------------------------------------------

    async def start(self) -> dict[str, Any]:
        """Start node; returns its ``ready`` line (node version, TURN URI)."""
        with _open_log(self.log_path) as log:
            self._proc = await asyncio.create_subprocess_exec(
                *deathsig_prefix(),
                *self.argv,
                cwd=WRTC_DIR,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
                start_new_session=True,
            )
        ready = self._expect("ready")
        self._reader = asyncio.create_task(self._read())
        self.ready = dict(await self._reply(ready, timeout=30.0))
        return self.ready

    async def close(self) -> None:
        """Ask the peer to close, then stop the process by its PID. Safe to call twice."""
        proc = self._proc
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(WrtcPeerError, TimeoutError, ConnectionError):
                closed = self._expect("closed")
                await self._send({"close": True})
                await self._reply(closed, timeout=STOP_TIMEOUT)
        await _stop(proc)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        self._proc = None
        if not os.environ.get("SIPROXYLIN_KEEP_TEST_SERVERS"):
            shutil.rmtree(self._dir, ignore_errors=True)

    def log_text(self) -> str:
        return tail(self.log_path)

    # ---- signalling ----------------------------------------------------------------

    async def create_offer(self) -> str:
        """libwebrtc's offer (candidates trickled separately unless ``trickle=False``)."""
        return str(await self._ask({"create_offer": True}, "offer"))

    async def accept_offer(self, sdp: str) -> str:
        """Give it our offer; returns its answer."""
        return str(await self._ask({"offer": sdp}, "answer"))

    async def set_answer(self, sdp: str) -> None:
        """Give it the answer to its offer."""
        await self._ask({"answer": sdp}, "answered")

    async def add_candidate(self, candidate: str, mid: str) -> None:
        """One remote candidate (``candidate:...``), as a transport-info would bring it."""
        await self._send({"candidate": candidate, "mid": mid})

    async def stats(self) -> dict[str, Any]:
        """What it measured: state, selected pair, frames and loud frames received, Hz."""
        return dict(await self._ask({"stats": True}, "stats"))

    async def wait_state(self, state: str, timeout: float = 10.0) -> None:
        """Wait until its connection state is ``state``."""
        async with asyncio.timeout(timeout):
            while state not in self.states:
                if "failed" in self.states or "closed" in self.states:
                    raise WrtcPeerError(f"libwebrtc connection states: {self.states}")
                self._state_changed.clear()
                await self._state_changed.wait()

    # ---- JSON lines ----------------------------------------------------------------

    def _expect(self, key: str) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[key] = future
        return future

    async def _ask(self, message: dict[str, Any], key: str) -> Any:
        future = self._expect(key)
        await self._send(message)
        return await self._reply(future)

    async def _reply(self, future: asyncio.Future[Any], timeout: float = REPLY_TIMEOUT) -> Any:
        async with asyncio.timeout(timeout):
            return await future

    async def _send(self, message: dict[str, Any]) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None or proc.returncode is not None:
            raise WrtcPeerError(f"the libwebrtc peer is not running\n{self.log_text()}")
        proc.stdin.write(json.dumps(message).encode() + b"\n")
        await proc.stdin.drain()

    async def _read(self) -> None:
        while await self._read_one():
            pass
        gone = WrtcPeerError(f"the libwebrtc peer exited\n{self.log_text()}")
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(gone)

    async def _read_one(self) -> bool:
        assert self._proc is not None
        assert self._proc.stdout is not None
        line = await self._proc.stdout.readline()
        if not line:
            return False
        try:
            message = json.loads(line)
        except ValueError:
            self.errors.append(f"not JSON: {line[:80]!r}")
            return True
        self._dispatch(message)
        return True

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "candidate" in message:
            self.candidates.append((message["candidate"], str(message.get("mid") or "0")))
            self.new_candidate.set()
        elif "gathered" in message:
            self.gathered.set()
        elif "state" in message:
            self.states.append(message["state"])
            self._state_changed.set()
        elif "error" in message:
            self.errors.append(message["error"])
            for future in self._waiting.values():
                if not future.done():
                    future.set_exception(WrtcPeerError(message["error"]))
        for key, value in message.items():
            waiter = self._waiting.pop(key, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(value)


def _open_log(path: Path) -> BinaryIO:
    return open(path, "ab")  # the caller closes it (a with block)


async def _stop(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM by PID, SIGKILL if it is still there after ``STOP_TIMEOUT``."""
    if proc.stdin is not None:
        with contextlib.suppress(OSError):
            proc.stdin.close()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, sig)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
