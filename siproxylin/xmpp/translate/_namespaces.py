"""XML namespaces and qualified tag names used by the translators."""

from __future__ import annotations

CLIENT = "jabber:client"
CARBONS = "urn:xmpp:carbons:2"  # XEP-0280 Message Carbons
FORWARD = "urn:xmpp:forward:0"  # XEP-0297 Stanza Forwarding
SID = "urn:xmpp:sid:0"  # XEP-0359 Unique and Stable Stanza IDs
DELAY = "urn:xmpp:delay"  # XEP-0203 Delayed Delivery
ROSTER = "jabber:iq:roster"
STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
HINTS = "urn:xmpp:hints"  # XEP-0334 Message Processing Hints


def qname(namespace: str, tag: str) -> str:
    """ElementTree's ``{namespace}tag`` form."""
    return f"{{{namespace}}}{tag}"


BODY = qname(CLIENT, "body")
MESSAGE = qname(CLIENT, "message")
ERROR = qname(CLIENT, "error")
