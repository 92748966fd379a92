"""Message stanzas -> typed events: messages, reactions, retractions, receipts, markers, states.

Handles 1:1 chat, group chat in joined rooms and private messages with room
occupants; XEP-0280 carbons (only when sent by our own bare address, and only
when the forwarded message really is ours); XEP-0359 ids (a stanza-id counts
only when our own server, or the room, stamped it); XEP-0203 delays; and the
message features: receipts (0184), markers (0333), chat states (0085),
corrections (0308), replies (0461, with the 0428 fallback cut from the body),
reactions (0444), retractions (0424) and moderation (0425), threads (0201),
occupant ids (0421). Whether the author may correct, retract or react to the
target is decided by the core, which knows the target. Pure: stdlib and
``domain`` only.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping

from siproxylin.domain.events import (
    ChatStateReceived,
    Event,
    MarkerReceived,
    MessageErrorReceived,
    MessageReceived,
    ReactionsReceived,
    ReceiptReceived,
    RetractionReceived,
    StanzaRejected,
)
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.domain.models import ChatKind, ChatState
from siproxylin.xmpp.translate._namespaces import (
    BODY,
    CARBONS,
    CHATSTATES,
    CORRECT,
    DELAY,
    ERROR,
    FALLBACK,
    FASTEN,
    FORWARD,
    MARKERS,
    MESSAGE,
    MODERATE,
    MODERATE_0,
    OCCUPANT_ID,
    REACTIONS,
    RECEIPTS,
    REPLY,
    RETRACT,
    RETRACT_0,
    SID,
    STANZAS,
    qname,
)
from siproxylin.xmpp.translate._timestamps import parse_stamp

MAX_BODY_CHARS = 128 * 1024
MAX_ID_CHARS = 256
MAX_REACTIONS = 32
MAX_REACTION_CHARS = 64
_NO_ROOMS: Mapping[Jid, str] = {}
_CARBON_RECEIVED = qname(CARBONS, "received")
_CARBON_SENT = qname(CARBONS, "sent")
_FORWARDED_MESSAGE = f"{qname(FORWARD, 'forwarded')}/{MESSAGE}"
_STANZA_ID = qname(SID, "stanza-id")
_ORIGIN_ID = qname(SID, "origin-id")
_DELAY = qname(DELAY, "delay")
_THREAD = qname("jabber:client", "thread")
_REQUEST = qname(RECEIPTS, "request")
_RECEIVED = qname(RECEIPTS, "received")
_MARKABLE = qname(MARKERS, "markable")
_DISPLAYED = qname(MARKERS, "displayed")
_REPLACE = qname(CORRECT, "replace")
_REPLY = qname(REPLY, "reply")
_FALLBACK = qname(FALLBACK, "fallback")
_FALLBACK_BODY = qname(FALLBACK, "body")
_REACTIONS = qname(REACTIONS, "reactions")
_REACTION = qname(REACTIONS, "reaction")
_RETRACT = qname(RETRACT, "retract")
_APPLY_TO = qname(FASTEN, "apply-to")
_RETRACT_0 = qname(RETRACT_0, "retract")
_MODERATED = qname(MODERATE, "moderated")
_MODERATED_0 = qname(MODERATE_0, "moderated")
_OCCUPANT_ID = qname(OCCUPANT_ID, "occupant-id")
_CHAT_TYPES = frozenset({"chat", "normal"})
_STATES = {qname(CHATSTATES, state.value): state for state in ChatState}


def translate_message(
    xml: ET.Element,
    account: AccountId,
    own: Jid,
    now: float,
    rooms: Mapping[Jid, str] = _NO_ROOMS,
) -> Event | None:
    """Turn a received ``<message/>`` into an event, or None when it is not for us.

    Args:
        xml: The stanza as received on our stream.
        account: The receiving account.
        own: The account's bound address (its bare part identifies us).
        now: Current UTC seconds, used when the stanza carries no delay.
        rooms: Rooms we are in (bare address -> our nick there). Group chat from
            any other room is ignored.

    Returns:
        ``MessageReceived`` for a message with a body, the feature events
        (reactions, retraction, receipt, marker, chat state) for those, a
        ``MessageErrorReceived`` for a bounce, ``StanzaRejected`` for forged or
        oversized input, None for anything else.
    """
    mtype = xml.get("type", "normal")
    if mtype == "groupchat":
        return _groupchat(xml, account, own, now, rooms)
    if mtype == "error":
        return _error(xml, account, own)
    claimed = xml.get("from", "")
    carbon = xml.find(_CARBON_RECEIVED)
    sent = carbon is None
    if sent:
        carbon = xml.find(_CARBON_SENT)
    if carbon is not None:
        # Only our own server, on behalf of our bare address, may send carbons.
        if _jid(claimed or str(own.bare)) != own.bare:
            return StanzaRejected(account, claimed, "carbon from a foreign sender")
        inner = carbon.find(_FORWARDED_MESSAGE)
        if inner is None:
            return StanzaRejected(account, claimed, "carbon without a message")
        if inner.get("type", "normal") not in _CHAT_TYPES:
            return None
        return _chat(inner, account, own, now, rooms, outgoing=sent, carbon=True)
    if mtype not in _CHAT_TYPES:
        return None
    return _chat(xml, account, own, now, rooms, outgoing=False, carbon=False)


class _Parts:
    """What one pass over a message's children found."""

    __slots__ = (
        "body",
        "chat_state",
        "delay",
        "displayed",
        "fallbacks",
        "markable",
        "moderation",
        "occupant_id",
        "oob_url",
        "origin_id",
        "reactions",
        "receipt",
        "replace",
        "reply",
        "retract",
        "stanza_ids",
        "thread",
        "wants_receipt",
    )

    def __init__(self, xml: ET.Element) -> None:
        self.body: str | None = None
        self.chat_state: ChatState | None = None
        self.delay: float | None = None
        self.displayed = ""
        self.fallbacks: list[ET.Element] = []
        self.markable = False
        self.moderation: tuple[str, str] | None = None  # (by, reason)
        self.occupant_id = ""
        self.oob_url = ""
        self.origin_id = ""
        self.reactions: ET.Element | None = None
        self.receipt = ""
        self.replace = ""
        self.reply: tuple[str, str] | None = None  # (to, id)
        self.retract = ""
        self.stanza_ids: list[ET.Element] = []
        self.thread = ""
        self.wants_receipt = False
        for child in xml:
            read = _READERS.get(child.tag)
            if read is not None:
                read(self, child)

    def _body(self, child: ET.Element) -> None:
        if self.body is None:
            self.body = child.text or ""

    def _oob(self, child: ET.Element) -> None:
        url = child.find(_OOB_URL)
        if url is not None and not self.oob_url:
            self.oob_url = (url.text or "").strip()

    def _stanza_id(self, child: ET.Element) -> None:
        self.stanza_ids.append(child)

    def _origin_id(self, child: ET.Element) -> None:
        self.origin_id = _bounded(child.get("id", ""))

    def _delay(self, child: ET.Element) -> None:
        self.delay = parse_stamp(child.get("stamp"))

    def _thread(self, child: ET.Element) -> None:
        self.thread = _bounded((child.text or "").strip())

    def _request(self, _child: ET.Element) -> None:
        self.wants_receipt = True

    def _received(self, child: ET.Element) -> None:
        self.receipt = _bounded(child.get("id", ""))

    def _markable(self, _child: ET.Element) -> None:
        self.markable = True

    def _displayed(self, child: ET.Element) -> None:
        self.displayed = _bounded(child.get("id", ""))

    def _replace(self, child: ET.Element) -> None:
        self.replace = _bounded(child.get("id", ""))

    def _reply(self, child: ET.Element) -> None:
        self.reply = (child.get("to", ""), _bounded(child.get("id", "")))

    def _fallback(self, child: ET.Element) -> None:
        self.fallbacks.append(child)

    def _reactions(self, child: ET.Element) -> None:
        self.reactions = child

    def _retract(self, child: ET.Element) -> None:
        self.retract = _bounded(child.get("id", ""))
        self._moderation(child, _MODERATED, child)

    def _occupant_id(self, child: ET.Element) -> None:
        self.occupant_id = _bounded(child.get("id", ""))

    def _chat_state(self, child: ET.Element) -> None:
        self.chat_state = _STATES[child.tag]

    def _apply_to(self, element: ET.Element) -> None:
        """The XEP-0422 wrapping of older retractions and moderations."""
        target = _bounded(element.get("id", ""))
        if element.find(_RETRACT_0) is not None:
            self.retract = target
        moderated = element.find(_MODERATED_0)
        if moderated is not None and moderated.find(_RETRACT_0) is not None:
            self.retract = target
            self._moderation(element, _MODERATED_0, moderated)

    def _moderation(self, element: ET.Element, tag: str, reason_parent: ET.Element) -> None:
        moderated = element.find(tag)
        if moderated is None:
            return
        reason = ""
        for child in reason_parent:
            if child.tag.endswith("}reason"):
                reason = (child.text or "")[:1024]
        self.moderation = (moderated.get("by", "")[:3071], reason)

    def visible_body(self) -> str:
        """The body without the XEP-0428 fallback quoted for a reply."""
        body = self.body or ""
        cuts: list[tuple[int, int]] = []
        for fallback in self.fallbacks:
            if fallback.get("for") != REPLY:
                continue
            for part in fallback.iterfind(_FALLBACK_BODY):
                start, end = _int(part.get("start")), _int(part.get("end"))
                if start is not None and end is not None and 0 <= start < end <= len(body):
                    cuts.append((start, end))
        for start, end in sorted(cuts, reverse=True):
            body = body[:start] + body[end:]
        return body if not cuts else body.lstrip("\n")

    def emojis(self) -> tuple[str, ...] | None:
        """The reactions, deduplicated in order; None when there are too many."""
        assert self.reactions is not None
        found: dict[str, None] = {}
        for reaction in self.reactions.iterfind(_REACTION):
            text = (reaction.text or "").strip()
            if text and len(text) <= MAX_REACTION_CHARS:
                found.setdefault(text, None)
        return tuple(found) if len(found) <= MAX_REACTIONS else None


