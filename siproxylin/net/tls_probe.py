"""Fetching the certificate an XMPP server presents, to show it to the user.

When a server's certificate is not trusted, the login fails (TLS is never
skipped). ``fetch_certificate`` then opens one more connection the account's way
(through its proxy, the name resolved there), does the STARTTLS step of an XMPP
stream (or direct TLS), and returns the certificate the server presented, without
sending anything else: no authentication, no stanza. The user decides from its
fingerprint whether to pin it for this account.
"""

from __future__ import annotations

import asyncio
import ssl

from siproxylin.net.network import AccountNetwork

_STREAM = (
    "<?xml version='1.0'?><stream:stream to='{domain}' version='1.0'"
    " xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
)
_STARTTLS = b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
_MAX_PREAMBLE = 64 * 1024  # bytes read before TLS at most


class ProbeFailed(Exception):
    """The certificate could not be fetched; the message says why."""


async def fetch_certificate(
    network: AccountNetwork,
    host: str,
    port: int,
    domain: str,
    *,
    direct_tls: bool = False,
    timeout: float = 30.0,
) -> bytes:
    """The DER certificate ``host:port`` presents for ``domain``.

    Raises:
        ProbeFailed: No connection, no STARTTLS, or no certificate.
    """
    try:
        async with asyncio.timeout(timeout):
            return await _fetch(network, host, port, domain, direct_tls)
    except TimeoutError:
        raise ProbeFailed("the server did not answer in time") from None
    except (OSError, ssl.SSLError, EOFError) as exc:
        raise ProbeFailed(f"{type(exc).__name__}: {exc}") from None


async def _fetch(
    network: AccountNetwork, host: str, port: int, domain: str, direct_tls: bool
) -> bytes:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only to read it: nothing is sent over it
    tls = context if direct_tls else None
    name = domain if direct_tls else None
    if network.proxied:
        sock = await network.open_socket(host, port)
        reader, writer = await asyncio.open_connection(sock=sock, ssl=tls, server_hostname=name)
    else:
        with network.activate():
            reader, writer = await asyncio.open_connection(
                host, port, ssl=tls, server_hostname=name
            )
    try:
        if not direct_tls:
            writer.write(_STREAM.format(domain=domain).encode())
            await writer.drain()
            await _read_until(reader, b"</stream:features>")
            writer.write(_STARTTLS)
            await writer.drain()
            answer = await _read_until(reader, b"/>")
            if b"proceed" not in answer:
                raise ProbeFailed("the server did not offer STARTTLS")
            await writer.start_tls(context, server_hostname=domain)
        tls = writer.get_extra_info("ssl_object")
        der = tls.getpeercert(binary_form=True) if tls is not None else None
        if not der:
            raise ProbeFailed("the server presented no certificate")
        return bytes(der)
    finally:
        writer.close()


async def _read_until(reader: asyncio.StreamReader, marker: bytes) -> bytes:
    data = b""
    while marker not in data:
        chunk = await reader.read(4096)
        if not chunk:
            raise EOFError("the server closed the connection")
        data += chunk
        if len(data) > _MAX_PREAMBLE:
            raise ProbeFailed("the server's answer is too long")
    return data
