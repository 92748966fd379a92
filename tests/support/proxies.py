"""Proxy servers for tests: real SOCKS5 (microsocks), real HTTP CONNECT (tinyproxy) and a
misbehaving one (GarbageProxy), all on loopback.

    proxy = MicrosocksProxy()                      # or MicrosocksProxy(user="u", password="p")
    proxy.start()                                  # returns once it listens (~5 ms)
    proxy.url                                      # "socks5://127.0.0.1:PORT" (with user:pass@)
    proxy.kill(); proxy.start()                    # "proxy down, then back" on the same port
    proxy.cleanup()                                # stop + remove its temp dir

    http = TinyProxy(connect_ports=[prosody.c2s_port, prosody.http_port, prosody.https_port])
    bad = GarbageProxy("black-hole").start()

The XMPP domain of the test server (``siproxylin.test``, ``conference.`` and ``upload.``)
does not resolve on the host, on purpose: only the proxies can resolve it. Each proxy runs
in a private mount namespace (``unshare -m``) with its own bind-mounted

    /etc/hosts          localhost + ``hosts_map`` (the three test names -> 127.0.0.1)
    /etc/nsswitch.conf  ``hosts: files`` only: no DNS at all, so a name that is not in
                        the map fails at once instead of going to the host's resolver
    /etc/resolv.conf    ``nameserver 127.0.0.1`` (belt and braces)

so a proxy that is asked for ``siproxylin.test`` (SOCKS5 ATYP=domain, or ``CONNECT
siproxylin.test:PORT``) resolves it, and nothing ever leaves loopback. Name resolution in
both microsocks and tinyproxy is glibc ``getaddrinfo``, i.e. nsswitch -> /etc/hosts (checked
by tests/integration/test_proxy_fixtures.py with a domain-name CONNECT).

As root the bind mounts happen in a plain mount namespace (tinyproxy then drops to
``nobody:nogroup``); as another user ``unshare -U -r -m`` is used and tinyproxy keeps the
user's id. Every process is stopped by PID at interpreter exit, and (when started from the
main thread) ``setpriv --pdeathsig=TERM`` makes the kernel stop it if the test process dies;
tinyproxy loses that flag when it drops privileges, so only the atexit hook covers it.

GarbageProxy (threads, no subprocess) speaks just enough SOCKS5 / HTTP CONNECT to misbehave
on purpose; see its docstring for the modes.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import random
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

LOOPBACK = "127.0.0.1"
TEST_DOMAIN = "siproxylin.test"
DEFAULT_HOSTS_MAP: dict[str, str] = {
    TEST_DOMAIN: LOOPBACK,
    f"conference.{TEST_DOMAIN}": LOOPBACK,
    f"upload.{TEST_DOMAIN}": LOOPBACK,
}
START_TIMEOUT = 5.0
STOP_TIMEOUT = 3.0
KEEP_DIRS = os.environ.get("SIPROXYLIN_KEEP_TEST_SERVERS", "") not in {"", "0"}

INSTALL_HINT = (
    "{tool} is not installed. Run `make test` (tools/install-test-deps.sh installs "
    "microsocks, tinyproxy, socat and tcpdump), or `sudo tools/install-test-deps.sh`."
)

_NSSWITCH_FILES_ONLY = """\
# Private nsswitch.conf of a test proxy (tests/support/proxies.py): no DNS at all.
passwd:     files
group:      files
shadow:     files
gshadow:    files
hosts:      files
networks:   files
protocols:  files
services:   files
ethers:     files
rpc:        files
"""


class ProxyStartError(RuntimeError):
    pass


class PortInUseError(ProxyStartError):
    pass


# ---- process helpers (also used by tests.support.netns) -------------------------------

_LIVE: dict[int, subprocess.Popen[Any]] = {}
_LIVE_LOCK = threading.Lock()


def running_as_root() -> bool:
    return os.geteuid() == 0


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ProxyStartError(INSTALL_HINT.format(tool=name))
    return path


def deathsig_prefix() -> list[str]:
    """``setpriv --pdeathsig=TERM``: the kernel sends SIGTERM when the forking *thread*
    dies, so this is only used from the main thread (pytest runs tests there)."""
    if threading.current_thread() is threading.main_thread() and shutil.which("setpriv"):
        return ["setpriv", "--pdeathsig=TERM"]
    return []


def spawn(
    argv: list[str],
    log_path: Path | None = None,
    *,
    stdin: int | None = subprocess.DEVNULL,
    stdout: int | None = None,
    new_session: bool = True,
) -> subprocess.Popen[bytes]:
    """Popen ``argv`` (own session: no terminal signals; its process group is ours to
    kill), output appended to ``log_path``; tracked for the atexit cleanup."""
    log = open(log_path, "ab") if log_path is not None else subprocess.DEVNULL  # noqa: SIM115
    try:
        proc = subprocess.Popen(
            argv,
            stdin=stdin,
            stdout=stdout if stdout is not None else log,
            stderr=log,
            start_new_session=new_session,
        )
    finally:
        if not isinstance(log, int):
            log.close()
    track(proc)
    return proc


def track(proc: subprocess.Popen[Any]) -> None:
    """Stop ``proc`` (and its process group) at interpreter exit if still running."""
    with _LIVE_LOCK:
        _LIVE[proc.pid] = proc


def terminate(
    proc: subprocess.Popen[Any] | None,
    timeout: float = STOP_TIMEOUT,
    *,
    sig: int = signal.SIGTERM,
    group: bool = False,
) -> None:
    """Send ``sig`` to ``proc`` (to its process group with ``group``: e.g. socat's forked
    children), wait, SIGKILL if it is still there after ``timeout``."""
    if proc is None:
        return
    if proc.poll() is None:
        _signal(proc, sig, group)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _signal(proc, signal.SIGKILL, group)
            proc.wait(timeout)
    elif group:
        _signal(proc, signal.SIGKILL, group)  # leftover children of an exited leader
    with _LIVE_LOCK:
        _LIVE.pop(proc.pid, None)


def _signal(proc: subprocess.Popen[Any], sig: int, group: bool) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if group:
            # Our own process: start_new_session made its pid the group id.
            os.killpg(proc.pid, sig)
        elif proc.poll() is None:
            proc.send_signal(sig)


@atexit.register
def _stop_all() -> None:
    with _LIVE_LOCK:
        procs = list(_LIVE.values())
    for proc in procs:
        with contextlib.suppress(Exception):
            terminate(proc, 1.0, group=True)


def free_port(host: str = LOOPBACK) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    return inodes


def _hex_addr(host: str, port: int) -> str:
    packed = socket.inet_aton(host)
    return f"{struct.unpack('<I', packed)[0]:08X}:{port:04X}"


def owns_inet_socket(pid: int, port: int, *, proto: str = "tcp", host: str = LOOPBACK) -> bool:
    """Whether process ``pid`` has a socket bound to ``host:port`` (a listening one for
    TCP) in *its* network namespace (/proc/PID/net/... shows the process's netns)."""
    wanted = _hex_addr(host, port)
    try:
        with open(f"/proc/{pid}/net/{proto}") as f:
            rows = f.read().splitlines()[1:]
    except OSError:
        return False
    inodes = None
    for row in rows:
        cols = row.split()
        if len(cols) < 10 or cols[1] != wanted:
            continue
        if proto == "tcp" and cols[3] != "0A":  # LISTEN
            continue
        if inodes is None:
            inodes = _socket_inodes(pid)
        if cols[9] in inodes:
            return True
    return False


def owns_unix_listener(pid: int, path: Path) -> bool:
    """Whether ``pid`` listens on the unix socket ``path``."""
    try:
        with open(f"/proc/{pid}/net/unix") as f:
            rows = f.read().splitlines()[1:]
    except OSError:
        return False
    inodes = None
    for row in rows:
        cols = row.split()
        # Num RefCount Protocol Flags Type St Inode Path; Flags 00010000 = listening
        if len(cols) >= 8 and cols[7] == str(path) and int(cols[3], 16) & 0x10000:
            if inodes is None:
                inodes = _socket_inodes(pid)
            if cols[6] in inodes:
                return True
    return False


def tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return f"(no {path})"
    return f"--- {path} (last {len(text)} lines)\n" + "\n".join(text)


def hosts_file_text(hosts_map: Mapping[str, str]) -> str:
    lines = ["# generated by tests/support", "127.0.0.1\tlocalhost", "::1\tlocalhost"]
    lines += [f"{ip}\t{name}" for name, ip in hosts_map.items()]
    return "\n".join(lines) + "\n"


# ---- real proxies ---------------------------------------------------------------------


class _ProxyProcess:
    """A proxy program in a private mount namespace (see module doc)."""

    scheme = ""
    program = ""

    def __init__(
        self,
        port: int | None = None,
        user: str | None = None,
        password: str | None = None,
        hosts_map: Mapping[str, str] | None = None,
    ) -> None:
        if (user is None) != (password is None):
            raise ValueError("give both user and password, or neither")
        require_tool(self.program)
        require_tool("unshare")
        self.host = LOOPBACK
        self.port = port or 0
        self._port_fixed = port is not None
        self.user = user
        self.password = password
        self.hosts_map = {**DEFAULT_HOSTS_MAP, **(hosts_map or {})}
        self.base_dir = Path(tempfile.mkdtemp(prefix=f"siproxylin-{self.program}-"))
        self.hosts_path = self.base_dir / "hosts"
        self.hosts_path.write_text(hosts_file_text(self.hosts_map))
        self.nsswitch_path = self.base_dir / "nsswitch.conf"
        self.nsswitch_path.write_text(_NSSWITCH_FILES_ONLY)
        self.resolv_path = self.base_dir / "resolv.conf"
        self.resolv_path.write_text("nameserver 127.0.0.1\noptions attempts:1 timeout:1\n")
        for path in (self.hosts_path, self.nsswitch_path, self.resolv_path):
            path.chmod(0o644)
        self.base_dir.chmod(0o755)  # tinyproxy (as nobody) reads nothing here, but stat()s
        self.log_path = self.base_dir / f"{self.program}.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self.start_seconds = 0.0
        self.starts = 0

    # ---- properties ---------------------------------------------------------------

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    @property
    def url(self) -> str:
        """``scheme://[user:password@]127.0.0.1:port`` (python_socks / aiohttp_socks)."""
        return self.url_with(self.user, self.password)

    @property
    def url_without_auth(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def url_with(self, user: str | None, password: str | None) -> str:
        """The URL with other credentials (e.g. a wrong password)."""
        if user is None:
            return self.url_without_auth
        auth = f"{quote(user, safe='')}:{quote(password or '', safe='')}@"
        return f"{self.scheme}://{auth}{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __repr__(self) -> str:
        auth = " auth" if self.user else ""
        return f"<{type(self).__name__} {self.host}:{self.port}{auth} pid={self.pid}>"

    # ---- lifecycle ----------------------------------------------------------------

    def _program_argv(self) -> list[str]:
        raise NotImplementedError

    def _prepare(self) -> None:
        """Write config files for the current port (hook)."""

    def _command(self) -> list[str]:
        ns = ["unshare", "-m", "--propagation", "private"]
        if not running_as_root():
            ns = ["unshare", "-U", "-r", "-m", "--propagation", "private"]
        script = (
            'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/nsswitch.conf && '
            'mount --bind "$3" /etc/resolv.conf && shift 3 && exec "$@"'
        )
        return [
            *deathsig_prefix(),
            *ns,
            "sh",
            "-c",
            script,
            "sh",
            str(self.hosts_path),
            str(self.nsswitch_path),
            str(self.resolv_path),
            *self._program_argv(),
        ]

    def start(self, timeout: float = START_TIMEOUT) -> _ProxyProcess:
        """Start (or restart after stop()/kill(), on the same port); returns self once
        the proxy's own process listens."""
        if self.running:
            raise ProxyStartError(f"{self!r} is already running")
        attempts = 1 if self._port_fixed else 3
        for attempt in range(attempts):
            if not self._port_fixed:
                self.port = free_port()
            try:
                self._spawn(timeout)
            except PortInUseError:
                if attempt + 1 >= attempts:
                    raise
                continue
            self._port_fixed = True
            return self
        raise AssertionError("unreachable")

    def _spawn(self, timeout: float) -> None:
        t0 = time.monotonic()
        self._prepare()
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self._proc = spawn(self._command(), self.log_path)
        deadline = t0 + timeout
        while True:
            if self._proc.poll() is not None:
                text = self._new_log()
                self._proc = None
                error = PortInUseError if "in use" in text.lower() else ProxyStartError
                raise error(f"{self.program} exited during startup:\n{text}")
            if owns_inet_socket(self._proc.pid, self.port):
                break
            if time.monotonic() > deadline:
                self.kill()
                raise ProxyStartError(
                    f"{self.program} not listening on {self.port} after {timeout}s\n"
                    + tail(self.log_path)
                )
            time.sleep(0.002)
        self.start_seconds = time.monotonic() - t0
        self.starts += 1

    def _new_log(self) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self._log_offset)
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM by PID, wait, SIGKILL if needed. Open tunnels die with it."""
        terminate(self._proc, timeout)
        self._proc = None

    def kill(self) -> None:
        """SIGKILL at once (a crash: every tunnel is cut)."""
        terminate(self._proc, sig=signal.SIGKILL)
        self._proc = None

    def restart(self, timeout: float = START_TIMEOUT) -> None:
        self.stop()
        self.start(timeout)

    def cleanup(self) -> None:
        self.stop()
        if not KEEP_DIRS:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> _ProxyProcess:
        if not self.running:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


class MicrosocksProxy(_ProxyProcess):
    """microsocks (SOCKS5) on 127.0.0.1 (it binds 0.0.0.0 unless given ``-i``).
    With user/password it requires RFC 1929 auth and refuses clients without it."""

    scheme = "socks5"
    program = "microsocks"

    def _program_argv(self) -> list[str]:
        argv = ["microsocks", "-i", self.host, "-p", str(self.port)]
        if self.user is not None:
            argv += ["-u", self.user, "-P", str(self.password)]
        return argv


class TinyProxy(_ProxyProcess):
    """tinyproxy (HTTP CONNECT) in the foreground on 127.0.0.1. CONNECT is allowed only
    to ``connect_ports`` (tinyproxy's default without ConnectPort lines is 443/563 only);
    with user/password it answers 407 without (correct) Proxy-Authorization."""

    scheme = "http"
    program = "tinyproxy"

    def __init__(
        self,
        port: int | None = None,
        connect_ports: Iterable[int] = (),
        user: str | None = None,
        password: str | None = None,
        hosts_map: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(port, user, password, hosts_map)
        self.connect_ports = [int(p) for p in connect_ports]
        if not self.connect_ports:
            raise ValueError("TinyProxy needs connect_ports (else only 443/563 are allowed)")
        for value in (user, password):
            if value is not None and any(c.isspace() or c == '"' for c in value):
                raise ValueError("tinyproxy BasicAuth values cannot contain spaces or quotes")
        self.config_path = self.base_dir / "tinyproxy.conf"

    def _prepare(self) -> None:
        lines = [
            "# generated by tests/support/proxies.py",
            *(["User nobody", "Group nogroup"] if running_as_root() else []),
            f"Port {self.port}",
            f"Listen {self.host}",
            "Timeout 60",
            "MaxClients 64",
            "LogLevel Info",
            "Allow 127.0.0.1",
            "DisableViaHeader Yes",
            *(f"ConnectPort {p}" for p in self.connect_ports),
        ]
        if self.user is not None:
            lines.append(f"BasicAuth {self.user} {self.password}")
        self.config_path.write_text("\n".join(lines) + "\n")
        self.config_path.chmod(0o644)

    def _program_argv(self) -> list[str]:
        return ["tinyproxy", "-d", "-c", str(self.config_path)]


# ---- a misbehaving proxy ----------------------------------------------------------------

GARBAGE_MODES = ("garbage", "refuse-destination", "close-mid-stream", "black-hole")

_SOCKS_ERRORS = {
    0x01: "general failure",
    0x02: "not allowed by ruleset",
    0x03: "network unreachable",
    0x04: "host unreachable",
    0x05: "connection refused",
    0x06: "TTL expired",
    0x07: "command not supported",
    0x08: "address type not supported",
}
_HTTP_REASONS = {
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    407: "Proxy Authentication Required",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(frozen=True)
class ProxyRequest:
    """One tunnel request as the GarbageProxy saw it."""

    protocol: str  # "socks5" | "http" | "unknown"
    host: str | None  # as sent: a name (remote DNS) or an IP literal
    port: int | None
    address_type: str | None  # socks5: "domain" | "ipv4" | "ipv6"; http: "authority"
    auth: tuple[str, str] | None = None  # socks5 user/password or decoded HTTP Basic
    first_bytes: bytes = b""


class _Closed(Exception):
    pass


@dataclass
class _Conn:
    client: socket.socket
    upstream: socket.socket | None = None
    relayed: int = 0
    closed: threading.Event = field(default_factory=threading.Event)
    waker: socket.socket | None = None  # wakes the relay thread's select()


class GarbageProxy:
    """A deliberately broken SOCKS5 / HTTP CONNECT proxy on loopback (threads).

    The protocol is detected from the first byte (0x05: SOCKS5, else HTTP) unless
    ``protocol`` forces one. Modes:

    ``garbage``             reads the client's first message, answers ``garbage_size``
                            random bytes (never a valid SOCKS5 version byte, never
                            ``HTTP/``), then closes.
    ``refuse-destination``  a correct handshake (SOCKS5 user/password is taken when
                            offered and any is accepted; none is needed), then refuses
                            the CONNECT: SOCKS5 reply code ``socks_reply`` (default
                            0x05 connection refused), or HTTP
                            ``http_status`` (default 502; 403 is the other usual one).
    ``close-mid-stream``    a correct handshake, connects to the real destination (names
                            from ``hosts_map`` only; never a DNS lookup) and relays; cuts
                            both sides after ``close_after_bytes`` bytes came from the
                            destination, or when ``trigger_close()`` is called (None: only
                            on trigger). ``reset=True`` cuts with RST instead of FIN.
    ``black-hole``          accepts the TCP connection and never reads or answers (for
                            timeouts); sockets stay open until stop().

    ``requests`` lists what clients asked for (ProxyRequest); ``accepted`` counts TCP
    connections; ``wait_for(count)`` waits for that many requests (or accepted
    connections in black-hole mode).
    """

    def __init__(
        self,
        mode: str,
        *,
        protocol: str = "auto",
        port: int | None = None,
        close_after_bytes: int | None = None,
        reset: bool = False,
        socks_reply: int = 0x05,
        http_status: int = 502,
        garbage_size: int = 64,
        hosts_map: Mapping[str, str] | None = None,
        seed: int | None = None,
    ) -> None:
        if mode not in GARBAGE_MODES:
            raise ValueError(f"mode must be one of {GARBAGE_MODES}, not {mode!r}")
        if protocol not in ("auto", "socks5", "http"):
            raise ValueError("protocol must be auto, socks5 or http")
        self.mode = mode
        self.protocol = protocol
        self.host = LOOPBACK
        self.port = port or 0
        self.close_after_bytes = close_after_bytes
        self.reset = reset
        self.socks_reply = socks_reply
        self.http_status = http_status
        self.garbage_size = garbage_size
        self.hosts_map = {**DEFAULT_HOSTS_MAP, **(hosts_map or {})}
        self._random = random.Random(seed)
        self.requests: list[ProxyRequest] = []
        self.accepted = 0
        self.relays_cut = 0
        self._server: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._conns: list[_Conn] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()

    def __repr__(self) -> str:
        return f"<GarbageProxy {self.mode} {self.host}:{self.port}>"

    # ---- addresses ----------------------------------------------------------------

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    def url(self, scheme: str = "socks5") -> str:
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def socks_url(self) -> str:
        return self.url("socks5")

    @property
    def http_url(self) -> str:
        return self.url("http")

    @property
    def running(self) -> bool:
        return self._server is not None

    # ---- lifecycle ----------------------------------------------------------------

    def start(self) -> GarbageProxy:
        if self._server is not None:
            raise ProxyStartError(f"{self!r} is already running")
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((self.host, self.port))
        server.listen(64)
        self.port = server.getsockname()[1]
        self._server = server
        self._stopping.clear()
        self._spawn_thread(self._accept_loop, server)
        return self

    def stop(self) -> None:
        """Close the listener and every open connection, join the threads."""
        self._stopping.set()
        server, self._server = self._server, None
        if server is not None:
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_RDWR)
            server.close()
        self._cut_all(reset=False)
        for thread in list(self._threads):
            thread.join(2.0)
        self._threads.clear()

    def kill(self) -> None:
        self.stop()

    def restart(self) -> None:
        self.stop()
        self.start()

    cleanup = stop

    def __enter__(self) -> GarbageProxy:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def trigger_close(self) -> int:
        """Cut every open tunnel now (close-mid-stream); returns how many."""
        count = self._cut_all(reset=self.reset)
        with self._lock:
            self.relays_cut += count
        return count

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> None:
        """Until ``count`` requests were parsed (accepted connections in black-hole)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._progress() < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{self!r}: {self._progress()} of {count} requests within {timeout}s"
                    )
                self._changed.wait(left)

    def _progress(self) -> int:
        return self.accepted if self.mode == "black-hole" else len(self.requests)

    # ---- internals ----------------------------------------------------------------

    def _spawn_thread(self, target, *args) -> None:  # type: ignore[no-untyped-def]
        thread = threading.Thread(target=target, args=args, daemon=True, name=repr(self))
        self._threads.append(thread)
        thread.start()

    def _cut_all(self, *, reset: bool) -> int:
        with self._lock:
            conns = [c for c in self._conns if not c.closed.is_set()]
        for conn in conns:
            self._cut(conn, reset=reset)
        return len(conns)

    def _cut(self, conn: _Conn, *, reset: bool) -> None:
        """Close both sides: FIN (shutdown, which also wakes a thread blocked in recv),
        or RST (SO_LINGER 0 + close) with ``reset``."""
        with self._lock:
            if conn.closed.is_set():
                return
            conn.closed.set()
            if conn.waker is not None:
                with contextlib.suppress(OSError):
                    conn.waker.send(b"x")
        for sock in (conn.client, conn.upstream):
            if sock is None:
                continue
            with contextlib.suppress(OSError):
                if reset:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def _accept_loop(self, server: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = server.accept()
            except OSError:
                return
            conn = _Conn(client)
            with self._changed:
                self.accepted += 1
                self._conns.append(conn)
                self._changed.notify_all()
            if self.mode != "black-hole":
                self._spawn_thread(self._serve, conn)

    def _record(self, request: ProxyRequest) -> None:
        with self._changed:
            self.requests.append(request)
            self._changed.notify_all()

    def _serve(self, conn: _Conn) -> None:
        sock = conn.client
        sock.settimeout(10.0)
        try:
            first = sock.recv(1)
            if not first:
                return
            protocol = self.protocol
            if protocol == "auto":
                protocol = "socks5" if first == b"\x05" else "http"
            if self.mode == "garbage":
                self._answer_garbage(conn, protocol, first)
            elif protocol == "socks5":
                self._serve_socks5(conn, first)
            else:
                self._serve_http(conn, first)
        except (OSError, _Closed, ValueError, UnicodeDecodeError):
            pass
        finally:
            self._cut(conn, reset=False)

    def _answer_garbage(self, conn: _Conn, protocol: str, first: bytes) -> None:
        conn.client.settimeout(0.2)
        data = first
        with contextlib.suppress(OSError):
            data += conn.client.recv(4096)
        self._record(ProxyRequest(protocol, None, None, None, None, data[:64]))
        junk = bytearray(self._random.getrandbits(8) for _ in range(self.garbage_size))
        if junk:
            junk[0] = self._random.choice([b for b in range(256) if b not in (0x05, ord("H"))])
        conn.client.settimeout(5.0)
        conn.client.sendall(bytes(junk))

    # -- SOCKS5 --

    def _recv_exact(self, sock: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise _Closed
            data += chunk
        return data

    def _serve_socks5(self, conn: _Conn, first: bytes) -> None:
        sock = conn.client
        nmethods = self._recv_exact(sock, 1)[0]
        methods = self._recv_exact(sock, nmethods)
        auth = None
        if 0x02 in methods:  # credentials offered: take them (any are accepted)
            sock.sendall(b"\x05\x02")
            _ver, ulen = self._recv_exact(sock, 2)
            user = self._recv_exact(sock, ulen).decode()
            plen = self._recv_exact(sock, 1)[0]
            auth = (user, self._recv_exact(sock, plen).decode())
            sock.sendall(b"\x01\x00")
        elif 0x00 in methods:
            sock.sendall(b"\x05\x00")
        else:
            sock.sendall(b"\x05\xff")
            return
        _ver, cmd, _rsv, atyp = self._recv_exact(sock, 4)
        if atyp == 0x01:
            host, kind = socket.inet_ntoa(self._recv_exact(sock, 4)), "ipv4"
        elif atyp == 0x04:
            host, kind = socket.inet_ntop(socket.AF_INET6, self._recv_exact(sock, 16)), "ipv6"
        elif atyp == 0x03:
            host = self._recv_exact(sock, self._recv_exact(sock, 1)[0]).decode()
            kind = "domain"
        else:
            sock.sendall(b"\x05\x08\x00\x01" + bytes(6))
            return
        port = struct.unpack("!H", self._recv_exact(sock, 2))[0]
        self._record(ProxyRequest("socks5", host, port, kind, auth, first))
        if cmd != 0x01:
            sock.sendall(b"\x05\x07\x00\x01" + bytes(6))
            return
        if self.mode == "refuse-destination":
            sock.sendall(bytes([5, self.socks_reply, 0, 1]) + bytes(6))
            return
        upstream = self._connect_upstream(host, port)
        if upstream is None:
            sock.sendall(b"\x05\x04\x00\x01" + bytes(6))
            return
        conn.upstream = upstream
        bound_host, bound_port = upstream.getsockname()[:2]
        sock.sendall(
            b"\x05\x00\x00\x01" + socket.inet_aton(bound_host) + struct.pack("!H", bound_port)
        )
        self._relay(conn, b"")

    # -- HTTP CONNECT --

    def _serve_http(self, conn: _Conn, first: bytes) -> None:
        sock = conn.client
        data = first
        while b"\r\n\r\n" not in data:
            if len(data) > 65536:
                raise _Closed
            chunk = sock.recv(4096)
            if not chunk:
                raise _Closed
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, _, target = lines[0].partition(" ")
        target = target.rsplit(" ", 1)[0]
        auth = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "proxy-authorization":
                auth = _decode_basic(value.strip())
        if method.upper() != "CONNECT":
            self._record(ProxyRequest("http", target, None, "absolute-uri", auth, first))
            self._http_reply(sock, 405)
            return
        host, _, port_text = target.rpartition(":")
        host = host.strip("[]")
        port = int(port_text)
        self._record(ProxyRequest("http", host, port, "authority", auth, first))
        if self.mode == "refuse-destination":
            self._http_reply(sock, self.http_status)
            return
        upstream = self._connect_upstream(host, port)
        if upstream is None:
            self._http_reply(sock, 502)
            return
        conn.upstream = upstream
        sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self._relay(conn, rest)

    def _http_reply(self, sock: socket.socket, status: int) -> None:
        reason = _HTTP_REASONS.get(status, "Error")
        sock.sendall(
            f"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )

    # -- relaying --

    def _connect_upstream(self, host: str, port: int) -> socket.socket | None:
        address = self.hosts_map.get(host.lower().rstrip("."))
        if address is None:
            try:
                socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
            except OSError:
                return None  # an unknown name: never a DNS lookup from the test process
            address = host
        try:
            return socket.create_connection((address, port), 5.0)
        except OSError:
            return None

    def _relay(self, conn: _Conn, pending: bytes) -> None:
        client, upstream = conn.client, conn.upstream
        assert upstream is not None
        wake_r, wake_w = socket.socketpair()
        with self._lock:
            if conn.closed.is_set():
                wake_r.close()
                wake_w.close()
                return
            conn.waker = wake_w
        try:
            if pending:
                upstream.sendall(pending)
            client.setblocking(True)
            upstream.setblocking(True)
            with selectors.DefaultSelector() as sel:
                sel.register(client, selectors.EVENT_READ, upstream)
                sel.register(upstream, selectors.EVENT_READ, client)
                sel.register(wake_r, selectors.EVENT_READ, None)
                while not conn.closed.is_set():
                    for key, _ in sel.select(1.0):
                        src = cast(socket.socket, key.fileobj)
                        if key.data is None or not self._pump(conn, src, key.data):
                            return
        finally:
            with self._lock:
                conn.waker = None
            wake_r.close()
            wake_w.close()

    def _pump(self, conn: _Conn, src: socket.socket, dst: socket.socket) -> bool:
        """Move one chunk; False once the tunnel is closed."""
        try:
            data = src.recv(65536)
        except OSError:
            data = b""
        if not data:
            self._cut(conn, reset=False)
            return False
        if src is conn.upstream:
            limit = self.close_after_bytes
            if limit is not None:
                data = data[: max(0, limit - conn.relayed)]
            conn.relayed += len(data)
            if limit is not None and conn.relayed >= limit:
                with contextlib.suppress(OSError):
                    dst.sendall(data)
                with self._lock:
                    self.relays_cut += 1
                self._cut(conn, reset=self.reset)
                return False
        try:
            dst.sendall(data)
        except OSError:
            self._cut(conn, reset=False)
            return False
        return True


def _decode_basic(value: str) -> tuple[str, str] | None:
    import base64
    import binascii

    scheme, _, token = value.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(token).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password)
