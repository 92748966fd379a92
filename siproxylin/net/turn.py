"""TURN connections of a call: through the account's proxy, with a timeout fit for Tor.

aioice has no connection factory, so ``install()`` replaces two of its names
(pinned aioice 0.13.0; private API):

* ``aioice.turn.create_turn_endpoint``: while a call runs under ``turn_route()``,
  the TCP (or TLS) stream to the TURN server is opened by ``AccountNetwork``:
  SOCKS5 or HTTP CONNECT, the TURN host name resolved by the proxy, TLS verified
  inside the tunnel. TURN over UDP is refused for a proxied account (a proxy has
  no UDP; sending it directly would reveal the user's address). Unproxied
  accounts use UDP or TCP/TLS directly.
* ``aioice.ice.Connection.get_component_candidates``: the TURN allocation gets
  ``TurnRoute.allocation_timeout`` instead of aioice's fixed 5 s.

Code outside ``turn_route()`` sees aioice unchanged. Every failure is kept in the
call's ``TurnAttempt``, because aioice swallows them and just gathers nothing.
Imports only aioice, the stdlib, ``net`` and ``domain``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aioice import ice, stun, turn
from aioice.candidate import Candidate

from siproxylin.domain.call_media import CallFailure
from siproxylin.net.network import AccountNetwork
from siproxylin.net.proxy import ProxyFailed

log = logging.getLogger(__name__)

_ProtocolT = TypeVar("_ProtocolT", bound=asyncio.DatagramProtocol)
_HTTP_UNAUTHORIZED = 401


class TurnRefused(ConnectionError):
    """The route does not allow this TURN transport (UDP through a proxy)."""


@dataclass(frozen=True, slots=True)
class TurnRoute:
    """How one call reaches its TURN server.

    Attributes:
        network: The account's network; a proxied one forces TCP/TLS through it.
            None for code that belongs to no account (tests, benchmarks): direct.
        allocation_timeout: Seconds for connecting and allocating (Tor is slow).
        ca_file: A CA (or self-signed certificate) trusted for ``turns:`` in
            addition to the system store.
    """

    network: AccountNetwork | None = None
    allocation_timeout: float = 30.0
    ca_file: str = ""

    @property
    def proxied(self) -> bool:
        """True when the TURN connection must go through the account's proxy."""
        return self.network is not None and self.network.proxied


@dataclass(slots=True)
class TurnAttempt:
    """What happened to one call's TURN allocations (filled in by the hook)."""

    route: TurnRoute
    errors: list[BaseException] = field(default_factory=list)
    allocations: int = 0
    timed_out: bool = False

    def problem(self) -> tuple[CallFailure, str]:
        """The failure and a sentence for the user, when no relay was obtained."""
        for exc in self.errors:
            if _is_unauthorized(exc):
                return CallFailure.TURN_AUTH, "the TURN server refused our credentials"
        if self.errors:
            return CallFailure.NO_RELAY, f"no relay available: {_describe(self.errors[0])}"
        if self.timed_out:
            seconds = f"{self.route.allocation_timeout:g}"
            return (
                CallFailure.NO_RELAY,
                f"no relay available: the TURN server did not answer within {seconds} s",
            )
        return CallFailure.NO_RELAY, "no relay available: no usable TURN server"


_current: ContextVar[TurnAttempt | None] = ContextVar("siproxylin_turn_attempt", default=None)
_original_endpoint = turn.create_turn_endpoint
_original_gather = ice.Connection.get_component_candidates
_installed = False


def install() -> None:
    """Replace aioice's TURN connection and gather timeout (once per process)."""
    global _installed  # noqa: PLW0603 - one patch per interpreter, by design
    if not _installed:
        turn.create_turn_endpoint = _create_turn_endpoint
        ice.Connection.get_component_candidates = _get_component_candidates  # type: ignore[method-assign]
        _installed = True


@contextlib.contextmanager
def turn_route(attempt: TurnAttempt) -> Iterator[None]:
    """Run the block (and the tasks it starts) with ``attempt``'s route.

    A proxied account's block also runs under its fail-closed network policy.
    """
    install()
    token = _current.set(attempt)
    try:
        network = attempt.route.network
        if network is not None:
            with network.activate():
                yield
        else:
            yield
    finally:
        _current.reset(token)


