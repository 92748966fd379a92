"""The per-account HTTP client: uploads, downloads, avatars, CAPTCHA media.

Built on the account's ``AccountNetwork``: a proxied account's requests go
through its proxy with the hostname resolved by the proxy (aiohttp-socks'
connector has no local resolver); TLS is verified with the system CAs plus the
account's CA file. Callers get an ``aiohttp.ClientSession`` and must close it.
"""

from __future__ import annotations

import ssl

import aiohttp
from aiohttp_socks import ProxyConnector, ProxyType

from siproxylin.domain.config import ProxyKind
from siproxylin.net.network import AccountNetwork

_TYPES = {ProxyKind.SOCKS5: ProxyType.SOCKS5, ProxyKind.HTTP: ProxyType.HTTP}
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=300, sock_connect=30)


async def http_session(
    network: AccountNetwork,
    tls: ssl.SSLContext | None = None,
    timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
) -> aiohttp.ClientSession:
    """An HTTP session whose every request goes the account's way.

    Args:
        network: The account's network access.
        tls: Context for https (defaults to the system CAs, verifying).
        timeout: Request timeouts.

    Returns:
        A session; close it with ``await session.close()``.
    """
    context = tls or ssl.create_default_context()
    connector: aiohttp.BaseConnector
    if network.proxied:
        await network.resolve_proxy()
        proxy = network.proxy
        with network.activate():
            connector = ProxyConnector(
                proxy_type=_TYPES[proxy.kind],
                host=network.proxy_address[0],
                port=proxy.port,
                username=network.proxy_credentials[0],
                password=network.proxy_credentials[1],
                rdns=True,
                ssl=context,
            )
    else:
        connector = aiohttp.TCPConnector(ssl=context, resolver=aiohttp.ThreadedResolver())
    with network.activate():
        return aiohttp.ClientSession(connector=connector, timeout=timeout, trust_env=False)