_OOB = "{jabber:x:oob}x"
_OOB_URL = "{jabber:x:oob}url"
MAX_URL_CHARS = 4096

_READERS: dict[str, Callable[[_Parts, ET.Element], None]] = {
    BODY: _Parts._body,
    _STANZA_ID: _Parts._stanza_id,
    _ORIGIN_ID: _Parts._origin_id,
    _DELAY: _Parts._delay,
    _THREAD: _Parts._thread,
    _REQUEST: _Parts._request,
    _RECEIVED: _Parts._received,
    _MARKABLE: _Parts._markable,
    _DISPLAYED: _Parts._displayed,
    _REPLACE: _Parts._replace,
    _REPLY: _Parts._reply,
    _FALLBACK: _Parts._fallback,
    _REACTIONS: _Parts._reactions,
    _RETRACT: _Parts._retract,
    _APPLY_TO: _Parts._apply_to,
    _OCCUPANT_ID: _Parts._occupant_id,
    _OOB: _Parts._oob,
    **dict.fromkeys(_STATES, _Parts._chat_state),
}


def _chat(
    xml: ET.Element,
    account: AccountId,
    own: Jid,
    now: float,
    rooms: Mapping[Jid, str],
    *,
    outgoing: bool,
    carbon: bool,
) -> Event | None:
    claimed = xml.get("from", "")
    sender = _jid(claimed) if claimed else (own if outgoing else None)
    to = xml.get("to")
    recipient = _jid(to) if to else own
    if sender is None or recipient is None:
        return StanzaRejected(account, claimed, "malformed address")
    us = own.bare
    ours_to = recipient.bare == us
    ours_from = sender.bare == us
    if carbon and not outgoing and not ours_to:
        return StanzaRejected(account, claimed, "received carbon not addressed to us")
    if carbon and outgoing and not ours_from:
        return StanzaRejected(account, claimed, "sent carbon not written by us")
    if not carbon and ours_from and not ours_to:
        # Our own message, e.g. from an archive: it goes into the conversation with ``to``.
        outgoing = True
    peer = recipient if outgoing else sender
    pm = rooms and peer.resource and peer.bare in rooms
    kind = ChatKind.GROUPCHAT_PM if pm else ChatKind.CHAT
    parts = _Parts(xml)
    return _build(xml, parts, account, own, now, sender, recipient, kind, outgoing, claimed)