async def _get_component_candidates(
    self: ice.Connection, component: int, addresses: list[str], timeout: int = 5
) -> list[Candidate]:
    attempt = _current.get()
    if attempt is None:
        return await _original_gather(self, component, addresses, timeout)
    limit: Any = attempt.route.allocation_timeout
    candidates: list[Candidate] = await _original_gather(self, component, addresses, limit)
    if self.turn_server and not any(c.type == "relay" for c in candidates):
        attempt.timed_out = attempt.timed_out or not attempt.errors
    return candidates


async def _create_turn_endpoint(
    protocol_factory: Callable[[], _ProtocolT],
    server_addr: tuple[str, int],
    username: str | None,
    password: str | None,
    lifetime: int = turn.DEFAULT_ALLOCATION_LIFETIME,
    channel_refresh_time: int = turn.DEFAULT_CHANNEL_REFRESH_TIME,
    ssl: bool | ssl.SSLContext | None = None,  # aioice passes it by this name
    transport: str = "udp",
) -> tuple[turn.TurnTransport, _ProtocolT]:
    attempt = _current.get()
    if attempt is None:
        return await _original_endpoint(
            protocol_factory,
            server_addr,
            username,
            password,
            lifetime,
            channel_refresh_time,
            ssl,
            transport,
        )
    try:
        if transport == "udp" and not attempt.route.proxied:
            result = await _original_endpoint(
                protocol_factory,
                server_addr,
                username,
                password,
                lifetime,
                channel_refresh_time,
                None,
                transport,
            )
        else:
            result = await _stream_endpoint(
                attempt.route,
                protocol_factory,
                server_addr,
                turn.TurnClientTcpProtocol(
                    server_addr,
                    username=username,
                    password=password,
                    lifetime=lifetime,
                    channel_refresh_time=channel_refresh_time,
                ),
                transport,
                bool(ssl),
            )
    except asyncio.CancelledError:
        attempt.timed_out = True
        raise
    except Exception as exc:
        log.info("TURN %s:%s over %s failed: %s", *server_addr, transport, _describe(exc))
        attempt.errors.append(exc)
        raise
    attempt.allocations += 1
    return result


async def _stream_endpoint(
    route: TurnRoute,
    protocol_factory: Callable[[], _ProtocolT],
    server_addr: tuple[str, int],
    inner: turn.TurnClientTcpProtocol,
    transport: str,
    use_tls: bool,
) -> tuple[turn.TurnTransport, _ProtocolT]:
    """A TURN allocation over a TCP (or TLS) stream, through the proxy when there is one."""
    host, port = server_addr
    loop = asyncio.get_running_loop()
    context = _tls_context(route.ca_file) if use_tls else None
    if route.proxied:
        if transport != "tcp":
            raise TurnRefused("TURN over UDP cannot go through the account's proxy")
        assert route.network is not None
        sock = await route.network.open_socket(host, port, timeout=route.allocation_timeout)
        try:
            inner_transport, _ = await loop.create_connection(
                lambda: inner,
                sock=sock,
                ssl=context,
                server_hostname=host if context is not None else None,
            )
        except BaseException:
            sock.close()
            raise
    else:
        inner_transport, _ = await loop.create_connection(
            lambda: inner, host=host, port=port, ssl=context
        )
    try:
        protocol = protocol_factory()
        turn_transport = turn.TurnTransport(inner)
        await turn_transport._connect(protocol)  # private: pinned aioice 0.13.0
    except BaseException:
        inner_transport.close()
        raise
    return turn_transport, protocol


def _tls_context(ca_file: str) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def _is_unauthorized(exc: BaseException) -> bool:
    return isinstance(exc, stun.TransactionFailed) and exc.response.error_code == _HTTP_UNAUTHORIZED


def _describe(exc: BaseException) -> str:  # noqa: PLR0911 - one sentence per kind
    """A sentence about a TURN connection failure."""
    if isinstance(exc, TurnRefused | ProxyFailed):
        return str(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the TURN server's certificate is not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS with the TURN server failed ({exc.reason})"
    if isinstance(exc, stun.TransactionFailed):
        return f"the TURN server answered an error ({exc})"
    if isinstance(exc, stun.TransactionTimeout):
        return "the TURN server did not answer"
    if isinstance(exc, OSError):
        return f"cannot reach the TURN server ({exc.strerror or exc})"
    return f"{type(exc).__name__}: {exc}"
