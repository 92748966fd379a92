"""XEP-0353 Jingle Message Initiation: call proposals and their answers, read and written.

Pure: stdlib and ``domain``. A call is proposed in a ``<message/>`` (so every
device of the callee rings) before any Jingle IQ: propose (with the media),
ringing, proceed, accept, reject, retract and finish (with an XEP-0166 reason).
Messages arrive directly or as XEP-0280 carbons; a carbon not sent by our own
bare address is refused. ``answered_elsewhere`` tells that another of our
devices took or declined the call (our own proceed/accept/reject seen from
outside this device). Input is bounded; anything unreadable raises
``MalformedSignalling``; a message without a JMI element reads as None.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from siproxylin.domain.call_signals import Carbon, JmiKind, JmiMessage
from siproxylin.domain.calls import MalformedSignalling, TerminateReason
from siproxylin.domain.ids import InvalidJid, Jid

__all__ = [
    "Carbon",
    "JmiKind",
    "JmiMessage",
    "answered_elsewhere",
    "jmi_message",
    "parse_jmi",
    "sent_by_us",
]

JMI = "urn:xmpp:jingle-message:0"
JINGLE = "urn:xmpp:jingle:1"
RTP = "urn:xmpp:jingle:apps:rtp:1"
CARBONS = "urn:xmpp:carbons:2"
FORWARD = "urn:xmpp:forward:0"
HINTS = "urn:xmpp:hints"
CLIENT = "jabber:client"
MAX_ID = 256
MAX_MEDIA = 4
MAX_TEXT = 1024


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def _jid(text: str | None) -> Jid | None:
    if not text:
        return None
    try:
        return Jid.parse(text)
    except InvalidJid as exc:
        raise MalformedSignalling("bad address in a call message") from exc


def _unwrap(message: ET.Element) -> tuple[ET.Element | None, Carbon]:
    for carbon in (Carbon.RECEIVED, Carbon.SENT):
        wrapper = message.find(_q(CARBONS, carbon.value))
        if wrapper is not None:
            return wrapper.find(f"{_q(FORWARD, 'forwarded')}/{_q(CLIENT, 'message')}"), carbon
    return message, Carbon.NONE


def _check_carbon(message: ET.Element, own: Jid) -> None:
    outer = _jid(message.get("from"))
    if outer is None or outer != own.bare:
        raise MalformedSignalling("a carbon not sent by our own account")


def _reason(element: ET.Element) -> tuple[TerminateReason | None, str]:
    reason = element.find(_q(JINGLE, "reason"))
    if reason is None:
        return None, ""
    text = (reason.findtext(_q(JINGLE, "text")) or "")[:MAX_TEXT]
    for child in reason:
        name = child.tag.rpartition("}")[2]
        if name != "text":
            try:
                return TerminateReason(name), text
            except ValueError:
                return TerminateReason.GENERAL_ERROR, text
    return TerminateReason.GENERAL_ERROR, text


def _media(element: ET.Element) -> tuple[str, ...]:
    descriptions = element.findall(_q(RTP, "description"))
    if not descriptions or len(descriptions) > MAX_MEDIA:
        raise MalformedSignalling("a call proposal without (or with too many) media")
    media = tuple(d.get("media", "")[:16] for d in descriptions)
    if not all(media):
        raise MalformedSignalling("a call proposal with a nameless media")
    return media


def parse_jmi(message: ET.Element, own: Jid) -> JmiMessage | None:
    """Read the JMI element of a message (direct or carbon-copied).

    Args:
        message: The ``<message/>`` element.
        own: Our own full address.

    Returns:
        The JMI message, or None if the message carries none.

    Raises:
        MalformedSignalling: If it is forged (a carbon from elsewhere) or unreadable.
    """
    if message.get("type") in ("error", "groupchat"):
        return None  # bounces and room messages never start or answer a call
    inner, carbon = _unwrap(message)
    if inner is None:
        return None  # not ours to judge: the message translator rejects it
    element = next((c for c in inner if c.tag.startswith("{" + JMI + "}")), None)
    if element is None:
        return None
    if carbon is not Carbon.NONE:
        _check_carbon(message, own)
    try:
        kind = JmiKind(element.tag.rpartition("}")[2])
    except ValueError:
        raise MalformedSignalling("unknown call message") from None
    call_id = element.get("id", "")
    if not call_id or len(call_id) > MAX_ID:
        raise MalformedSignalling("call message without a usable id")
    sender = _jid(inner.get("from"))
    if sender is None:
        if carbon is not Carbon.SENT:
            raise MalformedSignalling("call message without a sender")
        sender = own.bare
    reason, text = _reason(element)
    return JmiMessage(
        kind=kind,
        call_id=call_id,
        sender=sender,
        recipient=_jid(inner.get("to")),
        media=_media(element) if kind is JmiKind.PROPOSE else (),
        reason=reason,
        reason_text=text,
        carbon=carbon,
    )


def answered_elsewhere(message: JmiMessage, own: Jid) -> JmiKind | None:
    """Tell whether another of our devices answered a call.

    Args:
        message: A JMI message as read.
        own: Our own full address.

    Returns:
        ``PROCEED`` (taken elsewhere; an ``accept`` counts too), ``REJECT``
        (declined elsewhere), or None when it is not our other device's answer.
    """
    if message.sender.bare != own.bare or message.sender == own:
        return None
    if message.kind in (JmiKind.PROCEED, JmiKind.ACCEPT):
        return JmiKind.PROCEED
    if message.kind is JmiKind.REJECT:
        return JmiKind.REJECT
    return None


def sent_by_us(message: JmiMessage, own: Jid) -> bool:
    """Tell whether one of our own devices wrote the message (e.g. our call from elsewhere).

    A propose we sent from another device reaches us as a sent carbon: it must not
    ring here.
    """
    return message.sender.bare == own.bare


def jmi_message(
    to: Jid,
    kind: JmiKind,
    call_id: str,
    *,
    media: tuple[str, ...] = ("audio",),
    reason: TerminateReason | None = None,
    text: str = "",
    message_id: str = "",
) -> ET.Element:
    """Write a JMI ``<message/>`` (type chat, stored by the server for offline devices).

    Args:
        to: The peer (bare for a propose, full once a device answered).
        kind: What to say.
        call_id: The proposal id.
        media: The media of a propose.
        reason: A reason for reject, retract or finish.
        text: The reason's text.
        message_id: The stanza id (the call id when empty).

    Returns:
        The message element.
    """
    message = ET.Element(
        _q(CLIENT, "message"), {"to": str(to), "type": "chat", "id": message_id or call_id}
    )
    element = ET.SubElement(message, _q(JMI, kind.value), {"id": call_id})
    if kind is JmiKind.PROPOSE:
        for name in media:
            ET.SubElement(element, _q(RTP, "description"), {"media": name})
    if reason is not None:
        reason_element = ET.SubElement(element, _q(JINGLE, "reason"))
        ET.SubElement(reason_element, _q(JINGLE, reason.value))
        if text:
            ET.SubElement(reason_element, _q(JINGLE, "text")).text = text[:MAX_TEXT]
    ET.SubElement(message, _q(HINTS, "store"))
    return message
