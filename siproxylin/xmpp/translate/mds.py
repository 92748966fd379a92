"""XEP-0490 Message Displayed Synchronization: our read positions shared between our own devices.

The positions live in a private PEP node of our own account (access model
whitelist: only we can read it), so our devices agree on what was read without
telling the contact, which XEP-0333 markers would. This module turns the node's
items (a notification or a fetched page) into ``DisplayedSynced`` events and
builds the publish payload. Pure: stdlib and ``domain`` only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from siproxylin.domain.events import DisplayedSynced, Event, StanzaRejected
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.xmpp.translate._namespaces import SID, qname

NODE = "urn:xmpp:mds:displayed:0"
PUBSUB = "http://jabber.org/protocol/pubsub"
PUBSUB_EVENT = "http://jabber.org/protocol/pubsub#event"
_DATA = "jabber:x:data"
_EVENT_ITEMS = f"{qname(PUBSUB_EVENT, 'event')}/{qname(PUBSUB_EVENT, 'items')}"
_RESULT_ITEMS = f"{qname(PUBSUB, 'pubsub')}/{qname(PUBSUB, 'items')}"
_DISPLAYED = qname(NODE, "displayed")
_STANZA_ID = qname(SID, "stanza-id")
MAX_ITEMS = 5000


def translate_mds_event(xml: ET.Element, account: AccountId, own: Jid) -> list[Event] | None:
    """Our read positions from a PEP notification ``<message/>``; None if it is not one.

    Only our own account may send them: anything else is rejected.
    """
    items = xml.find(_EVENT_ITEMS)
    if items is None or items.get("node") != NODE:
        return None
    claimed = xml.get("from", "")
    if claimed and _jid(claimed) != own.bare:
        return [StanzaRejected(account, claimed, "read positions from a foreign sender")]
    return _items(items, account, own)


def translate_mds_result(xml: ET.Element, account: AccountId, own: Jid) -> list[Event]:
    """Our read positions from the ``<iq/>`` result of fetching the node."""
    items = xml.find(_RESULT_ITEMS)
    return [] if items is None else _items(items, account, own)


def _items(items: ET.Element, account: AccountId, own: Jid) -> list[Event]:
    events: list[Event] = []
    for item in items.iterfind(qname(items.tag.split("}")[0][1:], "item")):
        peer = _jid(item.get("id", ""))
        displayed = item.find(_DISPLAYED)
        if peer is None or displayed is None:
            continue
        for stanza_id in displayed.iterfind(_STANZA_ID):
            by = _jid(stanza_id.get("by", ""))
            target = stanza_id.get("id", "")
            # The id must come from our own archive (1:1) or the room's (the peer).
            if by in (own.bare, peer.bare) and target and len(target) <= 256:
                events.append(DisplayedSynced(account, peer.bare, target))
                break
        if len(events) >= MAX_ITEMS:
            break
    return events


def fetch_query() -> ET.Element:
    """The ``<pubsub/>`` payload of an IQ get for every item of the node."""
    pubsub = ET.Element(qname(PUBSUB, "pubsub"))
    ET.SubElement(pubsub, qname(PUBSUB, "items"), {"node": NODE})
    return pubsub


def publish(peer: Jid, stanza_id: str, by: Jid) -> ET.Element:
    """The ``<pubsub/>`` payload publishing that we read ``peer`` up to ``stanza_id``.

    The publish options keep the node private (whitelist: only our account) and
    keep one item per conversation.
    """
    pubsub = ET.Element(qname(PUBSUB, "pubsub"))
    publish_el = ET.SubElement(pubsub, qname(PUBSUB, "publish"), {"node": NODE})
    item = ET.SubElement(publish_el, qname(PUBSUB, "item"), {"id": str(peer.bare)})
    displayed = ET.SubElement(item, _DISPLAYED)
    ET.SubElement(displayed, _STANZA_ID, {"by": str(by.bare), "id": stanza_id})
    options = ET.SubElement(pubsub, qname(PUBSUB, "publish-options"))
    form = ET.SubElement(options, qname(_DATA, "x"), {"type": "submit"})
    for var, value in (
        ("FORM_TYPE", "http://jabber.org/protocol/pubsub#publish-options"),
        ("pubsub#persist_items", "true"),
        ("pubsub#max_items", "max"),
        ("pubsub#send_last_published_item", "never"),
        ("pubsub#access_model", "whitelist"),
    ):
        field = ET.SubElement(form, qname(_DATA, "field"), {"var": var})
        if var == "FORM_TYPE":
            field.set("type", "hidden")
        ET.SubElement(field, qname(_DATA, "value")).text = value
    return pubsub


def _jid(text: str) -> Jid | None:
    try:
        return Jid.parse(text)
    except InvalidJid:
        return None
