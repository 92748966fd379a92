"""Jingle session IQs, read and written: the XEP-0166 envelope around a description.

Pure: stdlib, ``domain``, ``core.relay_only`` and ``contents``. Reads a
``<iq type='set'><jingle/></iq>`` into a ``JingleRequest`` (strict and bounded:
unknown actions, missing session ids or contents raise ``MalformedSignalling``),
decides whether a request may touch a session (``check_request``: a stranger,
an unknown session id, an out-of-order action or a crossing initiate are
refused with the XEP-0166 error conditions) and writes session-initiate,
session-accept, transport-info, session-info (XEP-0167 ringing, mute, unmute,
hold, active) and session-terminate with its reason. Every outgoing description
and candidate passes the relay-only guard first.
"""

from __future__ import annotations

import enum
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, replace

from siproxylin.core.relay_only import check_candidates, check_outgoing
from siproxylin.domain.call_signals import JingleAction, JingleRequest, SessionInfo
from siproxylin.domain.calls import (
    Content,
    MalformedSignalling,
    SessionDescription,
    TerminateReason,
)
from siproxylin.domain.ids import InvalidJid, Jid
from siproxylin.xmpp.jingle.contents import (
    JINGLE,
    attr,
    q,
    read_session,
    read_transport_updates,
    write_session,
    write_transport,
)

__all__ = [
    "JingleAction",
    "JingleRefusal",
    "JingleRequest",
    "KnownSession",
    "SessionInfo",
    "check_request",
    "iq_error",
    "iq_result",
    "iq_set",
    "parse_jingle_iq",
    "refusal_reply",
    "session_accept",
    "session_info",
    "session_initiate",
    "session_terminate",
    "transport_info",
]

CLIENT = "jabber:client"
STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
ERRORS = "urn:xmpp:jingle:errors:1"  # XEP-0166 errors
RTP_INFO = "urn:xmpp:jingle:apps:rtp:info:1"  # XEP-0167 informational messages
MAX_SID = 256
MAX_REASON_TEXT = 1024


class JingleRefusal(enum.Enum):
    """Why a Jingle request is refused: (stanza error condition, Jingle error condition)."""

    UNKNOWN_SESSION = ("item-not-found", "unknown-session")
    TIE_BREAK = ("conflict", "tie-break")
    OUT_OF_ORDER = ("unexpected-request", "out-of-order")
    UNSUPPORTED_INFO = ("feature-not-implemented", "unsupported-info")
    UNSUPPORTED_ACTION = ("feature-not-implemented", "")
    BAD_REQUEST = ("bad-request", "")

    @property
    def condition(self) -> str:
        """The stanza error condition (RFC 6120)."""
        return self.value[0]

    @property
    def jingle_condition(self) -> str:
        """The Jingle error condition, empty when there is none."""
        return self.value[1]


@dataclass(frozen=True, slots=True)
class KnownSession:
    """What ``check_request`` needs to know about one of our sessions.

    Attributes:
        sid: The session id.
        peer: The other party's full address.
        we_initiated: Whether we sent the session-initiate.
        accepted: Whether a session-accept was sent or received.
        awaiting_initiate: We proceeded a call proposal with this id and wait for the
            caller's session-initiate.
    """

    sid: str
    peer: Jid
    we_initiated: bool
    accepted: bool = False
    awaiting_initiate: bool = False


def _jid(text: str | None, what: str) -> Jid:
    if not text:
        raise MalformedSignalling(f"Jingle IQ without {what}")
    try:
        return Jid.parse(text)
    except InvalidJid as exc:
        raise MalformedSignalling(f"bad {what} address") from exc


def _reason(jingle: ET.Element) -> tuple[TerminateReason, str]:
    element = jingle.find(q(JINGLE, "reason"))
    if element is None:
        return TerminateReason.SUCCESS, ""
    text = element.findtext(q(JINGLE, "text"), "")[:MAX_REASON_TEXT]
    for child in element:
        name = child.tag.rpartition("}")[2]
        if child.tag.startswith("{" + JINGLE + "}") and name != "text":
            try:
                return TerminateReason(name), text
            except ValueError:
                return TerminateReason.GENERAL_ERROR, text
    return TerminateReason.GENERAL_ERROR, text


