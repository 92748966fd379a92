"""Leak harness: run a client in a network namespace whose only way out is the proxy.

    proxy = MicrosocksProxy().start()
    with LeakHarness(proxy.port) as h:                      # ~0.1 s
        result = h.run([sys.executable, "client.py", "cfg.json"], timeout=30)
        # the client must use h.proxy_url("socks5") == "socks5://127.0.0.1:1080"
        assert result.returncode == 0, result.stderr
        h.assert_no_leaks()          # no DNS query, no packet except to/from the proxy
        h.verify_controls([prosody.c2s_port])   # the harness would have seen a leak

Inside (``unshare -n -m``: a new network + mount namespace; the filesystem, the venv and
the project files are shared, only the network and these mounts are new):

    lo only (no other interface, no route)
    /etc/hosts            localhost only
    /etc/resolv.conf      nameserver 127.0.0.1          -> the DNS canary
    /etc/nsswitch.conf    the host's, with ``hosts: files dns`` (no nss-resolve / mdns /
                          nscd, which would resolve through unix sockets outside the netns;
                          /run/nscd and /run/systemd/resolve are hidden if they exist)
    127.0.0.1:53          DNS canary (tests/support/dns_canary.py, UDP + TCP): logs every
                          query, answers NXDOMAIN; it is also the namespace's anchor process
    127.0.0.1:1080        socat -> unix socket (shared filesystem) -> socat in the host
                          namespace -> the real proxy on 127.0.0.1:<proxy_port>
    tcpdump -i any        everything on every interface of the namespace, to a pcap

Commands run inside with ``nsenter --net --mount`` into the anchor's namespaces, as root.
``packets()`` first syncs the capture: the canary sends a marker datagram to
127.254.0.1:9 and the harness waits until tcpdump has written it, so every packet sent
before the call is in the list (markers are filtered out).

Unix sockets on the shared filesystem stay a way out that no capture sees (the bridge's
own socket is one, on purpose); abstract unix sockets are per network namespace.
Needs root, ``unshare``, ``nsenter``, ``ip``, ``socat`` and ``tcpdump``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .dns_canary import MARKER_ADDRESS, DnsQuery, read_queries
from .proxies import (
    KEEP_DIRS,
    LOOPBACK,
    deathsig_prefix,
    hosts_file_text,
    owns_inet_socket,
    owns_unix_listener,
    running_as_root,
    spawn,
    tail,
    terminate,
    track,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CANARY_SCRIPT = Path(__file__).resolve().with_name("dns_canary.py")
POSITIVE_CONTROL_NAME = "canary-positive-control.example"
POSITIVE_CONTROL_UDP = ("127.0.0.2", 9)
DEFAULT_LOCAL_PORT = 1080
START_TIMEOUT = 10.0
SNAPLEN = 1024  # headers + the start of the payload (for reading the capture by hand)
CAPTURE_BUFFER_KIB = 32768
REQUIRED_TOOLS = ("unshare", "nsenter", "ip", "socat", "tcpdump", "setpriv")

_ANCHOR_SCRIPT = r"""
set -e
ip link set lo up
mount --bind "$1" /etc/hosts
mount --bind "$2" /etc/resolv.conf
mount --bind "$3" /etc/nsswitch.conf
for d in /run/nscd /var/run/nscd /run/systemd/resolve; do
    if [ -d "$d" ] && ! [ -L "$d" ]; then mount -t tmpfs none "$d"; fi
