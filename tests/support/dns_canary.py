"""A DNS canary: a tiny DNS server that records every query and resolves nothing.

It listens on UDP and TCP (default 127.0.0.1:53, plus ::1 when there is IPv6), appends
one JSON line per query to a log file *before* answering, and answers NXDOMAIN (or
REFUSED / SERVFAIL) with the question echoed. A client that resolves a name locally
therefore fails fast and leaves a trace:

    {"time": 1700000000.1, "proto": "udp", "client": "127.0.0.1:40000",
     "id": 4660, "name": "siproxylin.test", "type": "A", "qtype": 1}

Malformed messages are logged too (``"name": null`` and an ``"error"``): any packet to
the canary is a leak.

Used by tests.support.netns.LeakHarness, which runs this file as a script inside the
client's network namespace (stdlib only, no package imports):

    python dns_canary.py --log FILE [--host 127.0.0.1] [--port 53] [--rcode NXDOMAIN]
                         [--control]

It prints ``READY`` once every socket is bound. With ``--control`` it also reads commands
from stdin: ``mark TOKEN`` sends one UDP datagram (payload TOKEN) to MARKER_ADDRESS and
prints ``marked TOKEN`` (a packet-capture sync point for the harness); EOF on stdin ends
the process.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

MARKER_ADDRESS = ("127.254.0.1", 9)
RCODES = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5}
QTYPES = {
    1: "A",
    2: "NS",
    5: "CNAME",
    6: "SOA",
    12: "PTR",
    15: "MX",
    16: "TXT",
    28: "AAAA",
    33: "SRV",
    35: "NAPTR",
    41: "OPT",
    64: "SVCB",
    65: "HTTPS",
    255: "ANY",
}


@dataclass(frozen=True)
class DnsQuery:
    """One recorded query."""

    name: str | None
    type: str | None
    proto: str  # "udp" | "tcp"
    client: str = ""
    error: str | None = None

    def __str__(self) -> str:
        what = f"{self.type} {self.name}" if self.error is None else f"malformed ({self.error})"
        return f"DNS {what} over {self.proto} from {self.client}"


class DnsFormatError(ValueError):
    pass


def parse_query(message: bytes) -> tuple[int, int, str, int, int]:
    """(id, flags, name, qtype, end of the question) of a DNS query message."""
    if len(message) < 12:
        raise DnsFormatError("shorter than a DNS header")
    ident, flags, qdcount = struct.unpack("!HHH", message[:6])
    if qdcount < 1:
        raise DnsFormatError("no question")
    labels = []
    pos = 12
    while True:
        if pos >= len(message):
            raise DnsFormatError("name runs past the end")
        length = message[pos]
        pos += 1
        if length == 0:
            break
        if length & 0xC0:
            raise DnsFormatError("compressed name in a question")
        label = message[pos : pos + length]
        if len(label) != length:
            raise DnsFormatError("label runs past the end")
        labels.append(label.decode("ascii", errors="backslashreplace"))
        pos += length
    if pos + 4 > len(message):
        raise DnsFormatError("question without type/class")
    qtype = struct.unpack("!H", message[pos : pos + 2])[0]
    return ident, flags, ".".join(labels) or ".", qtype, pos + 4


def build_response(message: bytes, rcode: int) -> bytes | None:
    """The answer to ``message``: question echoed, no records, ``rcode``."""
    if len(message) < 12:
        return None
    ident, flags = struct.unpack("!HH", message[:4])
    if flags & 0x8000:
        return None  # a response: never answer those
    opcode_rd = flags & 0x7900  # opcode + RD
    try:
        *_, end = parse_query(message)
    except DnsFormatError:
        header = struct.pack("!HHHHHH", ident, 0x8000 | opcode_rd | 0x0080 | 1, 0, 0, 0, 0)
        return header
    question = message[12:end]
    header = struct.pack("!HHHHHH", ident, 0x8000 | opcode_rd | 0x0080 | rcode, 1, 0, 0, 0)
    return header + question


def read_queries(log_path: Path) -> list[DnsQuery]:
    """Every query recorded in ``log_path`` so far."""
    try:
        text = Path(log_path).read_text()
    except FileNotFoundError:
        return []
    queries = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            continue  # a line still being written
        queries.append(
            DnsQuery(
                row.get("name"), row.get("type"), row["proto"], row["client"], row.get("error")
            )
        )
    return queries


class DnsCanary:
    """The server (usable in-process too: ``DnsCanary(log, port=0).start()``)."""

    def __init__(
        self,
        log_path: Path,
        host: str = "127.0.0.1",
        port: int = 53,
        rcode: str = "NXDOMAIN",
        ipv6: bool = True,
    ) -> None:
        self.log_path = Path(log_path)
        self.host = host
        self.port = port
        self.rcode = RCODES[rcode.upper()]
        self.ipv6 = ipv6
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._log = None
        self._stopping = threading.Event()

    def start(self) -> DnsCanary:
        """Bind UDP + TCP on one port (``port=0``: a free one, for in-process use)."""
        for attempt in range(20 if self.port == 0 else 1):
            try:
                sockets = self._bind_all(self.port)
                break
            except OSError:
                if attempt + 1 >= (20 if self.port == 0 else 1):
                    raise
        self._sockets = sockets
        self.port = sockets[0].getsockname()[1]
        self._log = open(self.log_path, "a", buffering=1)  # noqa: SIM115
        for sock in sockets:
            serve = self._serve_udp if sock.type == socket.SOCK_DGRAM else self._serve_tcp
            self._thread(serve, sock)
        return self

    def _bind_all(self, port: int) -> list[socket.socket]:
        families = [(socket.AF_INET, self.host)]
        if self.ipv6 and self.host == "127.0.0.1":
            families.append((socket.AF_INET6, "::1"))
        sockets: list[socket.socket] = []
        try:
            for family, host in families:
                udp = socket.socket(family, socket.SOCK_DGRAM)
                sockets.append(udp)
                try:
                    udp.bind((host, port))
                except OSError:
                    if family == socket.AF_INET6:
                        sockets.remove(udp)
                        udp.close()
                        continue  # no IPv6 on this lo
                    raise
                port = udp.getsockname()[1]
                tcp = socket.socket(family, socket.SOCK_STREAM)
                sockets.append(tcp)
                tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                tcp.bind((host, port))
                tcp.listen(16)
        except OSError:
            for sock in sockets:
                sock.close()
            raise
        return sockets

    def stop(self) -> None:
        self._stopping.set()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(1.0)
        if self._log is not None:
            self._log.close()

    def queries(self) -> list[DnsQuery]:
        return read_queries(self.log_path)

    def _thread(self, target, *args) -> None:  # type: ignore[no-untyped-def]
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _record(self, message: bytes, proto: str, client: object) -> None:
        row: dict[str, object] = {
            "time": time.time(),
            "proto": proto,
            "client": ":".join(str(p) for p in client[:2]) if isinstance(client, tuple) else "",
        }
        try:
            ident, _flags, name, qtype, _ = parse_query(message)
            row.update(id=ident, name=name, type=QTYPES.get(qtype, str(qtype)), qtype=qtype)
        except DnsFormatError as exc:
            row.update(name=None, type=None, error=str(exc), raw=message[:64].hex())
        with self._lock:
            assert self._log is not None
            self._log.write(json.dumps(row) + "\n")

    def _serve_udp(self, sock: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                message, client = sock.recvfrom(65535)
            except OSError:
                return
            self._record(message, "udp", client)
            response = build_response(message, self.rcode)
            if response is not None:
                with contextlib.suppress(OSError):
                    sock.sendto(response, client)

    def _serve_tcp(self, server: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                conn, client = server.accept()
            except OSError:
                return
            self._thread(self._serve_tcp_conn, conn, client)

    def _serve_tcp_conn(self, conn: socket.socket, client: object) -> None:
        conn.settimeout(5.0)
        with conn:
            buffer = b""
            while True:
                try:
                    chunk = conn.recv(65535)
                except OSError:
                    return
                if not chunk:
                    if buffer:
                        self._record(buffer, "tcp", client)
                    return
                buffer += chunk
                while len(buffer) >= 2:
                    (length,) = struct.unpack("!H", buffer[:2])
                    if len(buffer) < 2 + length:
                        break
                    message, buffer = buffer[2 : 2 + length], buffer[2 + length :]
                    self._record(message, "tcp", client)
                    response = build_response(message, self.rcode)
                    if response is not None:
                        with contextlib.suppress(OSError):
                            conn.sendall(struct.pack("!H", len(response)) + response)


def _control_loop() -> None:
    marker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "mark":
            with contextlib.suppress(OSError):
                marker.sendto(arg.encode(), MARKER_ADDRESS)
            print(f"marked {arg}", flush=True)
        elif command == "quit":
            break


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", required=True, type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=53)
    parser.add_argument("--rcode", default="NXDOMAIN", choices=sorted(RCODES))
    parser.add_argument("--control", action="store_true", help="read commands from stdin")
    args = parser.parse_args(argv)
    canary = DnsCanary(args.log, args.host, args.port, args.rcode).start()
    print("READY", canary.port, flush=True)
    try:
        if args.control:
            _control_loop()
        else:
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        canary.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