def _info(jingle: ET.Element) -> SessionInfo | None:
    payloads = list(jingle)
    if not payloads:
        return SessionInfo.PING
    child = payloads[0]
    name = child.tag.rpartition("}")[2]
    if child.tag.startswith("{" + RTP_INFO + "}"):
        try:
            return SessionInfo(name)
        except ValueError:
            return None
    return None


def parse_jingle_iq(iq: ET.Element) -> JingleRequest:
    """Read a Jingle IQ.

    Args:
        iq: The ``<iq/>`` element (``jabber:client``).

    Returns:
        The request; ``info`` is None for a session-info payload we do not know.

    Raises:
        MalformedSignalling: If it is not a readable Jingle set request.
    """
    if iq.get("type") != "set":
        raise MalformedSignalling("Jingle request is not an IQ set")
    jingle = iq.find(q(JINGLE, "jingle"))
    if jingle is None:
        raise MalformedSignalling("IQ without <jingle/>")
    try:
        action = JingleAction(attr(jingle, "action"))
    except ValueError:
        raise MalformedSignalling("unknown Jingle action") from None
    sid = attr(jingle, "sid")
    if not sid or len(sid) > MAX_SID:
        raise MalformedSignalling("bad Jingle session id")
    sender = _jid(iq.get("from"), "sender")
    initiator = _jid(jingle.get("initiator"), "initiator") if jingle.get("initiator") else None
    request = JingleRequest(sender, iq.get("id", "")[:MAX_SID], action, sid, initiator)
    if action is JingleAction.SESSION_INITIATE:
        return _with(request, initiator=initiator or sender, session=read_session(jingle))
    if action is JingleAction.SESSION_ACCEPT:
        return _with(request, session=read_session(jingle))
    if action is JingleAction.TRANSPORT_INFO:
        return _with(request, transports=read_transport_updates(jingle))
    if action is JingleAction.SESSION_INFO:
        return _with(request, info=_info(jingle))
    if action is JingleAction.SESSION_TERMINATE:
        reason, text = _reason(jingle)
        return _with(request, reason=reason, reason_text=text)
    return request


def _with(request: JingleRequest, **changes: object) -> JingleRequest:
    return replace(request, **changes)  # type: ignore[arg-type]


def check_request(  # noqa: PLR0911 (one return per XEP-0166 rule)
    request: JingleRequest, sessions: Mapping[str, KnownSession]
) -> JingleRefusal | None:
    """Decide whether a request may act on our sessions (XEP-0166 section 7.3).

    Args:
        request: The request as read.
        sessions: Our live sessions by session id.

    Returns:
        None when it may proceed, else the refusal to answer with.
    """
    known = sessions.get(request.sid)
    if request.action is JingleAction.SESSION_INITIATE:
        if known is not None:
            expected = known.awaiting_initiate and known.peer == request.sender
            return None if expected else JingleRefusal.OUT_OF_ORDER
        crossing = any(
            s.we_initiated and not s.accepted and s.peer.bare == request.sender.bare
            for s in sessions.values()
        )
        return JingleRefusal.TIE_BREAK if crossing else None
    if known is None or known.peer != request.sender:
        # a stranger naming our session learns nothing: the session does not exist for them
        return JingleRefusal.UNKNOWN_SESSION
    if request.action is JingleAction.SESSION_ACCEPT:
        return JingleRefusal.OUT_OF_ORDER if not known.we_initiated or known.accepted else None
    if request.action is JingleAction.SESSION_INFO and request.info is None:
        return JingleRefusal.UNSUPPORTED_INFO
    if request.action in (
        JingleAction.TRANSPORT_INFO,
        JingleAction.SESSION_INFO,
        JingleAction.SESSION_TERMINATE,
    ):
        return None
    return JingleRefusal.UNSUPPORTED_ACTION


# --- writing


def _jingle(action: JingleAction, sid: str, initiator: Jid, **attrs: str) -> ET.Element:
    return ET.Element(
        q(JINGLE, "jingle"),
        {"action": action.value, "sid": sid, "initiator": str(initiator), **attrs},
    )


