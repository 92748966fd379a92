"""In-band registration (XEP-0077) over a stream that never logs in, and the account's own
password change and removal once logged in.

``RegistrationChannel`` implements ``core.ports.RegistrationChannel``: it opens a
``StreamClient`` (the same proxy, TLS and DNS rules as a login: through the chosen
proxy from the first byte, STARTTLS verified), stops after STARTTLS instead of
authenticating, asks for the form, fetches a CAPTCHA image by Bits of Binary
(XEP-0231) when the form only names it, and submits the answers. Stanza contents are
read and written by ``translate/registration.py``; failures become
``RegistrationFailed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import xml.etree.ElementTree as ET
from typing import Any

from slixmpp import ClientXMPP
from slixmpp.exceptions import IqError, IqTimeout

from siproxylin.domain.config import AccountConfig, ProxyConfig, TlsPolicy
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.domain.registration import (
    Answers,
    RegistrationError,
    RegistrationFailed,
    RegistrationForm,
)
from siproxylin.net.guard import LeakBlocked
from siproxylin.net.network import AccountNetwork
from siproxylin.net.proxy import ProxyFailed
from siproxylin.xmpp.connect import StreamClient
from siproxylin.xmpp.translate import registration as stanzas

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 30.0
IQ_TIMEOUT = 20.0
# Registration streams are not accounts yet; their network policy is keyed by this.
REGISTRATION_ACCOUNT = AccountId(0)


class _UnauthenticatedStream(StreamClient):
    """A ``StreamClient`` that stops after STARTTLS instead of logging in."""

    def __init__(self, config: AccountConfig, network: AccountNetwork) -> None:
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        super().__init__(config, "", network, self._on_attempt_failed_once)
        self.whitespace_keepalive = False
        # SASL is offered once the stream is secure: take its place and stop there.
        # (STARTTLS, order 0, runs first and restarts the stream.)
        self.register_feature("mechanisms", self._on_secure, restart=True, order=1)
        self.add_event_handler("connection_failed", self._on_connection_failed)
        self.add_event_handler("disconnected", self._on_disconnected)
        self.add_event_handler("ssl_invalid_chain", self._on_invalid_chain)

    def _fail(self, reason: RegistrationError, detail: str) -> None:
        if not self.ready.done():
            self.ready.set_exception(RegistrationFailed(reason, detail))

    def _on_secure(self, _features: Any) -> bool:
        if not self.is_connection_secure():
            self._fail(RegistrationError.TLS, "the server offered no encrypted stream")
            return True
        # slixmpp holds stanzas back until a session starts (none will): let ours
        # through now that the stream is encrypted. Private API; slixmpp is pinned.
        self._always_send_everything = True
        if not self.ready.done():
            self.ready.set_result(None)
        return True

    def is_connection_secure(self) -> bool:
        """True once the transport runs TLS."""
        transport = self.transport
        return transport is not None and transport.get_extra_info("sslcontext") is not None

    def _on_attempt_failed_once(self) -> None:
        self._fail(RegistrationError.NETWORK, "could not connect")

    def _on_connection_failed(self, error: Any) -> None:
        if isinstance(error, ssl.SSLError):
            self._fail(RegistrationError.TLS, _short(error))
        elif isinstance(error, (ProxyFailed, LeakBlocked)):
            self._fail(RegistrationError.PROXY, str(error))
        else:
            self._fail(RegistrationError.NETWORK, _short(error))

    def _on_disconnected(self, reason: Any) -> None:
        if isinstance(reason, ssl.SSLError):
            self._fail(RegistrationError.TLS, _short(reason))
        else:
            self._fail(RegistrationError.NETWORK, "the server closed the connection")

    def _on_invalid_chain(self, error: Any) -> None:
        self._fail(RegistrationError.TLS, _short(error))
        self.abort()


class RegistrationChannel:
    """One registration conversation with a server (see ``core.ports``)."""

    def __init__(
        self,
        server: str,
        proxy: ProxyConfig,
        tls: TlsPolicy,
        host: str = "",
        port: int = 0,
    ) -> None:
        try:
            domain = Jid.parse(server)
        except InvalidJid as exc:
            raise RegistrationFailed(RegistrationError.NETWORK, f"{server!r} is no server") from exc
        if domain.local or domain.resource:
            raise RegistrationFailed(RegistrationError.NETWORK, f"{server!r} is no server")
        self.server = domain.domain
        self.config = AccountConfig(
            id=REGISTRATION_ACCOUNT,
            jid=domain,
            server_host=host,
            server_port=port,
            proxy=proxy,
            tls=tls,
        )
        self.network = AccountNetwork(REGISTRATION_ACCOUNT, proxy)
        self._stream: _UnauthenticatedStream | None = None
        self._form: RegistrationForm | None = None

    @property
    def stream(self) -> ClientXMPP | None:
        """The underlying slixmpp stream (for tests)."""
        return self._stream

    async def open(self) -> None:
        """Connect (through the proxy), run STARTTLS, stop before logging in.

        Raises:
            RegistrationFailed: PROXY, NETWORK, TLS or TIMEOUT.
        """
        if self.network.proxied:
            try:
                await self.network.resolve_proxy()
            except ProxyFailed as exc:
                raise RegistrationFailed(RegistrationError.PROXY, str(exc)) from exc
        stream = _UnauthenticatedStream(self.config, self.network)
        self._stream = stream
        stream.start()
        try:
            await asyncio.wait_for(asyncio.shield(stream.ready), CONNECT_TIMEOUT)
        except TimeoutError as exc:
            await self.close()
            raise RegistrationFailed(RegistrationError.TIMEOUT, "while connecting") from exc
        except RegistrationFailed:
            await self.close()
            raise

    async def fetch_form(self) -> RegistrationForm:
        """Ask the server for its registration form, with its CAPTCHA image.

        Raises:
            RegistrationFailed: The server refused, did not answer, or sent nonsense.
        """
        if self._stream is None or not self._stream.ready.done():
            await self.open()
        result = await self._iq("get", stanzas.query_element())
        form = stanzas.parse_form(result, self.server)
        for cid in stanzas.missing_cids(form):
            # The image is only named: fetch it over the same stream (and proxy).
            answer = await self._iq("get", stanzas.bob_request(cid))
            form = stanzas.attach_bob(form, [stanzas.bob_of(answer)])
        self._form = form
        return form

    async def submit(self, form: RegistrationForm, answers: Answers) -> None:
        """Send the answers; returns once the server registered the account.

        Raises:
            RegistrationFailed: With the server's reason (name taken, wrong CAPTCHA...).
        """
        await self._iq("set", stanzas.submission(form, answers), captcha=form.captcha is not None)

    async def close(self) -> None:
        """End the stream."""
        stream, self._stream = self._stream, None
        if stream is None:
            return
        stream.cancel_connection_attempt()
        if stream.transport is not None:
            with contextlib.suppress(Exception):
                await stream.disconnect(wait=1.0)
        # slixmpp's outgoing queue task never ends by itself (as in XmppClient).
        filters = stream._run_out_filters
        if filters is not None and not filters.done():
            filters.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await filters
        if not stream.ready.done():
            stream.ready.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.shield(stream.ready)

    async def _iq(self, kind: str, payload: ET.Element, captcha: bool = False) -> ET.Element:
        stream = self._stream
        if stream is None:
            raise RegistrationFailed(RegistrationError.NETWORK, "not connected")
        return await send_iq(stream, kind, payload, self.server, captcha=captcha)


async def send_iq(
    stream: ClientXMPP, kind: str, payload: ET.Element, to: str, *, captcha: bool = False
) -> ET.Element:
    """Send an IQ with ``payload`` and return the result's XML.

    Raises:
        RegistrationFailed: The error's typed reason, or TIMEOUT.
    """
    iq = stream.Iq()
    iq["type"] = kind
    iq["to"] = to
    iq.xml.append(payload)
    try:
        result = await iq.send(timeout=IQ_TIMEOUT)
    except IqError as exc:
        raise stanzas.parse_error(exc.iq.xml, captcha=captcha) from None
    except IqTimeout:
        raise RegistrationFailed(RegistrationError.TIMEOUT) from None
    xml: ET.Element = result.xml
    return xml


async def change_password(stream: ClientXMPP, username: str, password: str) -> None:
    """Change the logged-in account's password on its server.

    Raises:
        RegistrationFailed: The server refused or did not answer.
    """
    await send_iq(
        stream, "set", stanzas.password_change(username, password), stream.boundjid.domain
    )


async def remove_account(stream: ClientXMPP) -> None:
    """Delete the logged-in account on its server.

    The server may close the stream right after its answer (or before it): a
    closed stream after the request counts as done.

    Raises:
        RegistrationFailed: The server refused.
    """
    await send_iq(stream, "set", stanzas.removal(), stream.boundjid.domain)


def _short(error: Any) -> str:
    return (str(error) or type(error).__name__)[:300]
