"""The internet sockets a process holds, read from /proc (no psutil).

    for s in inet_sockets():                 # this process
        print(s.proto, s.local, s.remote, s.state)

Reads ``/proc/<pid>/fd`` for socket inodes and ``/proc/<pid>/net/{tcp,tcp6,udp,udp6}``
(the process's own network namespace) for their addresses.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
from dataclasses import dataclass

_TCP_STATES = {"01": "ESTABLISHED", "02": "SYN_SENT", "0A": "LISTEN", "06": "TIME_WAIT",
               "08": "CLOSE_WAIT", "04": "FIN_WAIT1", "05": "FIN_WAIT2", "07": "CLOSE",
               "09": "LAST_ACK", "0B": "CLOSING", "03": "SYN_RECV"}  # fmt: skip


@dataclass(frozen=True)
class InetSocket:
    proto: str  # tcp, tcp6, udp, udp6
    local: tuple[str, int]
    remote: tuple[str, int]
    state: str
    inode: str = ""

    @property
    def connected(self) -> bool:
        return self.remote[1] != 0


def _inodes(pid: int) -> set[str]:
    found = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    found.add(target[8:-1])
    return found


def _address(text: str) -> tuple[str, int]:
    host, port = text.split(":")
    raw = bytes.fromhex(host)
    if len(raw) == 4:
        ip = socket.inet_ntop(socket.AF_INET, struct.pack("<I", int(host, 16)))
    else:
        words = struct.unpack("<4I", raw)
        ip = socket.inet_ntop(socket.AF_INET6, struct.pack(">4I", *words))
    return ip, int(port, 16)


def inet_sockets(pid: int | None = None) -> list[InetSocket]:
    """Every TCP and UDP socket (IPv4 and IPv6) process ``pid`` has open."""
    pid = pid or os.getpid()
    inodes = _inodes(pid)
    found = []
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        try:
            with open(f"/proc/{pid}/net/{proto}") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) < 10 or cols[9] not in inodes:
                continue
            state = _TCP_STATES.get(cols[3], cols[3]) if proto.startswith("tcp") else "-"
            found.append(InetSocket(proto, _address(cols[1]), _address(cols[2]), state, cols[9]))
    return found
