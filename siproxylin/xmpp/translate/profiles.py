"""Profiles in stanzas: avatars (XEP-0084, XEP-0153), nicknames (XEP-0172), vCards (XEP-0054).

Turns PEP notifications and presence annotations (a contact's, or a room's own,
XEP-0486) into ``AvatarAnnounced`` /
``NicknameReceived``, and reads fetched avatar data and vCards into bytes and
``VCard`` values. Untrusted input is checked here: a hash that is not a SHA-1,
an avatar hosted elsewhere (an ``url``: fetching it would leave the account's
stream), base64 that does not decode, data over the size limit. Pure: stdlib and
``domain`` only.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from siproxylin.domain.events import AvatarAnnounced, Event, NicknameReceived, StanzaRejected
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.domain.profiles import (
    MAX_AVATAR_BYTES,
    MAX_NICKNAME_CHARS,
    MAX_VCARD_FIELD_CHARS,
    AvatarSource,
    ProfileError,
    VCard,
)
from siproxylin.xmpp.translate._namespaces import qname

AVATAR_METADATA = "urn:xmpp:avatar:metadata"
AVATAR_DATA = "urn:xmpp:avatar:data"
NICK = "http://jabber.org/protocol/nick"
VCARD = "vcard-temp"
VCARD_UPDATE = "vcard-temp:x:update"
PUBSUB = "http://jabber.org/protocol/pubsub"
PUBSUB_EVENT = "http://jabber.org/protocol/pubsub#event"
DATA_FORMS = "jabber:x:data"
# Where a room's disco#info form gives its avatar hash: XEP-0486, and Prosody's
# mod_vcard_muc (0.12 with the community module).
_ROOM_AVATAR_FIELDS = (
    "muc#roominfo_avatarhash",
    "{http://modules.prosody.im/mod_vcard_muc}avatar#sha1",
)
_VALUE = qname(DATA_FORMS, "value")
_EVENT_ITEMS = f"{qname(PUBSUB_EVENT, 'event')}/{qname(PUBSUB_EVENT, 'items')}"
_RESULT_ITEMS = f"{qname(PUBSUB, 'pubsub')}/{qname(PUBSUB, 'items')}"
_SHA1 = re.compile(r"[0-9a-f]{40}")
# base64 of the largest accepted avatar, with room for line breaks.
_MAX_BASE64_CHARS = (MAX_AVATAR_BYTES + 2) // 3 * 4 + MAX_AVATAR_BYTES // 32
_PREFERRED_TYPE = "image/png"


def translate_profile_event(xml: ET.Element, account: AccountId) -> list[Event] | None:
    """Avatar or nickname announcements from a PEP notification; None if it is neither.

    Args:
        xml: The ``<message/>`` carrying a ``pubsub#event``.
        account: The receiving account.

    Returns:
        ``AvatarAnnounced`` (source PEP) or ``NicknameReceived`` events, a
        ``StanzaRejected`` for unusable content, or None for other nodes.
    """
    items = xml.find(_EVENT_ITEMS)
    if items is None or items.get("node") not in (AVATAR_METADATA, NICK):
        return None
    claimed = xml.get("from", "")
    try:
        sender = Jid.parse(claimed).bare
    except InvalidJid:
        return [StanzaRejected(account, claimed, "malformed PEP sender")]
    retracted = items.find(qname(PUBSUB_EVENT, "retract")) is not None
    item = items.find(qname(PUBSUB_EVENT, "item"))
    if items.get("node") == NICK:
        if item is None:
            return [NicknameReceived(account, sender, "")] if retracted else []
        nick = item.find(qname(NICK, "nick"))
        return [NicknameReceived(account, sender, _nick(nick))]
    if item is None:
        return [AvatarAnnounced(account, sender, "", AvatarSource.PEP)] if retracted else []
    metadata = item.find(qname(AVATAR_METADATA, "metadata"))
    if metadata is None:
        return [StanzaRejected(account, claimed, "avatar item without metadata")]
    try:
        chosen = choose_avatar(metadata)
    except ProfileError as exc:
        return [StanzaRejected(account, claimed, str(exc))]
    return [AvatarAnnounced(account, sender, chosen, AvatarSource.PEP)]


def choose_avatar(metadata: ET.Element) -> str:
    """The hash of the avatar to fetch from a ``<metadata/>`` element ("" for none).

    PNG is preferred (every client must publish one); pictures hosted at an
    ``url`` are skipped: fetching them would open a connection of its own.

    Raises:
        ProfileError: If infos are given but none is usable.
    """
    infos = list(metadata.iterfind(qname(AVATAR_METADATA, "info")))
    if not infos:
        return ""  # publishing empty metadata turns the avatar off
    usable = [
        info
        for info in infos
        if _SHA1.fullmatch(info.get("id", "")) and not info.get("url") and _size_ok(info)
    ]
    if not usable:
        raise ProfileError("no usable avatar in the metadata")
    usable.sort(key=lambda info: info.get("type") != _PREFERRED_TYPE)
    return usable[0].get("id", "")


def _size_ok(info: ET.Element) -> bool:
    try:
        size = int(info.get("bytes", "0"))
    except ValueError:
        return False
    return 0 <= size <= MAX_AVATAR_BYTES


def translate_presence_profile(xml: ET.Element, account: AccountId) -> list[Event]:
    """Avatar hash (vCard-based) or nickname annotations carried by a ``<presence/>``.

    Args:
        xml: The stanza (not from a room).
        account: The receiving account.

    Returns:
        ``AvatarAnnounced`` (source VCARD) for a photo hash in an available
        presence, ``NicknameReceived`` for a nick in a subscription request;
        nothing otherwise. A malformed hash is ignored.
    """
    ptype = xml.get("type", "available")
    try:
        sender = Jid.parse(xml.get("from", "")).bare
    except InvalidJid:
        return []
    if ptype == "subscribe":
        nick = xml.find(qname(NICK, "nick"))
        return [] if nick is None else [NicknameReceived(account, sender, _nick(nick))]
    if ptype != "available":
        return []
    # No <photo/>: the sender is not ready to advertise one; a malformed one is ignored.
    digest = _photo_hash(xml)
    return [] if digest is None else [AvatarAnnounced(account, sender, digest, AvatarSource.VCARD)]


def avatar_data(result: ET.Element, expected: str) -> bytes:
    """The picture from the ``<iq/>`` result of fetching an avatar data item.

    Args:
        result: The result stanza.
        expected: The hash (and item id) that was asked for.

    Raises:
        ProfileError: If the item is missing, too big, or not base64.
    """
    items = result.find(_RESULT_ITEMS)
    if items is None:
        raise ProfileError("no avatar data in the answer")
    for item in items.iterfind(qname(PUBSUB, "item")):
        if item.get("id") != expected:
            continue
        data = item.find(qname(AVATAR_DATA, "data"))
        if data is None:
            raise ProfileError("avatar item without data")
        return decode_base64(data.text or "")
    raise ProfileError("avatar data item not found")


def decode_base64(text: str) -> bytes:
    """Strict base64 within the avatar size limit.

    Raises:
        ProfileError: If it is too long or not base64.
    """
    if len(text) > _MAX_BASE64_CHARS:
        raise ProfileError("avatar data too big")
    compact = "".join(text.split())
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise ProfileError("avatar data is not base64") from None
    if len(data) > MAX_AVATAR_BYTES:
        raise ProfileError("avatar data too big")
    return data


def parse_vcard(result: ET.Element) -> VCard:
    """The basic fields of a vCard from an ``<iq/>`` result (or a ``<vCard/>``).

    A vCard that is missing (an empty result) is an empty ``VCard``.

    Raises:
        ProfileError: If the photo is malformed or too big.
    """
    card = result if result.tag == qname(VCARD, "vCard") else result.find(qname(VCARD, "vCard"))
    if card is None:
        return VCard()
    photo = card.find(qname(VCARD, "PHOTO"))
    photo_bytes = b""
    photo_type = ""
    if photo is not None:
        binval = photo.findtext(qname(VCARD, "BINVAL")) or ""
        photo_bytes = decode_base64(binval) if binval.strip() else b""
        photo_type = _field(photo, "TYPE") if photo_bytes else ""
    email = card.find(qname(VCARD, "EMAIL"))
    return VCard(
        full_name=_field(card, "FN"),
        nickname=_field(card, "NICKNAME"),
        email="" if email is None else _field(email, "USERID"),
        url=_field(card, "URL"),
        note=_field(card, "DESC"),
        photo_type=photo_type,
        photo=photo_bytes,
    )


def _field(parent: ET.Element, name: str) -> str:
    return (parent.findtext(qname(VCARD, name)) or "").strip()[:MAX_VCARD_FIELD_CHARS]


def _nick(element: ET.Element | None) -> str:
    if element is None:
        return ""
    return " ".join((element.text or "").split())[:MAX_NICKNAME_CHARS]


def translate_room_profile(
    xml: ET.Element, account: AccountId, rooms: Mapping[Jid, str]
) -> list[Event] | None:
    """The avatar hash a room announces in a presence from its own bare address.

    Rooms with avatars (Prosody's ``mod_vcard_muc``) send a XEP-0153 photo hash
    from the room itself when we join and when it changes. The hash in an
    occupant's presence (``room@service/nick``) is that occupant's, not the
    room's, and is not read here.

    Args:
        xml: A ``<presence/>``.
        account: The receiving account.
        rooms: Rooms we are in or joining.

    Returns:
        None when the presence is not from one of ``rooms``' bare address (an
        occupant's, for the MUC translator); otherwise ``AvatarAnnounced``
        (source VCARD: the picture is in the room's vCard) for a photo hash, or
        nothing (no hash, a malformed one, another type).
    """
    try:
        sender = Jid.parse(xml.get("from", ""))
    except InvalidJid:
        return None
    if sender.resource or sender not in rooms:
        return None
    if xml.get("type", "available") != "available":
        return []
    digest = _photo_hash(xml)
    return [] if digest is None else [AvatarAnnounced(account, sender, digest, AvatarSource.VCARD)]


def room_avatar_hash(query: ET.Element | None) -> str | None:
    """The avatar hash in a room's disco#info form; None when it announces none.

    Read from ``muc#roominfo_avatarhash`` (XEP-0486) or the field Prosody's
    ``mod_vcard_muc`` uses; "" means the room has no avatar.

    Args:
        query: The disco#info ``<query/>`` of the room.
    """
    if query is None:
        return None
    for form in query.iterfind(qname(DATA_FORMS, "x")):
        for field in form.iterfind(qname(DATA_FORMS, "field")):
            if field.get("var") not in _ROOM_AVATAR_FIELDS:
                continue
            values = [(v.text or "").strip().lower() for v in field.iterfind(_VALUE)]
            return next((v for v in values if _SHA1.fullmatch(v)), "")
    return None


def own_nickname(result: ET.Element) -> str:
    """Our nickname from the ``<iq/>`` result of fetching our PEP nickname node."""
    items = result.find(_RESULT_ITEMS)
    if items is None:
        return ""
    item = items.find(qname(PUBSUB, "item"))
    return "" if item is None else _nick(item.find(qname(NICK, "nick")))


def _photo_hash(xml: ET.Element) -> str | None:
    """The XEP-0153 photo hash of a presence ("" none), None if absent or malformed."""
    update = xml.find(qname(VCARD_UPDATE, "x"))
    photo = None if update is None else update.find(qname(VCARD_UPDATE, "photo"))
    if photo is None:
        return None
    digest = (photo.text or "").strip().lower()
    return digest if not digest or _SHA1.fullmatch(digest) else None