done
shift 3
exec "$@"
"""

# Runs inside the namespace (argv: ports to try directly).
_CONTROLS_SCRIPT = """
import json, socket, sys
result = {"direct": {}, "lookup": None, "udp_sent": False}
for port in map(int, sys.argv[1:]):
    for host in ("127.0.0.1", "::1"):
        try:
            socket.create_connection((host, port), 2).close()
            outcome = "connected"
        except OSError as exc:
            outcome = f"{type(exc).__name__} errno={exc.errno}"
        result["direct"][f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"] = outcome
try:
    socket.getaddrinfo(__NAME__, 80)
    result["lookup"] = "resolved"
except OSError as exc:
    result["lookup"] = type(exc).__name__
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.sendto(b"positive control", __UDP__)
result["udp_sent"] = True
print(json.dumps(result))
""".replace("__NAME__", repr(POSITIVE_CONTROL_NAME)).replace("__UDP__", repr(POSITIVE_CONTROL_UDP))


class HarnessError(RuntimeError):
    pass


def unavailable_reason() -> str | None:
    """Why the harness cannot run here (None: it can)."""
    if not running_as_root():
        return "the leak harness needs root (unshare -n, nsenter, tcpdump)"
    for tool in REQUIRED_TOOLS:
        if shutil.which(tool) is None:
            return f"{tool} is not installed (tools/install-test-deps.sh installs it)"
    return None


@dataclass(frozen=True)
class Packet:
    """One captured packet (from ``tcpdump -nn -r``)."""

    proto: str  # "tcp" | "udp" | "icmp" | "icmp6" | "arp" | ... (lowercase)
    src: str
    sport: int | None
    dst: str
    dport: int | None
    flags: str | None = None  # TCP flags as tcpdump prints them: "S", "S.", "P.", "F.", "R."
    interface: str = ""
    line: str = ""

    @property
    def syn(self) -> bool:
        """A connection attempt (SYN without ACK)."""
        return self.proto == "tcp" and self.flags == "S"

    def as_tuple(self) -> tuple[str, str, str, int | None]:
        """(proto, src, dst, dport)."""
        return (self.proto, self.src, self.dst, self.dport)

    def __str__(self) -> str:
        src = f"{self.src}:{self.sport}" if self.sport is not None else self.src
        dst = f"{self.dst}:{self.dport}" if self.dport is not None else self.dst
        flags = f" [{self.flags}]" if self.flags else ""
        return f"{self.proto} {src} > {dst}{flags}"


@dataclass(frozen=True)
class Checkpoint:
    """What had been recorded at one moment (see LeakHarness.mark)."""

    dns: int
    packets: int


@dataclass
class ControlResult:
    """The negative/positive controls as run inside the namespace."""

    direct: dict[str, str]  # "127.0.0.1:PORT" -> "ConnectionRefusedError errno=111" ...
    lookup: str | None  # getaddrinfo(POSITIVE_CONTROL_NAME): "gaierror" expected
    udp_sent: bool
    dns: list[DnsQuery] = field(default_factory=list)  # canary's records of the name
    udp_packets: list[Packet] = field(default_factory=list)  # captured UDP to 127.0.0.2:9


_LINE = re.compile(
    r"^(?P<ts>\d+\.\d+)\s+(?P<iface>\S+)\s+(?:In|Out|B|M|P)\s+(?P<kind>\S+)\s+(?P<rest>.*)$"
)
_FLAGS = re.compile(r"Flags \[([^\]]*)\]")
_STATS = re.compile(r"(\d+) packets? dropped by kernel")


def _split_endpoint(text: str, with_port: bool) -> tuple[str, int | None]:
    if not with_port:
        return text, None
    host, _, port = text.rpartition(".")
    try:
        return host, int(port)
    except ValueError:
        return text, None


def parse_tcpdump(quick: str, full: str = "") -> list[Packet]:
    """Packets from ``tcpdump -tt -nn -q -r`` output, with TCP flags taken from the
    matching lines (same timestamp and addresses, in order) of ``tcpdump -tt -nn -r``
    (``full``)."""
    flags: dict[tuple[str, str], deque[str]] = {}
    for line in full.splitlines():
        m = _LINE.match(line)
        f = _FLAGS.search(m["rest"]) if m else None
        if m and f:
            key = (m["ts"], m["rest"].partition(": ")[0])
            flags.setdefault(key, deque()).append(f.group(1))
    packets = []
    for line in quick.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        kind, rest = m["kind"], m["rest"]
        if kind not in ("IP", "IP6"):
            packets.append(
                Packet(kind.lower().rstrip(","), "", None, "", None, None, m["iface"], line)
            )
            continue
        addresses, _, payload = rest.partition(": ")
        src_text, _, dst_text = addresses.partition(" > ")
        payload_l = payload.lower()
        if payload_l.startswith("tcp"):
            proto = "tcp"
        elif payload_l.startswith("udp"):
            proto = "udp"
        elif payload_l.startswith("icmp6"):
            proto = "icmp6"
        elif payload_l.startswith("icmp"):
            proto = "icmp"
        else:
            proto = payload_l.split(" ", 1)[0].rstrip(",") or "ip"
        ports = proto in ("tcp", "udp")
        src, sport = _split_endpoint(src_text, ports)
        dst, dport = _split_endpoint(dst_text, ports)
        tcp_flags = None
        if proto == "tcp":
            pending = flags.get((m["ts"], addresses))
            tcp_flags = pending.popleft() if pending else None
        packets.append(Packet(proto, src, sport, dst, dport, tcp_flags, m["iface"], line))
    return packets


class LeakHarness:
    """See the module doc. ``proxy_port``: the real proxy in the host namespace (on
    ``proxy_host``, loopback); ``local_port``: where the client inside finds it."""

    def __init__(
        self,
        proxy_port: int,
        *,
        proxy_host: str = LOOPBACK,
        local_port: int = DEFAULT_LOCAL_PORT,
        rcode: str = "NXDOMAIN",
        cwd: Path = PROJECT_ROOT,
    ) -> None:
        if not proxy_host.startswith("127."):
            raise ValueError("the harness only bridges to loopback proxies")
        self.proxy_host = proxy_host
        self.proxy_port = int(proxy_port)
        self.local_port = int(local_port)
        self.rcode = rcode
        self.cwd = Path(cwd)
        self.dir: Path | None = None
        self._anchor: subprocess.Popen[bytes] | None = None
        self._host_socat: subprocess.Popen[bytes] | None = None
        self._ns_socat: subprocess.Popen[bytes] | None = None
        self._tcpdump: subprocess.Popen[bytes] | None = None
        self._clients: list[subprocess.Popen[Any]] = []
        self._lines: queue.Queue[str] = queue.Queue()
        self._marks = 0
        self._mark_lock = threading.Lock()
        self.start_seconds = 0.0

    # ---- addresses ----------------------------------------------------------------

    @property
    def proxy_address(self) -> tuple[str, int]:
        """Where the client inside the namespace reaches the proxy."""
        return (LOOPBACK, self.local_port)

    def proxy_url(
        self, scheme: str = "socks5", user: str | None = None, password: str | None = None
    ) -> str:
        auth = f"{quote(user, safe='')}:{quote(password or '', safe='')}@" if user else ""
        return f"{scheme}://{auth}{LOOPBACK}:{self.local_port}"

    @property
    def anchor_pid(self) -> int:
        if self._anchor is None or self._anchor.poll() is not None:
            raise HarnessError("the harness is not running")
        return self._anchor.pid

    def _path(self, name: str) -> Path:
        assert self.dir is not None
        return self.dir / name

    @property
    def pcap_path(self) -> Path:
        return self._path("capture.pcap")

    @property
    def dns_log_path(self) -> Path:
        return self._path("dns-queries.jsonl")

    # ---- lifecycle ----------------------------------------------------------------

    def __enter__(self) -> LeakHarness:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, timeout: float = START_TIMEOUT) -> LeakHarness:
        reason = unavailable_reason()
        if reason is not None:
            raise HarnessError(reason)
        t0 = time.monotonic()
        deadline = t0 + timeout
        self.dir = Path(tempfile.mkdtemp(prefix="siproxylin-netns-"))
        self._path("hosts").write_text(hosts_file_text({}))
        self._path("resolv.conf").write_text("nameserver 127.0.0.1\noptions attempts:1\n")
        self._path("nsswitch.conf").write_text(_client_nsswitch())
        bridge = self._path("proxy.sock")
        try:
            self._host_socat = spawn(
                [
                    *deathsig_prefix(),
                    "socat",
                    f"UNIX-LISTEN:{bridge},fork,mode=600",
                    f"TCP:{self.proxy_host}:{self.proxy_port}",
                ],
                self._path("socat-host.log"),
            )
            self._anchor = spawn(
                [
                    *deathsig_prefix(),
                    "unshare",
                    "-n",
                    "-m",
                    "--propagation",
                    "private",
                    "sh",
                    "-c",
                    _ANCHOR_SCRIPT,
                    "sh",
                    str(self._path("hosts")),
                    str(self._path("resolv.conf")),
                    str(self._path("nsswitch.conf")),
                    sys.executable,
                    "-I",
                    str(CANARY_SCRIPT),
                    "--log",
                    str(self.dns_log_path),
                    "--rcode",
                    self.rcode,
                    "--control",
                ],
                self._path("anchor.log"),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            threading.Thread(target=self._read_anchor, daemon=True).start()
            self._expect_line("READY", deadline)
            self._ns_socat = spawn(
                self._nsenter(
                    [
                        "socat",
                        f"TCP-LISTEN:{self.local_port},bind={LOOPBACK},reuseaddr,fork",
                        f"UNIX-CONNECT:{bridge}",
                    ],
                ),
                self._path("socat-ns.log"),
            )
            self._tcpdump = spawn(
                self._nsenter(
                    [
                        "tcpdump",
                        "-Z",
                        "root",
                        "--immediate-mode",
                        "-U",
                        # The ring holds buffer/snaplen frames: with the default
                        # (2 MiB, 256 KiB) only 8, and a burst on lo loses packets.
                        "-s",
                        str(SNAPLEN),
                        "-B",
                        str(CAPTURE_BUFFER_KIB),
                        "-i",
                        "any",
                        "-nn",
                        "-w",
                        str(self.pcap_path),
                    ]
                ),
                self._path("tcpdump.log"),
            )
            self._wait(
                lambda: owns_unix_listener(self._pid(self._host_socat), bridge),
                "host socat",
                self._host_socat,
                deadline,
            )
            self._wait(
                lambda: owns_inet_socket(self._pid(self._ns_socat), self.local_port),
                "namespace socat",
                self._ns_socat,
                deadline,
            )
            self._wait(
                lambda: "listening on" in _read(self._path("tcpdump.log")),
                "tcpdump",
                self._tcpdump,
                deadline,
            )
        except BaseException:
            self.close()
            raise
        self.start_seconds = time.monotonic() - t0
        return self

    @staticmethod
    def _pid(proc: subprocess.Popen[bytes] | None) -> int:
        assert proc is not None
        return proc.pid

    def _nsenter(self, argv: Sequence[str], cwd: Path | None = None) -> list[str]:
        return [
            *deathsig_prefix(),
            "nsenter",
            f"--target={self.anchor_pid}",
            "--net",
            "--mount",
            f"--wd={cwd or self.cwd}",
            "--",
            *argv,
        ]

    def _read_anchor(self) -> None:
        anchor = self._anchor
        assert anchor is not None
        assert anchor.stdout is not None
        for raw in anchor.stdout:
            self._lines.put(raw.decode(errors="replace").strip())
        self._lines.put("EOF")

    def _expect_line(self, prefix: str, deadline: float) -> str:
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise HarnessError(
                    f"no {prefix!r} from the DNS canary in time\n{self.diagnostics()}"
                ) from None
            if line == "EOF":
                raise HarnessError(f"the namespace anchor exited\n{self.diagnostics()}")
            if line.startswith(prefix):
                return line

    def _wait(
        self,
        ready: Callable[[], bool],
        what: str,
        proc: subprocess.Popen[Any] | None,
        deadline: float,
    ) -> None:
        while not ready():
            if proc is not None and proc.poll() is not None:
                raise HarnessError(f"{what} exited during startup\n{self.diagnostics()}")
            if time.monotonic() > deadline:
                raise HarnessError(f"{what} not ready in time\n{self.diagnostics()}")
            time.sleep(0.002)

    def close(self) -> None:
        """Stop every process (clients first), remove the temp dir (unless
        SIPROXYLIN_KEEP_TEST_SERVERS=1)."""
        for proc in self._clients:
            terminate(proc, 2.0, sig=signal.SIGKILL, group=True)
        self._clients.clear()
        terminate(self._tcpdump, 2.0, sig=signal.SIGINT)
        terminate(self._ns_socat, 2.0, group=True)
        if self._anchor is not None and self._anchor.stdin is not None:
            with contextlib.suppress(OSError):
                self._anchor.stdin.close()
        terminate(self._anchor, 2.0)
        if self._anchor is not None and self._anchor.stdout is not None:
            self._anchor.stdout.close()
        terminate(self._host_socat, 2.0, group=True)
        self._tcpdump = self._ns_socat = self._anchor = self._host_socat = None
        if self.dir is not None:
            if KEEP_DIRS:
                print(f"\nkept leak harness dir {self.dir}")
            else:
                shutil.rmtree(self.dir, ignore_errors=True)

    # ---- running the client -------------------------------------------------------

    def _env(self, env: dict[str, str] | None) -> dict[str, str]:
        merged = dict(os.environ)
        merged["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PROJECT_ROOT), merged.get("PYTHONPATH", "")) if p
        )
        merged.update(env or {})
        return merged

    def popen(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        stdin: int | None = subprocess.DEVNULL,
    ) -> subprocess.Popen[str]:
        """Start ``argv`` inside the namespace (stdout/stderr piped, text); it is
        killed (with its process group) at close()."""
        proc = subprocess.Popen(
            self._nsenter([str(a) for a in argv], cwd),
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self._env(env),
            start_new_session=True,
        )
        self._clients.append(proc)
        track(proc)
        return proc

    def run(
        self,
        argv: Sequence[str],
        *,
        timeout: float = 30.0,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        stdin_text: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside the namespace to completion; raises TimeoutExpired
        (after killing it and its children) if it takes longer than ``timeout``."""
        proc = self.popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
        )
        try:
            out, err = proc.communicate(stdin_text, timeout=timeout)
        except subprocess.TimeoutExpired:
            terminate(proc, 2.0, sig=signal.SIGKILL, group=True)
            out, err = proc.communicate()
            raise subprocess.TimeoutExpired(proc.args, timeout, out, err) from None
        finally:
            with contextlib.suppress(ValueError):
                self._clients.remove(proc)
            terminate(proc, 1.0, group=True)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def run_python(
        self, code_or_script: str | Path, *args: object, **kwargs: Any
    ) -> subprocess.CompletedProcess[str]:
        """``run([venv python, script, *args])`` for a Path, ``python -c code`` for a str."""
        head = [str(code_or_script)] if isinstance(code_or_script, Path) else ["-c", code_or_script]
        return self.run([sys.executable, *head, *map(str, args)], **kwargs)

    # ---- what was recorded --------------------------------------------------------

    def dns_queries(self, since: Checkpoint | None = None) -> list[DnsQuery]:
        """Every query the canary got (the canary logs before it answers, so a client
        that has got its answer, or exited, is complete here)."""
        queries = read_queries(self.dns_log_path)
        return queries[since.dns :] if since is not None else queries

    def sync(self, timeout: float = 5.0) -> None:
        """Until every packet sent so far is in the pcap (see module doc)."""
        if self._tcpdump is None or self._tcpdump.poll() is not None:
            raise HarnessError(f"tcpdump is not running\n{self.diagnostics()}")
        anchor = self._anchor
        assert anchor is not None
        assert anchor.stdin is not None
        deadline = time.monotonic() + timeout
        with self._mark_lock:
            self._marks += 1
            token = f"m{self._marks}"
            anchor.stdin.write(f"mark {token}\n".encode())
            anchor.stdin.flush()
            self._expect_line(f"marked {token}", deadline)
            while True:
                seen = self._tcpdump_read(["-q"], f"udp and dst host {MARKER_ADDRESS[0]}")
                if len(seen.splitlines()) >= self._marks:
                    break
                if time.monotonic() > deadline:
                    raise HarnessError(
                        f"capture marker {token} never arrived\n{self.diagnostics()}"
                    )
                time.sleep(0.005)
            dropped = self._capture_drops(deadline)
        if dropped:
            raise HarnessError(
                f"the capture lost {dropped} packets: it cannot prove anything\n"
                + self.diagnostics()
            )

    def _capture_drops(self, deadline: float) -> int:
        """SIGUSR1 makes tcpdump print its counters; the kernel's drop count."""
        assert self._tcpdump is not None
        log = self._path("tcpdump.log")
        before = len(_STATS.findall(_read(log)))
        self._tcpdump.send_signal(signal.SIGUSR1)
        while True:
            stats = _STATS.findall(_read(log))
            if len(stats) > before:
                return int(stats[-1])
            if time.monotonic() > deadline or self._tcpdump.poll() is not None:
                raise HarnessError(f"no counters from tcpdump\n{self.diagnostics()}")
            time.sleep(0.002)

    def _tcpdump_read(self, options: Sequence[str] = (), filter_expr: str = "") -> str:
        proc = subprocess.run(
            ["tcpdump", "-tt", "-nn", *options, "-r", str(self.pcap_path)]
            + ([filter_expr] if filter_expr else []),
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0 and "truncated" not in proc.stderr:
            raise HarnessError(f"tcpdump -r failed: {proc.stderr}")
        return proc.stdout

    def packets(self, since: Checkpoint | None = None, *, sync: bool = True) -> list[Packet]:
        """Every captured packet (markers left out), oldest first."""
        if sync:
            self.sync()
        packets = [
            p
            for p in parse_tcpdump(self._tcpdump_read(["-q"]), self._tcpdump_read())
            if MARKER_ADDRESS[0] not in (p.src, p.dst)
        ]
        return packets[since.packets :] if since is not None else packets

    def connections(self, since: Checkpoint | None = None) -> list[Packet]:
        """The TCP connection attempts (SYN packets)."""
        return [p for p in self.packets(since) if p.syn]

    def mark(self) -> Checkpoint:
        """A checkpoint: pass it as ``since=`` to look only at what came after."""
        return Checkpoint(len(self.dns_queries()), len(self.packets()))

    def is_proxy_traffic(self, packet: Packet) -> bool:
        return packet.proto == "tcp" and (
            (packet.dst == LOOPBACK and packet.dport == self.local_port)
            or (packet.src == LOOPBACK and packet.sport == self.local_port)
        )

    def leaks(self, since: Checkpoint | None = None) -> list[str]:
        """Every DNS query and every packet that is not TCP to/from the proxy."""
        found = [str(q) for q in self.dns_queries(since)]
        found += [
            f"packet {p} ({p.line})" for p in self.packets(since) if not self.is_proxy_traffic(p)
        ]
        return found

    def assert_no_leaks(self, since: Checkpoint | None = None) -> None:
        leaks = self.leaks(since)
        if leaks:
            raise AssertionError("leaks:\n  " + "\n  ".join(leaks))

    # ---- controls -----------------------------------------------------------------

    def run_controls(self, direct_ports: Iterable[int] = ()) -> ControlResult:
        """Inside the namespace: connect straight to each of ``direct_ports`` on
        127.0.0.1 and ::1, resolve POSITIVE_CONTROL_NAME, send one UDP datagram to
        POSITIVE_CONTROL_UDP. Adds leaks on purpose: check the client first (or use
        mark()/since=)."""
        start = self.mark()
        result = self.run_python(_CONTROLS_SCRIPT, *direct_ports, timeout=20)
        if result.returncode != 0:
            raise HarnessError(f"control script failed:\n{result.stdout}{result.stderr}")
        data = json.loads(result.stdout)
        return ControlResult(
            direct=data["direct"],
            lookup=data["lookup"],
            udp_sent=data["udp_sent"],
            dns=[q for q in self.dns_queries(start) if q.name == POSITIVE_CONTROL_NAME],
            udp_packets=[
                p
                for p in self.packets(start)
                if p.proto == "udp" and (p.dst, p.dport) == POSITIVE_CONTROL_UDP
            ],
        )

    def verify_controls(self, direct_ports: Iterable[int] = ()) -> ControlResult:
        """run_controls() and assert the harness works: no direct connection
        succeeds, the lookup fails and the canary has it, the UDP datagram is in the
        capture."""
        controls = self.run_controls(direct_ports)
        problems = [f"direct {a}: {o}" for a, o in controls.direct.items() if o == "connected"]
        if controls.lookup != "gaierror":
            problems.append(f"positive-control lookup: {controls.lookup} (expected gaierror)")
        if not controls.dns:
            problems.append(f"the canary did not record {POSITIVE_CONTROL_NAME}")
        if not controls.udp_packets:
            problems.append(f"no UDP packet to {POSITIVE_CONTROL_UDP} in the capture")
        if problems:
            raise AssertionError(
                "leak harness controls failed:\n  "
                + "\n  ".join(problems)
                + f"\n{self.diagnostics()}"
            )
        return controls

    def diagnostics(self) -> str:
        if self.dir is None:
            return "(harness not started)"
        parts = [f"harness dir: {self.dir}"]
        for name in ("anchor.log", "socat-host.log", "socat-ns.log", "tcpdump.log"):
            parts.append(tail(self._path(name), 15))
        with contextlib.suppress(Exception):
            parts.append("dns: " + "; ".join(map(str, self.dns_queries())))
        if self.pcap_path.exists():
            with contextlib.suppress(Exception):
                parts.append("capture:\n" + self._tcpdump_read(["-q"])[-3000:])
        return "\n".join(parts)


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _client_nsswitch() -> str:
    """The host's nsswitch.conf with ``hosts: files dns`` (every lookup reaches the
    canary; nothing resolves through a daemon outside the namespace)."""
    try:
        lines = Path("/etc/nsswitch.conf").read_text().splitlines()
    except OSError:
        lines = ["passwd: files", "group: files"]
    lines = [line for line in lines if not line.strip().startswith("hosts:")]
    return "\n".join([*lines, "hosts: files dns"]) + "\n"


__all__ = [
    "POSITIVE_CONTROL_NAME",
    "POSITIVE_CONTROL_UDP",
    "Checkpoint",
    "ControlResult",
    "DnsQuery",
    "HarnessError",
    "LeakHarness",
    "Packet",
    "parse_tcpdump",
    "unavailable_reason",
]
