"""Fail closed: a proxied account's code cannot open a socket or resolve a name by itself.

Every task of an account runs with that account's ``NetPolicy`` in a context
variable (asyncio copies it into every task and callback created from there).
An audit hook (PEP 578), installed once, checks each ``socket.connect``,
``socket.sendto`` and name lookup made by the interpreter: under a proxied
policy only the proxy's own address may be contacted and nothing may be
resolved, whatever library tries. The check costs nothing for direct accounts
and for code outside any account.
"""

from __future__ import annotations

import contextlib
import ipaddress
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from siproxylin.domain.ids import AccountId

_LOOKUPS = frozenset(
    {
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyname_ex",
        "socket.gethostbyaddr",
        "socket.getnameinfo",
    }
)
_SENDS = frozenset({"socket.sendto", "socket.sendmsg"})


class LeakBlocked(PermissionError):
    """A proxied account tried to reach the network without its proxy."""


@dataclass(frozen=True, slots=True)
class NetPolicy:
    """Where one account's code may connect.

    Attributes:
        account: The account.
        proxied: True when everything must go through the proxy.
        proxy_address: The proxy's (ip, port); the only allowed destination.
    """

    account: AccountId
    proxied: bool
    proxy_address: tuple[str, int] = ("", 0)


_current: ContextVar[NetPolicy | None] = ContextVar("siproxylin_net_policy", default=None)
_installed = False


def install() -> None:
    """Install the audit hook (once per process; it cannot be removed)."""
    global _installed  # noqa: PLW0603 - one hook per interpreter, by design
    if not _installed:
        sys.addaudithook(_audit)
        _installed = True


@contextlib.contextmanager
def policy(active: NetPolicy) -> Iterator[None]:
    """Run the block (and every task it creates) under ``active``."""
    install()
    token = _current.set(active)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> NetPolicy | None:
    """The policy of the code running now, if any."""
    return _current.get()


def _is_numeric(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return host is None
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not event.startswith("socket."):
        return
    active = _current.get()
    if active is None or not active.proxied:
        return
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and (address[0], address[1]) == active.proxy_address:
            return
        if isinstance(address, (str, bytes)):
            return  # a unix socket is not the network
        raise LeakBlocked(f"account {active.account}: connect to {address!r} without the proxy")
    if event in _LOOKUPS:
        # Resolving a numeric address is no lookup; asyncio does it for the proxy's IP.
        if _is_numeric(args[0]):
            return
        raise LeakBlocked(f"account {active.account}: name lookup of {args[0]!r} refused")
    if event in _SENDS:
        raise LeakBlocked(f"account {active.account}: datagram without the proxy refused")
