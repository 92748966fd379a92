"""XEP-0191 block list results and pushes -> ``BlocklistReceived``. Pure: stdlib and ``domain``."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from siproxylin.domain.events import BlocklistReceived, Event, StanzaRejected
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.xmpp.translate._namespaces import BLOCKING, qname

MAX_ITEMS = 10_000
_BLOCKLIST = qname(BLOCKING, "blocklist")
_BLOCK = qname(BLOCKING, "block")
_UNBLOCK = qname(BLOCKING, "unblock")
_ITEM = qname(BLOCKING, "item")


def translate_blocklist(xml: ET.Element, account: AccountId, own: Jid) -> Event | None:
    """Turn a block list ``<iq/>`` (result of our query, or a push) into an event.

    Args:
        xml: The ``<iq/>`` stanza.
        account: The receiving account.
        own: Our bound address; only our own server may send these.

    Returns:
        ``BlocklistReceived``, ``StanzaRejected`` for a push from anyone but our
        server, or None when the stanza holds no block list payload.
    """
    claimed = xml.get("from", "")
    if claimed and _jid(claimed) not in (own.bare, Jid("", own.domain)):
        return StanzaRejected(account, claimed, "block list from a foreign sender")
    for child in xml:
        if child.tag == _BLOCKLIST:
            return BlocklistReceived(account, _items(child), complete=True)
        if child.tag == _BLOCK:
            return BlocklistReceived(account, _items(child))
        if child.tag == _UNBLOCK:
            items = _items(child)
            return BlocklistReceived(account, (), unblocked=items, unblock_all=not items)
    return None


def _items(element: ET.Element) -> tuple[Jid, ...]:
    found: dict[Jid, None] = {}
    for item in element.iterfind(_ITEM):
        jid = _jid(item.get("jid", ""))
        if jid is not None:
            found.setdefault(jid, None)
        if len(found) >= MAX_ITEMS:
            break
    return tuple(found)


def _jid(text: str) -> Jid | None:
    try:
        return Jid.parse(text)
    except InvalidJid:
        return None