def _groupchat(
    xml: ET.Element,
    account: AccountId,
    own: Jid,
    now: float,
    rooms: Mapping[Jid, str],
) -> Event | None:
    claimed = xml.get("from", "")
    sender = _jid(claimed)
    if sender is None:
        return StanzaRejected(account, claimed, "malformed address")
    room = sender.bare
    nick = rooms.get(room)
    if nick is None:
        return None  # not a room we are in (or a stray archive copy)
    parts = _Parts(xml)
    if not sender.resource:
        # The room itself speaks: only a moderation is taken from it (subjects and
        # notices are handled with the rest of group chat).
        if parts.retract and parts.moderation is not None:
            by, reason = parts.moderation
            return RetractionReceived(
                account,
                sender,
                own,
                parts.retract,
                ChatKind.GROUPCHAT,
                moderated_by=by,
                reason=reason,
            )
        return None
    outgoing = sender.resource == nick
    return _build(xml, parts, account, own, now, sender, own, ChatKind.GROUPCHAT, outgoing, claimed)


def _build(
    xml: ET.Element,
    parts: _Parts,
    account: AccountId,
    own: Jid,
    now: float,
    sender: Jid,
    recipient: Jid,
    kind: ChatKind,
    outgoing: bool,
    claimed: str,
) -> Event | None:
    groupchat = kind is ChatKind.GROUPCHAT
    occupant_id = parts.occupant_id if groupchat else ""
    stanza_id = _trusted_stanza_id(parts, sender.bare if groupchat else own.bare)
    stamp = parts.delay
    timestamp = min(stamp, now) if stamp is not None else now
    if parts.retract:
        if parts.moderation is not None:
            return StanzaRejected(account, claimed, "moderation not sent by the room")
        return RetractionReceived(
            account, sender, recipient, parts.retract, kind, occupant_id, outgoing
        )
    if parts.reactions is not None:
        target = _bounded(parts.reactions.get("id", ""))
        emojis = parts.emojis()
        if not target or emojis is None:
            return StanzaRejected(account, claimed, "malformed reactions")
        return ReactionsReceived(
            account,
            sender,
            recipient,
            target,
            emojis,
            kind,
            occupant_id,
            outgoing,
            stanza_id,
            timestamp,
        )
    if parts.body:
        body = parts.visible_body() if parts.reply is not None else parts.body
        if len(parts.body) > MAX_BODY_CHARS:
            return StanzaRejected(account, claimed, f"body of {len(parts.body)} characters")
        message_id = _bounded(xml.get("id", ""))
        reply_to, reply_id = parts.reply if parts.reply is not None else ("", "")
        return MessageReceived(
            account=account,
            sender=sender,
            recipient=recipient,
            body=body or parts.body,
            message_id=message_id,
            origin_id=parts.origin_id or message_id or f"local-{uuid.uuid4()}",
            stanza_id=stanza_id,
            timestamp=timestamp,
            delayed=stamp is not None,
            outgoing=outgoing,
            kind=kind,
            occupant_id=occupant_id,
            thread=parts.thread,
            reply_to=reply_id,
            reply_to_jid=reply_to[:3071],
            replaces=parts.replace,
            wants_receipt=parts.wants_receipt and not groupchat,
            markable=parts.markable,
            attachment=attachment_of(parts.body, parts.oob_url),
        )
    if parts.receipt and not groupchat and not outgoing:
        return ReceiptReceived(account, sender, parts.receipt)
    if parts.displayed:
        return MarkerReceived(account, sender, recipient, parts.displayed, kind, outgoing)
    if parts.chat_state is not None and not outgoing:
        return ChatStateReceived(account, sender, parts.chat_state, kind)
    return None


