"""Commands -> stanza XML (``xml.etree`` elements). Pure: stdlib and ``domain`` only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from siproxylin.domain.ids import Jid
from siproxylin.xmpp.translate._namespaces import BODY, CARBONS, MESSAGE, ROSTER, SID, qname


def chat_message(to: Jid, body: str, origin_id: str) -> ET.Element:
    """A 1:1 chat message whose stanza id and XEP-0359 origin-id are both ``origin_id``.

    Using one stable id for both lets the message be resent after a reconnect
    and recognised as the same message by every receiver.
    """
    message = ET.Element(MESSAGE, {"type": "chat", "to": str(to), "id": origin_id})
    ET.SubElement(message, BODY).text = body
    ET.SubElement(message, qname(SID, "origin-id"), {"id": origin_id})
    return message


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
