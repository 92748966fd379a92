"""OMEMO on one account's stream: which messages to decrypt, in which order, and sending.

``OmemoLink`` sits between the client's one message handler and the translator:
an encrypted message (direct, carbon, group chat) is decrypted by the engine,
then translated and published with its ``encryption`` (or its
``decryption_error`` and a notice body). Decryption is asynchronous, so while one
is under way every later message waits behind it: events keep arrival order.
It also encrypts outgoing messages (or reports them failed, never sending them in
clear), follows rooms' occupants to know their real addresses, and decrypts
archive results for ``mam.ArchiveQueries``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from typing import Any

from siproxylin.core.ports import OmemoKeyRepo, TrustPolicy
from siproxylin.domain.events import (
    Event,
    MessageErrorReceived,
    MessageReceived,
    OccupantsReceived,
    RoomLeft,
)
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.domain.models import ChatKind, OmemoDevice, OutgoingMessage, TrustLevel
from siproxylin.xmpp.omemo.engine import (
    Decryption,
    EncryptionFailed,
    OmemoEngine,
    archive_key,
    is_encrypted,
)
from siproxylin.xmpp.omemo.plugin import OmemoPlugin
from siproxylin.xmpp.omemo.storage import AccountStorage

_CARBONS = ("{urn:xmpp:carbons:2}received", "{urn:xmpp:carbons:2}sent")
_FORWARDED_MESSAGE = "{urn:xmpp:forward:0}forwarded/{jabber:client}message"
_MUC_ADMIN = "http://jabber.org/protocol/muc#admin"
AFFILIATIONS_TTL = 60.0  # seconds a room's member list is reused for encrypting
_MUC_USER_ITEM = "{http://jabber.org/protocol/muc#user}x/{http://jabber.org/protocol/muc#user}item"

log = logging.getLogger(__name__)


class OmemoLink:
    """OMEMO for one account's stream (see the module doc).

    Args:
        stream: The account's slixmpp client.
        account: The account.
        own: Returns our current (bound) address.
        rooms: Joined rooms -> our nick (shared with the client).
        publish: Puts an event on the bus.
        keys: The account's OMEMO key store.
        trust: Decides the trust of new devices (None: blind trust).
    """

    def __init__(
        self,
        stream: Any,
        account: AccountId,
        own: Callable[[], Jid],
        rooms: Mapping[Jid, str],
        publish: Callable[[Event | None], None],
        keys: OmemoKeyRepo,
        trust: TrustPolicy | None,
    ) -> None:
        self._stream = stream
        self._account = account
        self._own = own
        self._rooms = rooms
        self._publish = publish
        stream.register_plugin(
            "xep_0384",
            {
                "omemo_storage": AccountStorage(keys, account),
                "trust_policy": trust,
                "account": account,
            },
        )
        plugin: OmemoPlugin = stream.plugin["xep_0384"]
        self.engine = OmemoEngine(plugin, own)
        self._occupants: dict[Jid, dict[str, Jid]] = {}  # room -> nick -> real bare address
        self._tail: asyncio.Future[None] | None = None
        self._send_tail: asyncio.Future[None] | None = None
        # Room -> (when read, its members, admins and owners).
        self._affiliations: dict[Jid, tuple[float, frozenset[Jid]]] = {}
        self._tasks: set[asyncio.Future[Any]] = set()
        self._pruned = False  # decryption markers are pruned once per run

    def start(self) -> None:
        """The stream is up and our presence is out: load (or create and publish) keys;
        forget decryption markers of long ago."""
        self._keep(asyncio.ensure_future(self.engine.manager()))
        if not self._pruned:
            self._pruned = True
            storage = self.engine.storage
            pruned = storage.prune_markers()
            if pruned:
                log.info("%d old OMEMO decryption markers forgotten", pruned)

    # --- receiving -------------------------------------------------------------------

    def receive(self, xml: ET.Element, translate: Callable[[ET.Element], Event | None]) -> bool:
        """Take a message if it is encrypted (or must wait behind one); True if taken."""
        busy = self._tail is not None and not self._tail.done()
        target = encrypted_part(xml, self._own().bare, self._rooms)
        if target is None and not busy:
            return False
        previous = self._tail
        task = asyncio.ensure_future(self._receive(previous, xml, target, translate))
        self._tail = task
        self._keep(task)
        return True

    async def _receive(
        self,
        previous: asyncio.Future[None] | None,
        xml: ET.Element,
        target: ET.Element | None,
        translate: Callable[[ET.Element], Event | None],
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        decryption = None
        if target is not None:
            sender, to, key = self._parties(xml, target)
            decryption = await self.engine.decrypt(target, sender, to, key)
        self._publish(_finish(translate(xml), decryption))

    def _parties(self, xml: ET.Element, inner: ET.Element) -> tuple[Jid, Jid, str]:
        """(author, envelope recipient, dedupe key) of a live message."""
        own = self._own().bare
        if xml.get("type") == "groupchat":
            room = _bare(xml.get("from", ""), own)
            return self._real(inner, room), room, archive_key(xml, room)
        author = _bare(inner.get("from", ""), own)
        to = _bare(inner.get("to", ""), own) if author == own else own
        return author, to, archive_key(inner, own) or archive_key(xml, own)

    def _real(self, inner: ET.Element, room: Jid) -> Jid:
        """The real bare address of a room message's author (the room itself if unknown)."""
        nick = inner.get("from", "").partition("/")[2]
        if nick and nick == self._rooms.get(room):
            return self._own().bare
        known = self._occupants.get(room, {}).get(nick)
        if known is not None:
            return known
        item = inner.find(_MUC_USER_ITEM)  # archives of non-anonymous rooms name it
        return _bare(item.get("jid", ""), room) if item is not None else room

    async def decrypt_archived(
        self, inner: ET.Element, archive: Jid, archive_id: str
    ) -> Decryption | None:
        """Decrypt one archive result's message in place (None: not encrypted)."""
        if not is_encrypted(inner):
            return None
        own = self._own().bare
        key = f"{archive.bare}/{archive_id}"
        if archive.bare != own:
            return await self.engine.decrypt(inner, self._real(inner, archive.bare), archive, key)
        author = _bare(inner.get("from", ""), own)
        to = _bare(inner.get("to", ""), own) if author == own else own
        return await self.engine.decrypt(inner, author, to, key)

    def on_event(self, event: Event) -> None:
        """Follow rooms' occupants (their real addresses) from the events we publish."""
        if isinstance(event, OccupantsReceived):
            known = self._occupants.setdefault(event.room, {})
            if event.complete:
                known.clear()
            for change in event.changes:
                occupant = change.occupant
                if occupant is None:
                    known.pop(change.nick, None)
                elif occupant.real_jid is not None:
                    known.pop(change.nick, None)
                    known[change.new_nick or change.nick] = occupant.real_jid.bare
        elif isinstance(event, RoomLeft):
            self._occupants.pop(event.room, None)
            self._affiliations.pop(event.room, None)

    def room_members(self, room: Jid) -> set[Jid]:
        """The real addresses of a room's occupants we know (ours excluded)."""
        own = self._own().bare
        return {jid for jid in self._occupants.get(room.bare, {}).values() if jid != own}

    # --- sending ---------------------------------------------------------------------

    def send(
        self, message: OutgoingMessage, clear: ET.Element, write: Callable[[ET.Element], None]
    ) -> None:
        """Encrypt ``clear`` and write it; on failure report the message failed.

        Messages are encrypted and written one at a time, in the order given: the
        ratchet's order is the stream's order.
        """
        previous = self._send_tail
        task = asyncio.ensure_future(self._send(previous, message, clear, write))
        self._send_tail = task
        self._keep(task)

    async def drain_sends(self, timeout: float) -> None:
        """Wait (at most ``timeout`` seconds) until every message given to ``send``
        is encrypted and written, or reported failed."""
        tail = self._send_tail
        if tail is not None and not tail.done():
            await asyncio.wait([tail], timeout=timeout)

    async def drain_received(self, timeout: float) -> None:
        """Wait (at most ``timeout`` seconds) until every message taken by ``receive``
        is decrypted and published: the server counts them delivered."""
        tail = self._tail
        if tail is not None and not tail.done():
            _done, pending = await asyncio.wait([tail], timeout=timeout)
            if pending:
                log.warning("account %s: stopped while still decrypting", self._account)

    async def _send(
        self,
        previous: asyncio.Future[None] | None,
        message: OutgoingMessage,
        clear: ET.Element,
        write: Callable[[ET.Element], None],
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        to = message.to.bare
        if message.kind is ChatKind.GROUPCHAT:
            recipients = self.room_members(to) | await self._affiliated(to)
            recipients.discard(self._own().bare)
            if not recipients:
                recipients = {self._own().bare}  # alone in the room: our other devices
        else:
            recipients = {to}
        try:
            encrypted = await self.engine.encrypt(clear, recipients, to)
        except EncryptionFailed as exc:
            log.info("encrypted message %s not sent: %s", message.origin_id, exc)
            self._publish(MessageErrorReceived(self._account, message.origin_id, to, str(exc)))
            return
        write(encrypted)

    async def _affiliated(self, room: Jid) -> set[Jid]:
        """The room's members, admins and owners (offline ones too), when the room
        shows us its lists; remembered for a minute."""
        loop = asyncio.get_running_loop()
        cached = self._affiliations.get(room)
        if cached is not None and loop.time() - cached[0] < AFFILIATIONS_TTL:
            return set(cached[1])
        found: set[Jid] = set()
        for affiliation in ("member", "admin", "owner"):
            iq = self._stream.Iq()
            iq["type"] = "get"
            iq["to"] = str(room)
            query = ET.SubElement(iq.xml, f"{{{_MUC_ADMIN}}}query")
            ET.SubElement(query, f"{{{_MUC_ADMIN}}}item", {"affiliation": affiliation})
            try:
                reply = await iq.send(timeout=10)
            except Exception as exc:  # noqa: BLE001 - not allowed to see it: occupants only
                log.debug("%s list of %s not read: %s", affiliation, room, type(exc).__name__)
                continue
            for item in reply.xml.iterfind(f"{{{_MUC_ADMIN}}}query/{{{_MUC_ADMIN}}}item"):
                jid = _bare(item.get("jid", ""), room)
                if jid != room and item.get("affiliation") == affiliation:
                    found.add(jid)
        self._affiliations[room] = (loop.time(), frozenset(found))
        return found

    # --- devices ---------------------------------------------------------------------

    async def devices(self, jid: Jid) -> list[OmemoDevice]:
        """See ``XmppSession.omemo_devices``."""
        return await self.engine.devices(jid)

    async def set_trust(self, jid: Jid, device_id: int, trust: TrustLevel) -> None:
        """See ``XmppSession.set_device_trust``."""
        await self.engine.set_trust(jid, device_id, trust)

    async def remove_own_device(self, device_id: int) -> None:
        """See ``XmppSession.remove_own_device``."""
        await self.engine.remove_own_device(device_id)

    async def can_encrypt(self, jid: Jid) -> bool:
        """See ``XmppSession.can_encrypt`` (a room: every occupant we know)."""
        if jid.bare in self._rooms:
            members = self.room_members(jid.bare) | await self._affiliated(jid.bare)
            members.discard(self._own().bare)
            return bool(members) and await self.engine.can_encrypt(members)
        return await self.engine.can_encrypt([jid.bare])

    def _keep(self, task: asyncio.Future[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("OMEMO task failed: %s", type(task.exception()).__name__)


def encrypted_part(xml: ET.Element, own: Jid, rooms: Mapping[Jid, str]) -> ET.Element | None:
    """The element to decrypt: the stanza, or the message a carbon forwards.

    None when there is nothing to decrypt, or nothing we should: an error bounce, a
    carbon not from our own bare address, group chat from a room we are not in
    (the translator reports, rejects or ignores those; they are not decrypted).
    """
    if xml.get("type") == "error":
        return None  # a bounce of one of ours: the translator reports the error
    claimed = xml.get("from", "")
    for tag in _CARBONS:
        carbon = xml.find(tag)
        if carbon is not None:
            if claimed and _bare(claimed, Jid.parse("invalid.invalid")) != own:
                return None
            inner = carbon.find(_FORWARDED_MESSAGE)
            return inner if inner is not None and is_encrypted(inner) else None
    if not is_encrypted(xml):
        return None
    if xml.get("type") == "groupchat" and _bare(claimed, own) not in rooms:
        return None
    return xml


def _finish(event: Event | None, decryption: Decryption | None) -> Event | None:
    """The translated event, marked with how it was decrypted."""
    if decryption is None:
        return event
    if decryption.empty:
        return None  # a key transport or heartbeat
    if isinstance(event, MessageReceived):
        return dataclasses.replace(
            event, encryption=decryption.encryption, decryption_error=decryption.error
        )
    return event


def _bare(text: str, default: Jid) -> Jid:
    """The bare address in ``text``; ``default`` when it is empty or not an address."""
    if not text:
        return default
    try:
        return Jid.parse(text).bare
    except InvalidJid:
        return default
