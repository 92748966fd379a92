"""How an account's stream reaches its server: proxy, TLS context, one attempt per call.

``StreamClient`` is a slixmpp ``ClientXMPP`` with three changes:

* the TCP step goes through the account's proxy when it has one (overrides the
  private ``_attempt_connection``: slixmpp is pinned exactly for this), with the
  hostname resolved by the proxy, and DNS lookups from this machine refused;
* TLS always verifies (system CAs plus the account's CA file), never plaintext;
* a failed attempt is reported once instead of slixmpp retrying on its own, so
  the core's backoff (with jitter) decides when to try again.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

from slixmpp import ClientXMPP

from siproxylin.domain.config import AccountConfig, TlsPolicy
from siproxylin.net.network import AccountNetwork


def tls_context(policy: TlsPolicy, context: ssl.SSLContext | None = None) -> ssl.SSLContext:
    """A verifying TLS context: system CAs, plus the account's CA file (or pinned
    certificate) if it has one.

    Args:
        policy: The account's TLS policy.
        context: A default context to complete instead of building one (loading the
            system CA store costs tens of milliseconds).

    Returns:
        A context with hostname checking and ``CERT_REQUIRED``, TLS 1.2 or newer.

    Raises:
        OSError: The CA file cannot be read.
        ssl.SSLError: The CA file holds no usable certificate.
    """
    context = context or ssl.create_default_context()
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if policy.ca_file:
        context.load_verify_locations(cafile=policy.ca_file)
        # A certificate the user pinned is trusted by itself, even when it is a
        # server certificate issued by a CA this machine does not know (the name
        # is still checked).
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


class DnsRefused(OSError):
    """A DNS lookup was attempted for a proxied account (it would leak)."""


class StreamClient(ClientXMPP):
    """slixmpp client bound to one account's connection policy."""

    def __init__(
        self,
        config: AccountConfig,
        password: str,
        network: AccountNetwork,
        on_attempt_failed: Callable[[], None],
    ) -> None:
        jid = str(config.jid.with_resource(config.resource) if config.resource else config.jid)
        super().__init__(jid, password)
        self.account_config = config
        self.network = network
        self._on_attempt_failed = on_attempt_failed
        # slixmpp already built a default, verifying context: complete that one.
        self.ssl_context = tls_context(config.tls, self.ssl_context)
        self.enable_plaintext = False
        self.enable_starttls = True
        self.enable_direct_tls = config.tls.direct_tls
        # A proxied account never resolves anything locally (see get_dns_records).
        self.use_aiodns = not config.proxy.enabled

    def start(self) -> None:
        """Begin one connection attempt to the account's address.

        A direct account without an explicit server uses SRV records; a proxied
        one always connects by name and port, so nothing is resolved locally.
        """
        config = self.account_config
        # The connect task, and everything it starts, runs under the account's
        # fail-closed network policy (see net.guard).
        with self.network.activate():
            if config.server_host or config.server_port or config.proxy.enabled:
                host, port = config.address
                self.connect(host, port)
            else:
                self.connect()

    async def _attempt_connection(
        self, host: str, port: int, tls: bool, server_hostname: str | None
    ) -> bool:
        if not self.network.proxied:
            result: bool = await super()._attempt_connection(host, port, tls, server_hostname)
            return result
        self.event_when_connected = "connected"
        self._connect_loop_wait += 1
        if self._current_connection_attempt is None:
            return False
        try:
            sock = await self.network.open_socket(host, port)
            await self.loop.create_connection(
                lambda: self,
                sock=sock,
                ssl=self.get_ssl_context() if tls else None,
                server_hostname=server_hostname if tls else None,
            )
        except OSError as exc:
            self.event("connection_failed", exc)
            return False
        self._connect_loop_wait = 0
        return True

    async def get_dns_records(self, domain: str, port: int | None = None) -> Any:
        """Refuse lookups for proxied accounts; they must go by name through the proxy."""
        if self.account_config.proxy.enabled:
            raise DnsRefused(f"DNS lookup of {domain} refused: the account uses a proxy")
        return await super().get_dns_records(domain, port)

    def reschedule_connection_attempt(self) -> None:
        """Report the failed attempt instead of retrying; the core owns the backoff."""
        self._current_connection_attempt = None
        self._on_attempt_failed()
