"""One stream's profile commands: fetch and publish avatars, nicknames and vCards.

``ProfileLink`` implements ``core.ports.ProfileCommands`` over the account's own
stream (which already goes through the account's proxy): avatars hosted at an
URL are never fetched. It also keeps our nickname for subscription requests.
Parsing lives in ``translate/profiles.py``, payloads in ``profile_stanzas.py``.
"""

from __future__ import annotations

import hashlib
import logging
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from typing import Any

from slixmpp import JID
from slixmpp.exceptions import IqError, IqTimeout

from siproxylin.domain.ids import Jid
from siproxylin.domain.profiles import AvatarSource, ProfileError, VCard
from siproxylin.xmpp import profile_stanzas
from siproxylin.xmpp.translate.profiles import (
    AVATAR_DATA,
    AVATAR_METADATA,
    NICK,
    avatar_data,
    own_nickname,
    parse_vcard,
)

IQ_TIMEOUT = 30
CONVERSION = "urn:xmpp:pep-vcard-conversion:0"  # XEP-0398, on our own account
# Entity capabilities: we want these PEP nodes' notifications.
NOTIFY_FEATURES = (f"{AVATAR_METADATA}+notify", f"{NICK}+notify", "vcard-temp")
# Who may read what we publish: the people who see our presence.
ACCESS_MODEL = "presence"


class ProfileLink:
    """Profile commands of one stream."""

    def __init__(self, stream: Any, log: logging.LoggerAdapter[Any]) -> None:
        self._stream = stream
        self.log = log
        self.own_nick = ""  # sent along with our subscription requests
        # Set by the client: returns once what the initial presence released (offline
        # messages, presences) has arrived. Profile fetches are not urgent and wait
        # for it, so they never hold back a login's messages.
        self.settled: Callable[[], Awaitable[None]] | None = None

    async def fetch_avatar(self, jid: Jid, digest: str, source: AvatarSource) -> bytes:
        """The picture announced with ``digest`` (unverified: the caller checks it).

        Raises:
            ProfileError: If it cannot be fetched or is malformed.
        """
        if source is AvatarSource.PEP:
            reply = await self._iq(jid, "get", profile_stanzas.fetch_item(AVATAR_DATA, digest))
            return avatar_data(reply, digest)
        card = parse_vcard(await self._iq(jid, "get", profile_stanzas.vcard_query()))
        if not card.photo:
            raise ProfileError("the vCard has no photo")
        return card.photo

    async def fetch_vcard(self, jid: Jid | None) -> VCard:
        """A vCard (ours for None); empty when there is none."""
        try:
            reply = await self._iq(jid, "get", profile_stanzas.vcard_query())
        except ProfileError as exc:
            if "item-not-found" in str(exc):
                return VCard()
            raise
        return parse_vcard(reply)

    async def publish_avatar(self, data: bytes, media_type: str, width: int, height: int) -> str:
        """Publish our avatar: data first, then metadata; returns its hash.

        Without a server that converts PEP avatars to vCards (XEP-0398), the
        vCard's photo is updated too, for clients that only read vCards.
        """
        digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()
        await self._publish(AVATAR_DATA, digest, profile_stanzas.avatar_data(data))
        metadata = profile_stanzas.avatar_metadata(digest, len(data), media_type, width, height)
        await self._publish(AVATAR_METADATA, digest, metadata)
        if not await self._server_converts():
            await self._store_vcard(VCard(photo_type=media_type, photo=data), keep_basic=True)
        self.log.info("avatar published (%d bytes)", len(data))
        return digest

    async def remove_avatar(self) -> None:
        """Publish empty metadata: contacts show no avatar."""
        await self._publish(
            AVATAR_METADATA, "current", profile_stanzas.avatar_metadata("", 0, "", 0, 0)
        )
        self.log.info("avatar removed")

    async def publish_nickname(self, nick: str) -> None:
        """Publish our nickname (empty: none)."""
        await self._publish(NICK, "current", profile_stanzas.nick(nick))
        self.own_nick = nick
        self.log.info("nickname published")

    async def set_vcard(self, card: VCard) -> None:
        """Replace our vCard's basic fields, keeping its photo and other fields."""
        await self._store_vcard(card, keep_basic=False)
        self.log.info("vCard updated")

    async def fetch_own_nickname(self) -> str:
        """The nickname in our PEP node ("" when none is published)."""
        try:
            reply = await self._iq(None, "get", profile_stanzas.fetch_items(NICK, 1))
        except ProfileError as exc:
            if "item-not-found" in str(exc):
                return ""
            raise
        return own_nickname(reply)

    async def set_room_avatar(self, room: Jid, data: bytes, media_type: str) -> str:
        """Put a picture in a room's vCard (we must own the room); returns its hash.

        The room announces it to its occupants (XEP-0486); its other vCard fields
        are kept.
        """
        await self._store_vcard(VCard(photo_type=media_type, photo=data), True, room)
        self.log.info("avatar of room %s set (%d bytes)", room, len(data))
        return hashlib.sha1(data, usedforsecurity=False).hexdigest()

    # --- internals -------------------------------------------------------------------

    async def _store_vcard(self, card: VCard, keep_basic: bool, to: Jid | None = None) -> None:
        """Store ``card`` as our vCard (or ``to``'s, a room's), over the stored one."""
        try:
            reply = await self._iq(to, "get", profile_stanzas.vcard_query())
        except ProfileError:
            reply = None
        stored = None if reply is None else reply.find(profile_stanzas.vcard_query().tag)
        if keep_basic and stored is not None:
            current = parse_vcard(stored)
            card = VCard(
                current.full_name,
                current.nickname,
                current.email,
                current.url,
                current.note,
                card.photo_type,
                card.photo,
            )
        await self._iq(to, "set", profile_stanzas.vcard(card, stored))

    async def _publish(self, node: str, item_id: str, payload: ET.Element) -> None:
        await self._iq(None, "set", profile_stanzas.publish(node, item_id, payload, ACCESS_MODEL))

    async def _server_converts(self) -> bool:
        try:
            info = await self._stream.plugin["xep_0030"].get_info(
                jid=JID(self._stream.boundjid.bare), timeout=IQ_TIMEOUT
            )
        except (IqError, IqTimeout):
            return False
        return CONVERSION in info["disco_info"]["features"]

    async def _iq(self, to: Jid | None, kind: str, payload: ET.Element) -> ET.Element:
        """Send an IQ and return its result stanza.

        Raises:
            ProfileError: With the error condition, or on a timeout.
        """
        if self.settled is not None:
            await self.settled()
        iq = self._stream.Iq()
        iq["type"] = kind
        if to is not None:
            iq["to"] = str(to)
        iq.xml.append(payload)
        try:
            reply = await iq.send(timeout=IQ_TIMEOUT)
        except IqTimeout:
            raise ProfileError("no answer") from None
        except IqError as exc:
            raise ProfileError(f"refused: {exc.iq['error']['condition']}") from None
        xml: ET.Element = reply.xml
        return xml
