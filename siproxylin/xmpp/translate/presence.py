"""Presence stanzas -> ``PresenceReceived`` / ``SubscriptionRequested``.

Pure: stdlib and ``domain`` only. Group chat presence is left to the MUC
translator; error presences are ignored here.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from siproxylin.domain.events import (
    Event,
    PresenceReceived,
    StanzaRejected,
    SubscriptionRequested,
)
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.domain.models import Availability
from siproxylin.xmpp.translate._namespaces import CLIENT, qname

_SHOW = qname(CLIENT, "show")
_STATUS = qname(CLIENT, "status")
_PRIORITY = qname(CLIENT, "priority")
_MUC_USER = "{http://jabber.org/protocol/muc#user}x"
_SHOWS = {
    "chat": Availability.CHAT,
    "away": Availability.AWAY,
    "xa": Availability.XA,
    "dnd": Availability.DND,
}
MAX_STATUS_CHARS = 1024


def translate_presence(xml: ET.Element, account: AccountId, own: Jid) -> Event | None:
    """Turn a ``<presence/>`` into an event, or None when it is not about a contact.

    Args:
        xml: The stanza.
        account: The receiving account.
        own: The account's bound address.

    Returns:
        ``PresenceReceived`` for available/unavailable, ``SubscriptionRequested``
        for ``type='subscribe'``, ``StanzaRejected`` for an unusable sender.
    """
    claimed = xml.get("from", "")
    try:
        sender = Jid.parse(claimed)
    except InvalidJid:
        return StanzaRejected(account, claimed, "malformed presence sender")
    if xml.find(_MUC_USER) is not None:
        return None
    ptype = xml.get("type", "available")
    if ptype == "subscribe":
        return SubscriptionRequested(account, sender.bare)
    if ptype not in ("available", "unavailable"):
        return None
    if sender == own:
        return None  # our own presence reflected back
    if ptype == "unavailable":
        availability = Availability.OFFLINE
    else:
        availability = _SHOWS.get((xml.findtext(_SHOW) or "").strip(), Availability.ONLINE)
    try:
        priority = int(xml.findtext(_PRIORITY) or 0)
    except ValueError:
        priority = 0
    status = (xml.findtext(_STATUS) or "")[:MAX_STATUS_CHARS]
    return PresenceReceived(account, sender, availability, status, max(-128, min(127, priority)))