def attachment_of(body: str, oob_url: str) -> str:
    """The URL of the file a message shares, or "".

    A file is shared when the body is exactly the XEP-0066 URL (http or https), or
    the body is one XEP-0454 ``aesgcm://`` URL (encrypted messages carry no
    out-of-band data). A link written in a sentence is text, not a file.
    """
    text = body.strip()
    if not text or len(text) > MAX_URL_CHARS or any(c.isspace() for c in text):
        return ""
    scheme = text.partition("://")[0].lower()
    if scheme == "aesgcm" or (scheme in ("http", "https") and text == oob_url):
        return text
    return ""


def _trusted_stanza_id(parts: _Parts, by: Jid) -> str:
    """The XEP-0359 stanza-id stamped by ``by`` (our server, or the room); others' are ignored."""
    expected = str(by)
    for element in parts.stanza_ids:
        if element.get("by") == expected:
            return _bounded(element.get("id", ""))
    return ""


def _error(xml: ET.Element, account: AccountId, own: Jid) -> Event | None:
    sender = _jid(xml.get("from", "")) if xml.get("from") else own.bare
    message_id = xml.get("id", "")
    if sender is None or not message_id:
        return None
    condition = "error"
    text = ""
    error = xml.find(ERROR)
    if error is not None:
        for child in error:
            if child.tag.startswith(f"{{{STANZAS}}}"):
                name = child.tag.split("}", 1)[1]
                if name == "text":
                    text = child.text or ""
                else:
                    condition = name
    detail = f"{condition}: {text}" if text else condition
    return MessageErrorReceived(account, _bounded(message_id), sender, detail)


def _jid(text: str) -> Jid | None:
    try:
        return Jid.parse(text)
    except InvalidJid:
        return None


def _int(text: str | None) -> int | None:
    if text is None or not text.isdigit() or len(text) > 9:
        return None
    return int(text)


def _bounded(value: str) -> str:
    return value if len(value) <= MAX_ID_CHARS else ""
