"""Open TCP streams through an account's proxy, with the hostname resolved by the proxy.

SOCKS5 sends the name (ATYP=domain); HTTP sends ``CONNECT host:port``. Nothing is
looked up on this machine for the destination. A proxy that fails raises
``ProxyFailed``; callers must not fall back to a direct connection.
"""

from __future__ import annotations

import socket

from python_socks import ProxyConnectionError, ProxyError, ProxyTimeoutError, ProxyType
from python_socks.async_.asyncio import Proxy

from siproxylin.domain.config import ProxyConfig, ProxyKind

_TYPES = {ProxyKind.SOCKS5: ProxyType.SOCKS5, ProxyKind.HTTP: ProxyType.HTTP}


class ProxyFailed(OSError):
    """The proxy could not be reached or refused the connection."""


async def open_socket(
    proxy: ProxyConfig, host: str, port: int, timeout: float = 20.0
) -> socket.socket:
    """Connect to ``host:port`` through ``proxy`` and return the connected socket.

    Args:
        proxy: The account's proxy (must be enabled).
        host: Destination name or address; sent to the proxy unresolved.
        port: Destination port.
        timeout: Seconds for the whole proxy handshake.

    Returns:
        A connected, blocking-mode-agnostic socket ready for ``create_connection(sock=...)``.

    Raises:
        ProxyFailed: The proxy is down, refused, or timed out.
    """
    if not proxy.enabled:
        raise ValueError("open_socket needs an enabled proxy")
    client = Proxy(
        _TYPES[proxy.kind],
        proxy.host,
        proxy.port,
        username=proxy.username or None,
        password=proxy.password or None,
        rdns=True,
    )
    try:
        sock: socket.socket = await client.connect(dest_host=host, dest_port=port, timeout=timeout)
    except (ProxyConnectionError, ProxyTimeoutError, ProxyError) as exc:
        raise ProxyFailed(f"proxy {proxy.kind.value} {proxy.host}:{proxy.port}: {exc}") from exc
    return sock
