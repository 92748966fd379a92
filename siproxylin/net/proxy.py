"""Open TCP streams through an account's proxy, the destination resolved by the proxy.

SOCKS5 sends the name (ATYP=domain); HTTP sends ``CONNECT host:port``. Nothing is
looked up on this machine for the destination. Failures are typed (proxy
unreachable, authentication failed, destination refused, timeout, protocol
error) and all derive from ``ProxyFailed``; callers never fall back to a direct
connection.
"""

from __future__ import annotations

import socket

from python_socks import (
    ProxyConnectionError,
    ProxyError,
    ProxyTimeoutError,
    ProxyType,
)
from python_socks.async_.asyncio import Proxy

from siproxylin.domain.config import ProxyConfig, ProxyKind

_TYPES = {ProxyKind.SOCKS5: ProxyType.SOCKS5, ProxyKind.HTTP: ProxyType.HTTP}
_SOCKS5_REPLIES = {
    1: "general failure",
    2: "connection not allowed by the proxy's rules",
    3: "network unreachable",
    4: "host unreachable",
    5: "connection refused by the destination",
    6: "TTL expired",
    7: "command not supported",
    8: "address type not supported",
}
_HTTP_AUTH_REQUIRED = 407


class ProxyFailed(OSError):
    """The proxy could not be used; ``str()`` is fit to show the user."""


class ProxyUnreachable(ProxyFailed):
    """Nothing answers at the proxy's address."""


class ProxyAuthFailed(ProxyFailed):
    """The proxy refused the username or password."""


class ProxyDestinationFailed(ProxyFailed):
    """The proxy works but could not (or would not) reach the destination."""


class ProxyTimedOut(ProxyFailed):
    """The proxy did not complete the handshake in time."""


class ProxyProtocolError(ProxyFailed):
    """The proxy answered something that is not SOCKS5 / HTTP CONNECT."""


async def open_socket(
    proxy: ProxyConfig,
    host: str,
    port: int,
    *,
    timeout: float = 20.0,
    address: str = "",
    credentials: tuple[str | None, str | None] | None = None,
) -> socket.socket:
    """Connect to ``host:port`` through ``proxy`` and return the connected socket.

    Args:
        proxy: The account's proxy (must be enabled).
        host: Destination name or address; sent to the proxy unresolved.
        port: Destination port.
        timeout: Seconds for the whole proxy handshake.
        address: The proxy's IP when its name was resolved beforehand.
        credentials: User name and password to send instead of the configured ones
            (``AccountNetwork`` passes Tor isolation credentials this way).

    Returns:
        A connected socket ready for ``loop.create_connection(sock=...)``.

    Raises:
        ProxyFailed: One of its subclasses, saying what went wrong.
    """
    if not proxy.enabled:
        raise ValueError("open_socket needs an enabled proxy")
    username, password = credentials or (proxy.username or None, proxy.password or None)
    client = Proxy(
        _TYPES[proxy.kind],
        address or proxy.host,
        proxy.port,
        username=username,
        password=password,
        rdns=True,
    )
    where = f"{proxy.kind.name} proxy {proxy.host}:{proxy.port}"
    try:
        sock: socket.socket = await client.connect(dest_host=host, dest_port=port, timeout=timeout)
    except ProxyTimeoutError as exc:
        raise ProxyTimedOut(f"{where} did not answer in time") from exc
    except ProxyConnectionError as exc:
        raise ProxyUnreachable(f"{where} is unreachable ({_reason(exc)})") from exc
    except ProxyError as exc:
        raise _classify(exc, where, host, port) from exc
    except (ConnectionError, EOFError) as exc:
        raise ProxyProtocolError(f"{where} closed the connection during the handshake") from exc
    return sock


def _classify(exc: ProxyError, where: str, host: str, port: int) -> ProxyFailed:
    text = str(exc)
    code = exc.error_code
    lowered = text.lower()
    if "authentication" in lowered or code == _HTTP_AUTH_REQUIRED:
        return ProxyAuthFailed(f"{where} refused the username or password")
    if code is not None:
        reason = _SOCKS5_REPLIES.get(code, text) if code < 100 else text
        return ProxyDestinationFailed(f"{where} could not reach {host}:{port}: {reason}")
    return ProxyProtocolError(f"{where} answered something unexpected ({text[:120]})")


def _reason(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    return getattr(cause, "strerror", None) or str(cause) or type(cause).__name__
