"""Calls on one account's stream: the Jingle link, call messages out, TURN servers in.

``CallLink`` owns the stream's ``JingleLink`` and the table of live sessions it
checks requests against (the core reports them with ``track``/``forget``),
writes JMI messages and Jingle requests from signalling values (every outgoing
description passes the relay-only guard in ``jingle.stanzas``) and asks our
server for TURN servers (XEP-0215: ``<services/>``, then ``<credentials/>`` for
a service that came without them). Errors become ``JingleIqRefused``.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slixmpp.exceptions import IqError, IqTimeout

from siproxylin.domain.call_media import TurnServer
from siproxylin.domain.call_signals import JingleIqRefused, JmiKind, SessionInfo
from siproxylin.domain.calls import Content, SessionDescription, TerminateReason
from siproxylin.domain.events import Event
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.xmpp.jingle import stanzas
from siproxylin.xmpp.jingle.jmi import jmi_message
from siproxylin.xmpp.jingle.link import FEATURES, JingleIqFailed, JingleLink
from siproxylin.xmpp.translate.extdisco import EXTDISCO, read_turn_servers

__all__ = ["FEATURES", "CallLink"]

log = logging.getLogger(__name__)
EXTDISCO_TIMEOUT = 15.0


class CallLink:
    """Call signalling of one stream (see the module doc).

    Args:
        stream: The account's slixmpp client.
        account: The account.
        own: Returns our current full address.
        publish: Puts an event on the bus.
    """

    def __init__(
        self,
        stream: Any,
        account: AccountId,
        own: Callable[[], Jid],
        publish: Callable[[Event], None],
    ) -> None:
        self._stream = stream
        self._own = own
        self._sessions: dict[str, stanzas.KnownSession] = {}
        self.jingle = JingleLink(stream, account, own, publish, lambda: self._sessions)

    def register(self) -> None:
        """Answer Jingle requests on the stream."""
        self.jingle.register()

    def on_message(self, xml: ET.Element) -> bool:
        """True when ``xml`` was a call message (then it is handled)."""
        return self.jingle.on_message(xml)

    def track(
        self,
        sid: str,
        peer: Jid,
        *,
        we_initiated: bool,
        accepted: bool = False,
        awaiting_initiate: bool = False,
    ) -> None:
        """A live session: the peer's requests for it are let in."""
        self._sessions[sid] = stanzas.KnownSession(
            sid, peer, we_initiated, accepted, awaiting_initiate
        )

    def forget(self, sid: str) -> None:
        """The session ended."""
        self._sessions.pop(sid, None)

    def send_call_message(
        self, to: Jid, kind: JmiKind, call_id: str, reason: TerminateReason | None = None
    ) -> None:
        """Send one JMI message."""
        self.jingle.send_message(jmi_message(to, kind, call_id, reason=reason))

    async def send_session_initiate(self, to: Jid, sid: str, offer: SessionDescription) -> None:
        """Our offer to the device that proceeded."""
        await self._send(to, stanzas.session_initiate(sid, self._own(), offer))

    async def send_session_accept(
        self, to: Jid, sid: str, initiator: Jid, answer: SessionDescription
    ) -> None:
        """Our answer."""
        session = self._sessions.get(sid)
        if session is not None:
            self._sessions[sid] = replace(session, accepted=True, awaiting_initiate=False)
        await self._send(to, stanzas.session_accept(sid, initiator, self._own(), answer))

    async def send_transport_info(
        self, to: Jid, sid: str, initiator: Jid, content: Content
    ) -> None:
        """Trickle candidates."""
        await self._send(to, stanzas.transport_info(sid, initiator, content))

    async def send_session_info(self, to: Jid, sid: str, initiator: Jid, info: SessionInfo) -> None:
        """Ringing, mute..."""
        await self._send(to, stanzas.session_info(sid, initiator, info))

    async def send_session_terminate(
        self, to: Jid, sid: str, initiator: Jid, reason: TerminateReason, text: str = ""
    ) -> None:
        """End the session."""
        self.forget(sid)
        await self._send(to, stanzas.session_terminate(sid, initiator, reason, text))

    async def turn_servers(self) -> list[TurnServer]:
        """TURN servers from our server (XEP-0215), credentials fetched where missing."""
        domain = self._own().domain
        reply = await self._query(domain, ET.Element(f"{{{EXTDISCO}}}services", {"type": "turn"}))
        if reply is None:
            reply = await self._query(domain, ET.Element(f"{{{EXTDISCO}}}services"))
        servers = [] if reply is None else read_turn_servers(reply)
        filled: list[TurnServer] = []
        for offered in servers:
            if offered.username and offered.password:
                filled.append(offered)
            else:
                filled.append(await self._credentials(domain, offered) or offered)
        return filled

    async def _credentials(self, domain: str, server: TurnServer) -> TurnServer | None:
        query = ET.Element(f"{{{EXTDISCO}}}credentials")
        ET.SubElement(
            query,
            f"{{{EXTDISCO}}}service",
            {"host": server.host, "type": server.scheme.value, "port": str(server.port)},
        )
        reply = await self._query(domain, query)
        for found in [] if reply is None else read_turn_servers(reply):
            if found.host == server.host and found.username:
                return replace(server, username=found.username, password=found.password)
        return None

    async def _query(self, to: str, payload: ET.Element) -> ET.Element | None:
        iq = self._stream.Iq()
        iq["type"] = "get"
        iq["to"] = to
        iq.xml.append(payload)
        try:
            reply = await iq.send(timeout=EXTDISCO_TIMEOUT)
        except (IqError, IqTimeout) as exc:
            log.info("external service discovery failed: %s", type(exc).__name__)
            return None
        xml: ET.Element = reply.xml
        return xml

    async def _send(self, to: Jid, jingle: ET.Element) -> None:
        try:
            await self.jingle.send_jingle(to, jingle)
        except JingleIqFailed as exc:
            raise JingleIqRefused(exc.condition) from None