def session_initiate(sid: str, initiator: Jid, session: SessionDescription) -> ET.Element:
    """A ``<jingle action='session-initiate'/>`` carrying our offer.

    Raises:
        RelayPolicyViolation: If a candidate would reveal an address (or there is none).
    """
    check_outgoing(session)
    jingle = _jingle(JingleAction.SESSION_INITIATE, sid, initiator)
    write_session(jingle, session)
    return jingle


def session_accept(
    sid: str, initiator: Jid, responder: Jid, session: SessionDescription
) -> ET.Element:
    """A ``<jingle action='session-accept'/>`` carrying our answer.

    Raises:
        RelayPolicyViolation: If a candidate would reveal an address (or there is none).
    """
    check_outgoing(session)
    jingle = _jingle(JingleAction.SESSION_ACCEPT, sid, initiator, responder=str(responder))
    write_session(jingle, session)
    return jingle


def transport_info(sid: str, initiator: Jid, content: Content) -> ET.Element:
    """A ``<jingle action='transport-info'/>`` trickling ``content``'s transport.

    Pass candidates through ``relay_only.outgoing_candidates`` first; anything else
    still in here is refused.

    Raises:
        RelayPolicyViolation: If a candidate would reveal an address.
    """
    check_candidates(content.transport.candidates)
    jingle = _jingle(JingleAction.TRANSPORT_INFO, sid, initiator)
    element = ET.SubElement(
        jingle, q(JINGLE, "content"), {"creator": content.creator, "name": content.name}
    )
    write_transport(element, content.transport)
    return jingle


def session_info(
    sid: str, initiator: Jid, info: SessionInfo, *, content: str = "", creator: str = "initiator"
) -> ET.Element:
    """A ``<jingle action='session-info'/>`` (ringing, mute/unmute of ``content``...)."""
    jingle = _jingle(JingleAction.SESSION_INFO, sid, initiator)
    if info is not SessionInfo.PING:
        attrs = {"creator": creator, "name": content} if content and info in _NAMED else {}
        ET.SubElement(jingle, q(RTP_INFO, info.value), attrs)
    return jingle


_NAMED = (SessionInfo.MUTE, SessionInfo.UNMUTE)


def session_terminate(
    sid: str, initiator: Jid, reason: TerminateReason, text: str = ""
) -> ET.Element:
    """A ``<jingle action='session-terminate'/>`` with its reason (and optional text)."""
    jingle = _jingle(JingleAction.SESSION_TERMINATE, sid, initiator)
    element = ET.SubElement(jingle, q(JINGLE, "reason"))
    ET.SubElement(element, q(JINGLE, reason.value))
    if text:
        ET.SubElement(element, q(JINGLE, "text")).text = text[:MAX_REASON_TEXT]
    return jingle


def iq_set(to: Jid, iq_id: str, payload: ET.Element) -> ET.Element:
    """Wrap a payload in ``<iq type='set'/>`` addressed to ``to``."""
    iq = ET.Element(q(CLIENT, "iq"), {"type": "set", "to": str(to), "id": iq_id})
    iq.append(payload)
    return iq


def iq_error(to: str, iq_id: str, refusal: JingleRefusal) -> ET.Element:
    """The error reply to a refused (or unreadable) request from ``to`` with id ``iq_id``."""
    iq = ET.Element(q(CLIENT, "iq"), {"type": "error", "to": to, "id": iq_id})
    kind = "cancel" if refusal is not JingleRefusal.BAD_REQUEST else "modify"
    error = ET.SubElement(iq, q(CLIENT, "error"), {"type": kind})
    ET.SubElement(error, q(STANZAS, refusal.condition))
    if refusal.jingle_condition:
        ET.SubElement(error, q(ERRORS, refusal.jingle_condition))
    return iq


def iq_result(request: JingleRequest) -> ET.Element:
    """The empty acknowledgement of an accepted request."""
    return ET.Element(
        q(CLIENT, "iq"), {"type": "result", "to": str(request.sender), "id": request.iq_id}
    )


def refusal_reply(request: JingleRequest, refusal: JingleRefusal) -> ET.Element:
    """The error reply to a request that was read but refused."""
    return iq_error(str(request.sender), request.iq_id, refusal)
