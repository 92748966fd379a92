"""Stanza Content Encryption envelopes (XEP-0420) for OMEMO 2: build and check.

Pure functions over ``xml.etree`` elements. An envelope carries the message's
content elements, random padding (``rpad``) and the affix elements ``time``,
``to`` and ``from``. On receipt the affixes are checked: ``to`` must name us (or
the room), ``from`` the sender, and the time must not lie in the future. Content
elements that only a server may add (stanza ids, delays, carbons, archive
results) are refused, so a sender cannot forge them from inside the envelope.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime

from siproxylin.domain.ids import Jid

NS = "urn:xmpp:sce:1"
CLIENT = "jabber:client"
MAX_ENVELOPE = 256 * 1024  # bytes; bodies are capped at 128 KiB elsewhere
# How far a sender's clock may be ahead of ours.
MAX_FUTURE_S = 300.0
_ENVELOPE = f"{{{NS}}}envelope"
_CONTENT = f"{{{NS}}}content"
# Children a message may never carry inside encrypted content.
_FORBIDDEN = frozenset(
    {
        "{urn:xmpp:sid:0}stanza-id",
        "{urn:xmpp:delay}delay",
        "{urn:xmpp:mam:2}result",
        "{urn:xmpp:carbons:2}received",
        "{urn:xmpp:carbons:2}sent",
        "{urn:xmpp:forward:0}forwarded",
        "{urn:xmpp:omemo:2}encrypted",
        "{eu.siacs.conversations.axolotl}encrypted",
        "{urn:xmpp:eme:0}encryption",
    }
)


class EnvelopeError(ValueError):
    """An envelope was malformed or its affix elements did not match."""


def build_envelope(
    content: Iterable[ET.Element], to: Jid, sender: Jid, now: float, pad: int | None = None
) -> bytes:
    """Wrap content elements in a XEP-0420 envelope.

    Args:
        content: The message's children to protect (body, reply, correction...).
        to: The recipient's bare address (a room's for group chat).
        sender: Our own address.
        now: UTC seconds for the ``time`` affix.
        pad: Length of the random padding (random 0-199 when None).

    Returns:
        The envelope as UTF-8 XML.
    """
    envelope = ET.Element(_ENVELOPE)
    holder = ET.SubElement(envelope, _CONTENT)
    for element in content:
        holder.append(element)
    length = secrets.randbelow(200) if pad is None else pad
    ET.SubElement(envelope, f"{{{NS}}}rpad").text = secrets.token_urlsafe(length)[:length]
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ET.SubElement(envelope, f"{{{NS}}}time", {"stamp": stamp})
    ET.SubElement(envelope, f"{{{NS}}}to", {"jid": str(to.bare)})
    ET.SubElement(envelope, f"{{{NS}}}from", {"jid": str(sender)})
    data: bytes = ET.tostring(envelope, encoding="utf-8", xml_declaration=False)
    return data


def parse_envelope(data: bytes, to: Jid, sender: Jid, now: float) -> list[ET.Element]:
    """Check an envelope and return its content elements.

    Args:
        data: The decrypted envelope.
        to: Who it must be addressed to: our bare address, or the room's.
        sender: Who sent it (bare compared): the 1:1 peer, or the occupant's real address.
        now: UTC seconds, to refuse a time in the future.

    Raises:
        EnvelopeError: It is not a well-formed envelope, an affix does not match,
            or the content carries an element only a server may add.
    """
    if len(data) > MAX_ENVELOPE:
        raise EnvelopeError("envelope too large")
    if b"<!" in data:
        raise EnvelopeError("document type declarations are not allowed")
    try:
        envelope = ET.fromstring(data)  # noqa: S314 - no DTD (checked above), size capped
    except ET.ParseError as exc:
        raise EnvelopeError(f"not XML: {exc}") from None
    if envelope.tag != _ENVELOPE:
        raise EnvelopeError("not an envelope")
    content = envelope.find(_CONTENT)
    if content is None:
        raise EnvelopeError("no content")
    _check_jid(envelope, "to", to)
    _check_jid(envelope, "from", sender)
    _check_time(envelope, now)
    children = list(content)
    for child in children:
        if child.tag in _FORBIDDEN:
            raise EnvelopeError(f"content may not carry {child.tag}")
    return children


def _check_jid(envelope: ET.Element, name: str, expected: Jid) -> None:
    affix = envelope.find(f"{{{NS}}}{name}")
    if affix is None:
        raise EnvelopeError(f"no <{name}/> affix")
    try:
        claimed = Jid.parse(affix.get("jid", ""))
    except ValueError:
        raise EnvelopeError(f"bad <{name}/> address") from None
    if claimed.bare != expected.bare:
        raise EnvelopeError(f"<{name}/> names {claimed.bare}, expected {expected.bare}")


def _check_time(envelope: ET.Element, now: float) -> None:
    affix = envelope.find(f"{{{NS}}}time")
    if affix is None:
        return  # optional in XEP-0420
    try:
        stamp = datetime.fromisoformat(affix.get("stamp", "").replace("Z", "+00:00"))
    except ValueError:
        raise EnvelopeError("bad <time/> stamp") from None
    if stamp.tzinfo is None:
        raise EnvelopeError("<time/> without a time zone")
    if stamp.timestamp() > now + MAX_FUTURE_S:
        raise EnvelopeError("<time/> lies in the future")
