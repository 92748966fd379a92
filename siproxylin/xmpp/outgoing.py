"""Commands -> stanza XML (``xml.etree`` elements). Pure: stdlib and ``domain`` only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from siproxylin.domain.ids import Jid
from siproxylin.domain.models import ChatKind, ChatState, OutgoingMessage
from siproxylin.xmpp.translate._namespaces import (
    BLOCKING,
    BODY,
    CARBONS,
    CHATSTATES,
    CORRECT,
    FALLBACK,
    FASTEN,
    HINTS,
    MARKERS,
    MESSAGE,
    REACTIONS,
    RECEIPTS,
    REPLY,
    RETRACT,
    RETRACT_0,
    ROSTER,
    SID,
    qname,
)

RETRACTED_FALLBACK = (
    "This person attempted to retract a previous message, but it's unsupported by your client."
)


def _type(kind: ChatKind) -> str:
    return "groupchat" if kind is ChatKind.GROUPCHAT else "chat"


def _store_hint(message: ET.Element) -> None:
    ET.SubElement(message, qname(HINTS, "store"))


def chat_message(message: OutgoingMessage) -> ET.Element:
    """A message with a body whose stanza id and XEP-0359 origin-id are both ``origin_id``.

    Using one stable id for both lets the message be resent after a reconnect
    and recognised as the same message by every receiver. Carries the reply
    (XEP-0461 with its XEP-0428 fallback), correction (XEP-0308), thread
    (XEP-0201), receipt request (XEP-0184), markable (XEP-0333) and an active
    chat state (XEP-0085) as asked, and a shared file's XEP-0066 URL.
    """
    stanza = ET.Element(
        MESSAGE, {"type": _type(message.kind), "to": str(message.to), "id": message.origin_id}
    )
    ET.SubElement(stanza, BODY).text = message.body
    ET.SubElement(stanza, qname(SID, "origin-id"), {"id": message.origin_id})
    if message.thread:
        ET.SubElement(stanza, qname("jabber:client", "thread")).text = message.thread
    if message.reply_to:
        attributes = {"id": message.reply_to}
        if message.reply_to_jid:
            attributes["to"] = message.reply_to_jid
        ET.SubElement(stanza, qname(REPLY, "reply"), attributes)
        if message.fallback_length > 0:
            fallback = ET.SubElement(stanza, qname(FALLBACK, "fallback"), {"for": REPLY})
            ET.SubElement(
                fallback,
                qname(FALLBACK, "body"),
                {"start": "0", "end": str(message.fallback_length)},
            )
    if message.replaces:
        ET.SubElement(stanza, qname(CORRECT, "replace"), {"id": message.replaces})
    if message.markable and message.kind is not ChatKind.GROUPCHAT:
        ET.SubElement(stanza, qname(RECEIPTS, "request"))
    if message.markable:
        ET.SubElement(stanza, qname(MARKERS, "markable"))
    if message.attachment and not message.encrypted:
        # XEP-0066: clients show the body (the same URL) as a file. An encrypted
        # message carries its aesgcm:// URL in the body only.
        oob = ET.SubElement(stanza, "{jabber:x:oob}x")
        ET.SubElement(oob, "{jabber:x:oob}url").text = message.attachment
    return stanza


def reactions(to: Jid, kind: ChatKind, target_id: str, emojis: tuple[str, ...]) -> ET.Element:
    """Our whole set of XEP-0444 reactions to ``target_id`` (none: all removed)."""
    stanza = ET.Element(MESSAGE, {"type": _type(kind), "to": str(to)})
    container = ET.SubElement(stanza, qname(REACTIONS, "reactions"), {"id": target_id})
    for emoji in emojis:
        ET.SubElement(container, qname(REACTIONS, "reaction")).text = emoji
    _store_hint(stanza)
    return stanza


def retraction(to: Jid, kind: ChatKind, target_id: str, origin_id: str) -> ET.Element:
    """A XEP-0424 retraction of ``target_id``, also in the older XEP-0422 form, with fallback."""
    stanza = ET.Element(MESSAGE, {"type": _type(kind), "to": str(to), "id": origin_id})
    ET.SubElement(stanza, qname(RETRACT, "retract"), {"id": target_id})
    apply_to = ET.SubElement(stanza, qname(FASTEN, "apply-to"), {"id": target_id})
    ET.SubElement(apply_to, qname(RETRACT_0, "retract"))
    ET.SubElement(stanza, qname(FALLBACK, "fallback"), {"for": RETRACT})
    ET.SubElement(stanza, BODY).text = RETRACTED_FALLBACK
    ET.SubElement(stanza, qname(SID, "origin-id"), {"id": origin_id})
    _store_hint(stanza)
    return stanza


def displayed_marker(to: Jid, kind: ChatKind, target_id: str, thread: str = "") -> ET.Element:
    """A XEP-0333 displayed marker for ``target_id``."""
    stanza = ET.Element(MESSAGE, {"type": _type(kind), "to": str(to)})
    ET.SubElement(stanza, qname(MARKERS, "displayed"), {"id": target_id})
    if thread:
        ET.SubElement(stanza, qname("jabber:client", "thread")).text = thread
    _store_hint(stanza)
    return stanza


def receipt(to: Jid, message_id: str) -> ET.Element:
    """A XEP-0184 delivery receipt for ``message_id``."""
    stanza = ET.Element(MESSAGE, {"type": "chat", "to": str(to)})
    ET.SubElement(stanza, qname(RECEIPTS, "received"), {"id": message_id})
    _store_hint(stanza)
    return stanza


def chat_state(to: Jid, kind: ChatKind, state: ChatState) -> ET.Element:
    """A standalone XEP-0085 chat state notification (never stored by the server)."""
    stanza = ET.Element(MESSAGE, {"type": _type(kind), "to": str(to)})
    ET.SubElement(stanza, qname(CHATSTATES, state.value))
    ET.SubElement(stanza, qname(HINTS, "no-store"))
    return stanza


def blocking(jids: tuple[Jid, ...], blocked: bool) -> ET.Element:
    """The XEP-0191 ``<block/>`` or ``<unblock/>`` payload of an IQ set."""
    command = ET.Element(qname(BLOCKING, "block" if blocked else "unblock"))
    for jid in jids:
        ET.SubElement(command, qname(BLOCKING, "item"), {"jid": str(jid)})
    return command


def blocklist_query() -> ET.Element:
    """The XEP-0191 ``<blocklist/>`` payload of an IQ get."""
    return ET.Element(qname(BLOCKING, "blocklist"))


def roster_set(jid: Jid, name: str = "", remove: bool = False) -> ET.Element:
    """The ``<query/>`` of a roster set that adds, renames or removes ``jid``."""
    query = ET.Element(qname(ROSTER, "query"))
    attributes = {"jid": str(jid.bare)}
    if remove:
        attributes["subscription"] = "remove"
    elif name:
        attributes["name"] = name
    ET.SubElement(query, qname(ROSTER, "item"), attributes)
    return query


def carbons_enable() -> ET.Element:
    """The ``<enable/>`` payload switching XEP-0280 carbons on."""
    return ET.Element(qname(CARBONS, "enable"))
