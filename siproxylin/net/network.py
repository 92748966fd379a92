"""AccountNetwork: the one way an account's code reaches the network.

Owns, for one account: its proxy (with the proxy's name resolved once, up front,
when it was given as a name), its Tor isolation credentials, its fail-closed
policy (``net.guard``), and the factories of its TCP streams and HTTP sessions.
Adapters receive an ``AccountNetwork`` and never open connections themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import secrets
import socket
from collections.abc import Iterator

from siproxylin.domain.config import ProxyConfig, ProxyKind
from siproxylin.domain.ids import AccountId
from siproxylin.net import guard
from siproxylin.net.proxy import ProxyUnreachable, open_socket

log = logging.getLogger(__name__)


def is_ip_address(host: str) -> bool:
    """True for an IPv4 or IPv6 literal (no lookup needed to reach it)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class AccountNetwork:
    """Network access of one account: through its proxy, or direct when it has none."""

    def __init__(self, account: AccountId, proxy: ProxyConfig) -> None:
        self.account = account
        self.proxy = proxy
        self._proxy_ip = proxy.host if is_ip_address(proxy.host) else ""
        # Random per account and per run: Tor isolates circuits by SOCKS credentials.
        self._isolation = secrets.token_hex(8)

    @property
    def proxied(self) -> bool:
        """True when every connection must go through the proxy."""
        return self.proxy.enabled

    @property
    def proxy_resolved(self) -> bool:
        """True once the proxy's address is known (always, for an IP literal)."""
        return bool(self._proxy_ip)

    @property
    def proxy_address(self) -> tuple[str, int]:
        """The proxy's (ip, port); the ip is empty until ``resolve_proxy`` ran."""
        return self._proxy_ip, self.proxy.port

    @property
    def proxy_credentials(self) -> tuple[str | None, str | None]:
        """The username and password to send to the proxy (isolation ones for Tor)."""
        proxy = self.proxy
        if proxy.username:
            return proxy.username, proxy.password or None
        if proxy.kind is ProxyKind.SOCKS5 and proxy.isolate:
            return self._isolation, self._isolation
        return None, None

    def net_policy(self) -> guard.NetPolicy:
        """What the account's code may contact (see ``net.guard``)."""
        return guard.NetPolicy(self.account, self.proxied, (self._proxy_ip, self.proxy.port))

    @contextlib.contextmanager
    def activate(self) -> Iterator[None]:
        """Run the block, and every task started in it, under this account's policy."""
        with guard.policy(self.net_policy()):
            yield

    async def resolve_proxy(self) -> str | None:
        """Resolve a proxy given by name, once; returns the address when a lookup was made.

        This lookup is the only one a proxied account ever makes on this machine,
        and it concerns the proxy, not any XMPP server. The caller tells the user.

        Raises:
            ProxyUnreachable: The proxy's name does not resolve.
        """
        if not self.proxied or self._proxy_ip:
            return None
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(
                self.proxy.host, self.proxy.port, type=socket.SOCK_STREAM
            )
        except OSError as exc:
            raise ProxyUnreachable(
                f"the proxy's name {self.proxy.host!r} does not resolve ({exc})"
            ) from exc
        self._proxy_ip = str(infos[0][4][0])
        log.warning(
            "account %s: proxy name %s looked up locally (%s); an IP address avoids it",
            self.account,
            self.proxy.host,
            self._proxy_ip,
        )
        return self._proxy_ip

    async def open_socket(self, host: str, port: int, timeout: float = 20.0) -> socket.socket:
        """A TCP socket to ``host:port`` through the proxy (the proxy resolves ``host``).

        Raises:
            ProxyFailed: The proxy could not be used; there is no direct fallback.
        """
        await self.resolve_proxy()
        with self.activate():
            return await open_socket(
                self.proxy,
                host,
                port,
                timeout=timeout,
                address=self._proxy_ip,
                credentials=self.proxy_credentials,
            )
