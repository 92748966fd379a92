"""Jingle IQs and call messages on one account's stream, turned into typed events.

``JingleLink`` registers one IQ handler (``<jingle/>`` sets only), reads each
request, checks it against the live sessions the core reports and answers:
a malformed request gets ``bad-request``, a stranger or unknown session
``item-not-found`` + ``unknown-session``, crossing initiates ``tie-break``;
an accepted one is acknowledged and published as ``JingleRequestReceived``.
Call messages (JMI) come from the client's one message handler through
``on_message`` and are published as ``CallMessageReceived``. Sending goes
through slixmpp stanzas so stream management counts them. slixmpp event
names stay in ``client.py``; this module uses handlers and matchers only.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from typing import Any

from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

from siproxylin.domain.calls import MalformedSignalling
from siproxylin.domain.events import (
    CallMessageReceived,
    Event,
    JingleRequestReceived,
    StanzaRejected,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.xmpp.jingle.contents import JINGLE
from siproxylin.xmpp.jingle.jmi import answered_elsewhere, parse_jmi
from siproxylin.xmpp.jingle.stanzas import (
    JingleRefusal,
    KnownSession,
    check_request,
    iq_error,
    iq_result,
    iq_set,
    parse_jingle_iq,
    refusal_reply,
)

HANDLER = "siproxylin jingle"
FEATURES = (
    "urn:xmpp:jingle:1",  # XEP-0166
    "urn:xmpp:jingle:apps:rtp:1",  # XEP-0167
    "urn:xmpp:jingle:apps:rtp:audio",  # audio only: no urn:xmpp:jingle:apps:rtp:video
    "urn:xmpp:jingle:transports:ice-udp:1",  # XEP-0176
    "urn:xmpp:jingle:apps:dtls:0",  # XEP-0320
    "urn:xmpp:jingle:apps:rtp:rtcp-fb:0",  # XEP-0293
    "urn:xmpp:jingle:apps:rtp:rtp-hdrext:0",  # XEP-0294
    "urn:xmpp:jingle:apps:grouping:0",  # XEP-0338
    "urn:xmpp:jingle:apps:rtp:ssma:0",  # XEP-0339
    "urn:xmpp:jingle-message:0",  # XEP-0353
)
"""Service discovery features to announce once calls are wired in (clients offer calls on them)."""
IQ_TIMEOUT = 30.0

log = logging.getLogger(__name__)


class JingleIqFailed(Exception):
    """The peer answered a Jingle IQ with an error, or did not answer in time.

    Attributes:
        condition: The stanza error condition, or ``timeout``.
    """

    def __init__(self, condition: str) -> None:
        super().__init__(f"Jingle request failed: {condition}")
        self.condition = condition


class JingleLink:
    """Jingle signalling for one account's stream (see the module doc).

    Args:
        stream: The account's slixmpp client.
        account: The account.
        own: Returns our current (bound) full address.
        publish: Puts an event on the bus.
        sessions: Returns the live call sessions by session id.
    """

    def __init__(
        self,
        stream: Any,
        account: AccountId,
        own: Callable[[], Jid],
        publish: Callable[[Event], None],
        sessions: Callable[[], Mapping[str, KnownSession]],
    ) -> None:
        self._stream = stream
        self._account = account
        self._own = own
        self._publish = publish
        self._sessions = sessions

    def register(self) -> None:
        """Start answering Jingle IQs on the stream."""
        matcher = MatchXPath(f"{{jabber:client}}iq/{{{JINGLE}}}jingle")
        self._stream.register_handler(Callback(HANDLER, matcher, self._on_jingle_iq))

    def unregister(self) -> None:
        """Stop answering Jingle IQs."""
        self._stream.remove_handler(HANDLER)

    def on_message(self, xml: ET.Element) -> bool:
        """Take a message if it carries a call message.

        Args:
            xml: A ``<message/>`` the client received.

        Returns:
            True when it was a call message (published or rejected), else False.
        """
        own = self._own()
        try:
            message = parse_jmi(xml, own)
        except MalformedSignalling as exc:
            self._reject(xml.get("from", ""), str(exc))
            return True
        if message is None:
            return False
        self._publish(CallMessageReceived(self._account, message, answered_elsewhere(message, own)))
        return True

    def send_message(self, message: ET.Element) -> None:
        """Send a call message built by ``jmi.jmi_message``."""
        self._stream.Message(xml=message).send()

    async def send_jingle(self, to: Jid, jingle: ET.Element, timeout: float = IQ_TIMEOUT) -> None:
        """Send a ``<jingle/>`` request and wait for its acknowledgement.

        Args:
            to: The peer's full address.
            jingle: The payload (``stanzas.session_initiate`` and friends).
            timeout: Seconds to wait for the answer.

        Raises:
            JingleIqFailed: The peer refused it or never answered.
        """
        iq = self._stream.Iq(xml=iq_set(to, self._stream.new_id(), jingle))
        try:
            await iq.send(timeout=timeout)
        except IqError as exc:
            raise JingleIqFailed(exc.condition) from None
        except IqTimeout:
            raise JingleIqFailed("timeout") from None

    def _on_jingle_iq(self, stanza: Any) -> None:
        xml: ET.Element = stanza.xml
        if xml.get("type") != "set":
            return  # replies to our own requests are taken by slixmpp's callbacks
        try:
            request = parse_jingle_iq(xml)
        except MalformedSignalling as exc:
            self._reply_error(xml, JingleRefusal.BAD_REQUEST)
            self._reject(xml.get("from", ""), str(exc))
            return
        refusal = check_request(request, self._sessions())
        if refusal is not None:
            self._send_iq(refusal_reply(request, refusal))
            self._reject(str(request.sender), f"{request.action.value}: {refusal.condition}")
            return
        self._send_iq(iq_result(request))
        self._publish(JingleRequestReceived(self._account, request))

    def _reply_error(self, xml: ET.Element, refusal: JingleRefusal) -> None:
        sender = xml.get("from", "")
        if not sender:
            return
        self._send_iq(iq_error(sender[:3072], xml.get("id", "")[:256], refusal))

    def _send_iq(self, xml: ET.Element) -> None:
        self._stream.Iq(xml=xml).send()

    def _reject(self, sender: str, why: str) -> None:
        log.info("call signalling refused from %s: %s", sender, why)
        self._publish(StanzaRejected(self._account, sender[:300], why))
