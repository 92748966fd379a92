"""Plain slixmpp clients for test support (not the application's client).

    async with online(prosody, jid, password) as client:
        ...  # session started, TLS verified against the test CA

TLS is always verified against ``server.ca_file`` (the trusted test CA) unless the test
passes its own ``ca_file``; the connection goes to the loopback address explicitly, so
no DNS lookup happens, while the certificate is still checked for the XMPP domain.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

from slixmpp import ClientXMPP
from slixmpp.exceptions import IqError


class ServerLike(Protocol):
    host: str
    domain: str
    c2s_port: int
    direct_tls_port: int

    @property
    def ca_file(self) -> Path: ...


class LoginError(RuntimeError):
    pass


def make_client(
    jid: str,
    password: str,
    server: ServerLike,
    *,
    ca_file: Path | None = None,
    plugins: tuple[str, ...] = ("xep_0030", "xep_0199"),
) -> ClientXMPP:
    client = ClientXMPP(jid, password)
    client.loop = asyncio.get_running_loop()
    client.ca_certs = Path(ca_file or server.ca_file)
    for plugin in plugins:
        client.register_plugin(plugin)
    return client


async def connect_client(
    client: ClientXMPP,
    server: ServerLike,
    *,
    direct_tls: bool = False,
    timeout: float = 10.0,
    host: str | None = None,
    presence: bool = False,
) -> None:
    """Connect (STARTTLS on c2s_port, or XEP-0368 direct TLS on direct_tls_port) and
    wait for session_start. Raises LoginError on auth/TLS failure or disconnect.

    With ``presence`` the client then sends its initial presence (so chat messages
    to its bare JID reach it, and offline messages are delivered) and waits for a
    roster round trip, so the server has processed the presence on return."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def fail(reason: str):  # type: ignore[no-untyped-def]
        def handler(event: object) -> None:
            if not done.done():
                done.set_exception(LoginError(f"{reason}: {event!r}"))

        return handler

    def started(_event: object) -> None:
        if not done.done():
            done.set_result(None)

    def disconnected(event: object) -> None:
        # A failed STARTTLS handshake fires `disconnected` first and the specific
        # `ssl_invalid_chain` a moment later: give the specific reason a chance.
        loop.call_later(0.2, fail("disconnected before session start"), event)

    handlers = {
        "session_start": started,
        "failed_auth": fail("authentication failed"),
        "ssl_invalid_chain": fail("TLS certificate chain invalid"),
        "ssl_invalid_cert": fail("TLS certificate invalid"),
        "connection_failed": fail("connection failed"),
        "disconnected": disconnected,
    }
    for name, handler in handlers.items():
        client.add_event_handler(name, handler)
    client.enable_direct_tls = direct_tls
    client.enable_starttls = not direct_tls
    client.enable_plaintext = False
    port = server.direct_tls_port if direct_tls else server.c2s_port
    try:
        client.connect(host or server.host, port)
        await asyncio.wait_for(done, timeout)
        if presence:
            client.send_presence()
            await client.get_roster(timeout=timeout)
    except BaseException:
        client.cancel_connection_attempt()
        client.abort()
        raise
    finally:
        for name, handler in handlers.items():
            client.del_event_handler(name, handler)


async def disconnect_client(client: ClientXMPP, wait: float = 2.0) -> None:
    """Clean close (</stream>), so the server does not keep a hibernating session."""
    with contextlib.suppress(Exception):
        client.cancel_connection_attempt()
        await asyncio.wait_for(client.disconnect(wait=wait), wait + 1.0)
    client.abort()
    # slixmpp's outgoing-stanza task runs until the client is garbage collected;
    # end it now, so the test's event loop closes without "Task was destroyed".
    task = client._run_out_filters
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


@contextlib.asynccontextmanager
async def online(
    server: ServerLike,
    jid: str,
    password: str,
    *,
    direct_tls: bool = False,
    plugins: tuple[str, ...] = ("xep_0030", "xep_0199"),
    timeout: float = 10.0,
    presence: bool = True,
) -> AsyncIterator[ClientXMPP]:
    """A logged-in client (available, see connect_client), closed cleanly on exit."""
    client = make_client(jid, password, server, plugins=plugins)
    await connect_client(client, server, direct_tls=direct_tls, timeout=timeout, presence=presence)
    try:
        yield client
    finally:
        await disconnect_client(client)


async def register_in_band(
    server: ServerLike,
    user: str,
    password: str,
    *,
    timeout: float = 10.0,
) -> str:
    """XEP-0077 in-band registration over STARTTLS (then SASL login and close).
    Slower than ``ProsodyServer.register()``; for tests of registration itself."""
    jid = f"{user}@{server.domain}"
    client = make_client(jid, password, server, plugins=("xep_0030", "xep_0077", "xep_0066"))
    client.plugin["xep_0077"].create_account = True
    errors: list[BaseException] = []

    async def on_register(_form: object) -> None:
        iq = client.Iq()
        iq["type"] = "set"
        iq["register"]["username"] = user
        iq["register"]["password"] = password
        try:
            await iq.send(timeout=timeout)
        except IqError as exc:
            errors.append(exc)

    client.add_event_handler("register", on_register)
    try:
        await connect_client(client, server, timeout=timeout)
    finally:
        await disconnect_client(client)
    if errors:
        raise LoginError(f"registration of {jid} failed: {errors[0]!r}")
    return jid
