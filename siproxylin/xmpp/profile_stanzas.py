"""Outgoing profile payloads: avatar (XEP-0084) and nickname (XEP-0172) publishing, vCards.

Pure builders from values to XML elements; ``xmpp/profiles.py`` sends them.
Stdlib and ``domain`` only.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

from siproxylin.domain.profiles import VCard
from siproxylin.xmpp.translate._namespaces import qname
from siproxylin.xmpp.translate.profiles import (
    AVATAR_DATA,
    AVATAR_METADATA,
    NICK,
    PUBSUB,
    VCARD,
)

_DATA_FORM = "jabber:x:data"
_PUBLISH_OPTIONS = "http://jabber.org/protocol/pubsub#publish-options"
# What the basic vCard fields replace; the rest of a stored card is kept.
_BASIC = ("FN", "NICKNAME", "EMAIL", "URL", "DESC")


def publish(node: str, item_id: str | None, payload: ET.Element, access: str) -> ET.Element:
    """A ``<pubsub/>`` publishing one item, with the node's access model as option."""
    pubsub = ET.Element(qname(PUBSUB, "pubsub"))
    target = ET.SubElement(pubsub, qname(PUBSUB, "publish"), node=node)
    item = ET.SubElement(target, qname(PUBSUB, "item"))
    if item_id is not None:
        item.set("id", item_id)
    item.append(payload)
    options = ET.SubElement(pubsub, qname(PUBSUB, "publish-options"))
    form = ET.SubElement(options, qname(_DATA_FORM, "x"), type="submit")
    for var, value, hidden in (
        ("FORM_TYPE", _PUBLISH_OPTIONS, True),
        ("pubsub#access_model", access, False),
    ):
        field = ET.SubElement(form, qname(_DATA_FORM, "field"), var=var)
        if hidden:
            field.set("type", "hidden")
        ET.SubElement(field, qname(_DATA_FORM, "value")).text = value
    return pubsub


def avatar_data(data: bytes) -> ET.Element:
    """The ``<data/>`` payload of an avatar data item."""
    element = ET.Element(qname(AVATAR_DATA, "data"))
    element.text = base64.b64encode(data).decode("ascii")
    return element


def avatar_metadata(digest: str, size: int, media_type: str, width: int, height: int) -> ET.Element:
    """The ``<metadata/>`` payload announcing one picture (no ``digest``: none)."""
    metadata = ET.Element(qname(AVATAR_METADATA, "metadata"))
    if digest:
        ET.SubElement(
            metadata,
            qname(AVATAR_METADATA, "info"),
            bytes=str(size),
            id=digest,
            type=media_type,
            width=str(width),
            height=str(height),
        )
    return metadata


def nick(name: str) -> ET.Element:
    """A ``<nick/>`` element (for PEP and subscription requests)."""
    element = ET.Element(qname(NICK, "nick"))
    element.text = name
    return element


def fetch_item(node: str, item_id: str) -> ET.Element:
    """A ``<pubsub/>`` asking one item of a node by id."""
    pubsub = ET.Element(qname(PUBSUB, "pubsub"))
    items = ET.SubElement(pubsub, qname(PUBSUB, "items"), node=node)
    ET.SubElement(items, qname(PUBSUB, "item"), id=item_id)
    return pubsub


def fetch_items(node: str, max_items: int) -> ET.Element:
    """A ``<pubsub/>`` asking the newest ``max_items`` items of a node."""
    pubsub = ET.Element(qname(PUBSUB, "pubsub"))
    ET.SubElement(pubsub, qname(PUBSUB, "items"), node=node, max_items=str(max_items))
    return pubsub


def vcard_query() -> ET.Element:
    """An empty ``<vCard/>`` asking for one."""
    return ET.Element(qname(VCARD, "vCard"))


def vcard(card: VCard, stored: ET.Element | None = None) -> ET.Element:
    """A ``<vCard/>`` with ``card``'s basic fields over what ``stored`` has.

    Fields we do not edit (and the photo, unless ``card`` has one) are kept from
    ``stored``: a server converting vCards to PEP (XEP-0398) would otherwise drop
    the avatar along with a missing ``<PHOTO/>``.
    """
    element = ET.Element(qname(VCARD, "vCard"))
    basic = {qname(VCARD, name) for name in _BASIC}
    if stored is not None:
        for child in stored:
            if child.tag in basic or (card.photo and child.tag == qname(VCARD, "PHOTO")):
                continue
            element.append(child)
    for name, value in (
        ("FN", card.full_name),
        ("NICKNAME", card.nickname),
        ("URL", card.url),
        ("DESC", card.note),
    ):
        if value:
            ET.SubElement(element, qname(VCARD, name)).text = value
    if card.email:
        email = ET.SubElement(element, qname(VCARD, "EMAIL"))
        ET.SubElement(email, qname(VCARD, "INTERNET"))
        ET.SubElement(email, qname(VCARD, "USERID")).text = card.email
    if card.photo:
        photo = ET.SubElement(element, qname(VCARD, "PHOTO"))
        ET.SubElement(photo, qname(VCARD, "TYPE")).text = card.photo_type
        ET.SubElement(photo, qname(VCARD, "BINVAL")).text = base64.b64encode(card.photo).decode(
            "ascii"
        )
    return element
