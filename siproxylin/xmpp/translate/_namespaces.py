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
RECEIPTS = "urn:xmpp:receipts"  # XEP-0184 Message Delivery Receipts
MARKERS = "urn:xmpp:chat-markers:0"  # XEP-0333 Chat Markers
CHATSTATES = "http://jabber.org/protocol/chatstates"  # XEP-0085 Chat State Notifications
CORRECT = "urn:xmpp:message-correct:0"  # XEP-0308 Last Message Correction
REPLY = "urn:xmpp:reply:0"  # XEP-0461 Message Replies
FALLBACK = "urn:xmpp:fallback:0"  # XEP-0428 Fallback Indication
REACTIONS = "urn:xmpp:reactions:0"  # XEP-0444 Message Reactions
RETRACT = "urn:xmpp:message-retract:1"  # XEP-0424 Message Retraction
RETRACT_0 = "urn:xmpp:message-retract:0"  # its older version, inside a XEP-0422 apply-to
FASTEN = "urn:xmpp:fasten:0"  # XEP-0422 Message Fastening
MODERATE = "urn:xmpp:message-moderate:1"  # XEP-0425 Moderated Message Retraction
MODERATE_0 = "urn:xmpp:message-moderate:0"
OCCUPANT_ID = "urn:xmpp:occupant-id:0"  # XEP-0421
BLOCKING = "urn:xmpp:blocking"  # XEP-0191 Blocking Command


def qname(namespace: str, tag: str) -> str:
    """ElementTree's ``{namespace}tag`` form."""
    return f"{{{namespace}}}{tag}"


BODY = qname(CLIENT, "body")
MESSAGE = qname(CLIENT, "message")
ERROR = qname(CLIENT, "error")
