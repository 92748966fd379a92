"""Roster IQs (RFC 6121) -> ``RosterReceived``.

A roster push is accepted only from our own bare address or the server (no
``from``); anything else is a forgery. Pure: stdlib and ``domain`` only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from siproxylin.domain.events import Event, RosterReceived, StanzaRejected
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.domain.models import RosterItem, Subscription
from siproxylin.xmpp.translate._namespaces import ROSTER, qname

_QUERY = qname(ROSTER, "query")
_ITEM = qname(ROSTER, "item")
_GROUP = qname(ROSTER, "group")
_SUBSCRIPTIONS = {s.value: s for s in Subscription}
MAX_ITEMS = 20_000


def translate_roster(xml: ET.Element, account: AccountId, own: Jid) -> Event | None:
    """Turn a roster result (``type='result'``) or push (``type='set'``) into an event.

    Args:
        xml: The ``<iq/>`` stanza.
        account: The receiving account.
        own: The account's address.

    Returns:
        ``RosterReceived`` (complete for a result), ``StanzaRejected`` for a forged
        push, None when the stanza holds no roster.
    """
    query = xml.find(_QUERY)
    if query is None:
        return None
    claimed = xml.get("from", "")
    if claimed and _jid(claimed) != own.bare:
        return StanzaRejected(account, claimed, "roster push from a foreign sender")
    items: list[RosterItem] = []
    for element in query.iterfind(_ITEM):
        item = _item(element)
        if item is not None:
            items.append(item)
        if len(items) > MAX_ITEMS:
            return StanzaRejected(account, claimed, "roster too large")
    return RosterReceived(account, tuple(items), complete=xml.get("type") == "result")


def _item(element: ET.Element) -> RosterItem | None:
    jid = _jid(element.get("jid", ""))
    if jid is None or not jid.is_bare:
        return None
    subscription = _SUBSCRIPTIONS.get(element.get("subscription", "none"), Subscription.NONE)
    groups = tuple(sorted({g.text for g in element.iterfind(_GROUP) if g.text}))
    return RosterItem(
        jid=jid,
        name=(element.get("name") or "")[:256],
        subscription=subscription,
        groups=groups,
        ask=element.get("ask") == "subscribe",
    )


def _jid(text: str) -> Jid | None:
    try:
        return Jid.parse(text) if text else None
    except InvalidJid:
        return None
