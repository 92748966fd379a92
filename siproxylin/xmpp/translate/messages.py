"""Message stanzas -> ``MessageReceived`` / ``MessageErrorReceived`` / ``StanzaRejected``.

Handles 1:1 chat messages, XEP-0280 carbons (only when sent by our own bare
address, and only when the forwarded message really is ours), XEP-0359 ids
(a stanza-id counts only when our own server stamped it) and XEP-0203 delays.
Group chat is not handled here. Pure: stdlib and ``domain`` only.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

from siproxylin.domain.events import (
    Event,
    MessageErrorReceived,
    MessageReceived,
    StanzaRejected,
)
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.xmpp.translate._namespaces import (
    BODY,
    CARBONS,
    DELAY,
    ERROR,
    FORWARD,
    MESSAGE,
    SID,
    STANZAS,
    qname,
)
from siproxylin.xmpp.translate._timestamps import parse_stamp

MAX_BODY_CHARS = 128 * 1024
MAX_ID_CHARS = 256
_CARBON_RECEIVED = qname(CARBONS, "received")
_CARBON_SENT = qname(CARBONS, "sent")
_FORWARDED_MESSAGE = f"{qname(FORWARD, 'forwarded')}/{MESSAGE}"
_STANZA_ID = qname(SID, "stanza-id")
_ORIGIN_ID = qname(SID, "origin-id")
_DELAY = qname(DELAY, "delay")
_CHAT_TYPES = frozenset({"chat", "normal"})


def translate_message(xml: ET.Element, account: AccountId, own: Jid, now: float) -> Event | None:
    """Turn a received ``<message/>`` into an event, or None when it is not for us.

    Args:
        xml: The stanza as received on our stream.
        account: The receiving account.
        own: The account's bound address (its bare part identifies us).
        now: Current UTC seconds, used when the stanza carries no delay.

    Returns:
        ``MessageReceived`` for a chat message with a body (direct or carbon),
        ``MessageErrorReceived`` for a bounce, ``StanzaRejected`` for forged or
        oversized input, None for anything else (chat states, group chat...).
    """
    mtype = xml.get("type", "normal")
    claimed = xml.get("from", "")
    if mtype == "error":
        return _error(xml, account, own)
    carbon = xml.find(_CARBON_RECEIVED)
    sent = carbon is None
    if sent:
        carbon = xml.find(_CARBON_SENT)
    if carbon is not None:
        # Only our own server, on behalf of our bare address, may send carbons.
        if _jid(claimed or str(own.bare)) != own.bare:
            return StanzaRejected(account, claimed, "carbon from a foreign sender")
        inner = carbon.find(_FORWARDED_MESSAGE)
        if inner is None:
            return StanzaRejected(account, claimed, "carbon without a message")
        return _chat(inner, account, own, now, outgoing=sent, carbon=True)
    if mtype not in _CHAT_TYPES:
        return None
    return _chat(xml, account, own, now, outgoing=False, carbon=False)


def _chat(
    xml: ET.Element,
    account: AccountId,
    own: Jid,
    now: float,
    *,
    outgoing: bool,
    carbon: bool,
) -> Event | None:
    if xml.get("type", "normal") not in _CHAT_TYPES:
        return None
    body = xml.findtext(BODY)
    if not body:
        return None
    claimed = xml.get("from", "")
    sender = _jid(claimed) if claimed else (own if outgoing else None)
    recipient = _jid(xml.get("to", "")) if xml.get("to") else own
    if sender is None or recipient is None:
        return StanzaRejected(account, claimed, "malformed address")
    if carbon and not outgoing and recipient.bare != own.bare:
        return StanzaRejected(account, claimed, "received carbon not addressed to us")
    if carbon and outgoing and sender.bare != own.bare:
        return StanzaRejected(account, claimed, "sent carbon not written by us")
    if len(body) > MAX_BODY_CHARS:
        return StanzaRejected(account, claimed, f"body of {len(body)} characters")
    message_id = _bounded(xml.get("id", ""))
    origin = xml.find(_ORIGIN_ID)
    origin_id = _bounded(origin.get("id", "")) if origin is not None else ""
    delay = xml.find(_DELAY)
    stamp = parse_stamp(delay.get("stamp")) if delay is not None else None
    return MessageReceived(
        account=account,
        sender=sender,
        recipient=recipient,
        body=body,
        message_id=message_id,
        origin_id=origin_id or message_id or f"local-{uuid.uuid4()}",
        stanza_id=_own_stanza_id(xml, own),
        timestamp=min(stamp, now) if stamp is not None else now,
        delayed=stamp is not None,
        outgoing=outgoing,
    )


def _own_stanza_id(xml: ET.Element, own: Jid) -> str:
    """The XEP-0359 stanza-id our own server assigned; others' claims are ignored."""
    bare = str(own.bare)
    for element in xml.iterfind(_STANZA_ID):
        if element.get("by") == bare:
            return _bounded(element.get("id", ""))
    return ""


def _error(xml: ET.Element, account: AccountId, own: Jid) -> Event | None:
    sender = _jid(xml.get("from", "")) if xml.get("from") else own.bare
    message_id = xml.get("id", "")
    if sender is None or not message_id:
        return None
    condition = "error"
    text = ""
    error = xml.find(ERROR)
    if error is not None:
        for child in error:
            if child.tag.startswith(f"{{{STANZAS}}}"):
                name = child.tag.split("}", 1)[1]
                if name == "text":
                    text = child.text or ""
                else:
                    condition = name
    detail = f"{condition}: {text}" if text else condition
    return MessageErrorReceived(account, _bounded(message_id), sender, detail)


def _jid(text: str) -> Jid | None:
    try:
        return Jid.parse(text)
    except InvalidJid:
        return None


def _bounded(value: str) -> str:
    return value if len(value) <= MAX_ID_CHARS else ""
