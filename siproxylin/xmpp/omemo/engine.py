"""Encrypting and decrypting OMEMO messages of one account (both namespaces).

``OmemoEngine`` works on message elements: ``decrypt`` turns an encrypted
``<message/>`` into the clear one in place (the fallback body and the OMEMO
elements replaced by the decrypted body, or by the content of the XEP-0420
envelope for OMEMO 2), so the ordinary translator reads replies, corrections and
the rest. ``encrypt`` builds the stanza to send: fallback body, EME hint, store
hint and one ``<encrypted/>`` element per namespace used (each device gets the
newest version it publishes). Both go through the library's session manager,
never through slixmpp-omemo's ``decrypt_message`` (it consumes an OMEMO 2 message
and then fails on it). Decryptions run one at a time, in arrival order; each
result is remembered by its archive id, so a message seen live and again in an
archive page is decrypted once.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import oldmemo.etree
import twomemo.etree
from omemo.session_manager import (
    MessageNotForUs,
    NoEligibleDevices,
    NoSession,
    SenderDistrusted,
    SenderNotFound,
    SessionManager,
    StillUndecided,
    TrustDecisionFailed,
)
from slixmpp import JID

from siproxylin.domain.ids import Jid
from siproxylin.domain.models import Encryption, OmemoDevice, TrustLevel
from siproxylin.xmpp.omemo import sce
from siproxylin.xmpp.omemo.plugin import (
    FALLBACK_BODY,
    NS_LEGACY,
    NS_OMEMO2,
    OmemoPlugin,
    fingerprint,
    library_trust,
    to_device,
)
from siproxylin.xmpp.omemo.storage import AccountStorage

ENCRYPTED_LEGACY = f"{{{NS_LEGACY}}}encrypted"
ENCRYPTED_OMEMO2 = f"{{{NS_OMEMO2}}}encrypted"
_BODY = "{jabber:client}body"
_EME = "{urn:xmpp:eme:0}encryption"
_STORE = "{urn:xmpp:hints}store"
_STANZA_ID = "{urn:xmpp:sid:0}stanza-id"
_ORIGIN_ID = "{urn:xmpp:sid:0}origin-id"
_SENT = "sent/"  # marker prefix: origin-ids of messages this device encrypted
# Stay outside the envelope: the server and non-OMEMO clients need them.
_CLEAR = frozenset(
    {
        "{urn:xmpp:sid:0}origin-id",
        "{urn:xmpp:hints}store",
        "{urn:xmpp:hints}no-store",
        "{urn:xmpp:hints}no-copy",
        "{urn:xmpp:receipts}request",
        "{urn:xmpp:chat-markers:0}markable",
        "{urn:xmpp:eme:0}encryption",
    }
)
NOTICE = "This message is encrypted and could not be decrypted on this device."
CACHE_SIZE = 5000
_KNOWN_REASONS: dict[type[Exception], str] = {
    MessageNotForUs: "not encrypted for this device",
    SenderDistrusted: "the sender's device is distrusted",
    NoSession: "no session with the sender's device",
    SenderNotFound: "the sender's device is unknown",
}
_KNOWN_FAILURES = (MessageNotForUs, SenderDistrusted, NoSession, SenderNotFound)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Decryption:
    """What ``OmemoEngine.decrypt`` did to a message.

    Attributes:
        encryption: The namespace it was encrypted with.
        error: Why it could not be decrypted ("" when it was); the body then holds
            a notice, never the ciphertext.
        empty: A key transport or heartbeat: there is nothing to show.
    """

    encryption: Encryption
    error: str = ""
    empty: bool = False


class EncryptionFailed(Exception):
    """A message could not be encrypted for its recipients; nothing was sent."""


@dataclass(frozen=True, slots=True)
class _Plain:
    encryption: Encryption
    plaintext: bytes | None


def is_encrypted(message: ET.Element) -> bool:
    """True when a message carries an OMEMO element of either namespace."""
    return message.find(ENCRYPTED_OMEMO2) is not None or message.find(ENCRYPTED_LEGACY) is not None


def archive_key(message: ET.Element, by: Jid) -> str:
    """The dedupe key of a live message: the stanza-id ``by`` stamped on it ("" if none)."""
    for element in message.iterfind(_STANZA_ID):
        if element.get("by", "") == str(by.bare):
            return f"{by.bare}/{element.get('id', '')}"
    return ""


class OmemoEngine:
    """OMEMO for one account's stream.

    Args:
        plugin: The account's slixmpp-omemo plugin.
        own: Returns our current (bound) address.
        clock: UTC seconds (tests pass their own).
    """

    def __init__(
        self, plugin: OmemoPlugin, own: Callable[[], Jid], clock: Callable[[], float] = time.time
    ) -> None:
        self._plugin = plugin
        self._own = own
        self._clock = clock
        self._lock = asyncio.Lock()
        self._done: OrderedDict[str, _Plain] = OrderedDict()
        self._reflections: OrderedDict[str, dict[str, bytes]] = OrderedDict()
        self._fingerprint = ""
        # The namespaces sent with, newest first (each device gets the first it has).
        self.send_namespaces: tuple[str, ...] = (NS_OMEMO2, NS_LEGACY)

    async def manager(self) -> SessionManager:
        """The session manager (created, keys published, on the first call of a stream)."""
        try:
            manager: SessionManager = await self._plugin.get_session_manager()
        except Exception:
            # slixmpp-omemo 2.2 keeps a failed start (keys not published: the stream
            # dropped) and would raise it forever; forget it so the next call retries.
            self._plugin._XEP_0384__session_manager_task = None
            raise
        if not self._fingerprint:
            own_info, _others = await manager.get_own_device_information()
            self._fingerprint = fingerprint(own_info.identity_key)
        return manager

    @property
    def storage(self) -> AccountStorage:
        """The account's OMEMO storage."""
        return self._storage()

    def _storage(self) -> AccountStorage:
        storage = self._plugin.storage
        assert isinstance(storage, AccountStorage)
        return storage

    @property
    def own_fingerprint(self) -> str:
        """Our identity key's fingerprint ("" until the session manager is ready)."""
        return self._fingerprint

    # --- receiving -------------------------------------------------------------------

    async def decrypt(
        self, message: ET.Element, sender: Jid, to: Jid, key: str = ""
    ) -> Decryption | None:
        """Decrypt ``message`` in place.

        Args:
            message: A ``<message/>`` (the forwarded one of a carbon or archive result).
            sender: Its author's bare address (an occupant's real address in a room).
            to: Whom it was for: our bare address, or the room's.
            key: Dedupe key (archive id); a message decrypted before under the same
                key is not decrypted again.

        Returns:
            None when the message is not encrypted, else what was done.
        """
        enc2 = message.find(ENCRYPTED_OMEMO2)
        enc1 = message.find(ENCRYPTED_LEGACY)
        element = enc2 if enc2 is not None else enc1
        if element is None:
            return None
        namespace = NS_OMEMO2 if enc2 is not None else NS_LEGACY
        encryption = Encryption.OMEMO2 if enc2 is not None else Encryption.OMEMO
        async with self._lock:
            plain = self._done.get(key) if key else None
            if plain is None:
                plain, error = await self._decrypt(message, element, namespace, sender)
                if plain is None:
                    if element.find(f"{{{namespace}}}payload") is None:
                        return Decryption(encryption, empty=True)  # a key transport, not for us
                    if self._known(message, sender, key):
                        # Decrypted (or sent by us) and stored in an earlier run; it comes
                        # again from an archive, and its keys are gone: nothing new.
                        return Decryption(encryption, empty=True)
                    _replace_content(message, [_notice()])
                    return Decryption(encryption, error=error)
                if key:
                    self._done[key] = plain
                    self._storage().mark_decrypted(key)
                    while len(self._done) > CACHE_SIZE:
                        self._done.popitem(last=False)
        return self._apply(message, plain, sender, to)

    async def _decrypt(
        self, message: ET.Element, element: ET.Element, namespace: str, sender: Jid
    ) -> tuple[_Plain | None, str]:
        encryption = Encryption.OMEMO2 if namespace == NS_OMEMO2 else Encryption.OMEMO
        own = self._own().bare
        reflected = self._reflections.pop(message.get("id", ""), None)
        if reflected is not None and sender.bare == own and message.get("type") == "groupchat":
            return _Plain(encryption, reflected.get(namespace)), ""
        try:
            manager = await self.manager()
            if namespace == NS_OMEMO2:
                parsed = twomemo.etree.parse_message(element, str(sender.bare))
            else:
                parsed = await oldmemo.etree.parse_message(
                    element, str(sender.bare), str(own), manager
                )
            plaintext, _device, _key = await manager.decrypt(parsed)
        except _KNOWN_FAILURES as exc:
            return None, _KNOWN_REASONS[type(exc)]
        except Exception as exc:  # noqa: BLE001 - malformed, tampered, replayed: go on
            log.info("OMEMO message from %s not decrypted: %s", sender.bare, type(exc).__name__)
            return None, f"could not be decrypted ({type(exc).__name__})"
        return _Plain(encryption, plaintext), ""

    def _known(self, message: ET.Element, sender: Jid, key: str) -> bool:
        """True for a message decrypted before under ``key``, or written by this device
        (OMEMO never encrypts for the sending device: the sender stored it clear)."""
        storage = self._storage()
        if key and storage.was_decrypted(key):
            return True
        if sender.bare != self._own().bare:
            return False
        origin = message.find(_ORIGIN_ID)
        return origin is not None and storage.was_decrypted(_SENT + origin.get("id", ""))

    def _apply(self, message: ET.Element, plain: _Plain, sender: Jid, to: Jid) -> Decryption:
        if plain.plaintext is None:
            return Decryption(plain.encryption, empty=True)
        if plain.encryption is Encryption.OMEMO:
            body = ET.Element(_BODY)
            body.text = plain.plaintext.decode("utf-8", errors="replace")
            _replace_content(message, [body])
            return Decryption(plain.encryption)
        try:
            content = sce.parse_envelope(plain.plaintext, to, sender, self._clock())
        except sce.EnvelopeError as exc:
            log.info("OMEMO 2 envelope from %s refused: %s", sender.bare, exc)
            _replace_content(message, [_notice()])
            return Decryption(plain.encryption, error=f"envelope refused: {exc}")
        if not content:
            return Decryption(plain.encryption, empty=True)
        _replace_content(message, content)
        return Decryption(plain.encryption)

    # --- sending ---------------------------------------------------------------------

    async def encrypt(self, message: ET.Element, recipients: Iterable[Jid], to: Jid) -> ET.Element:
        """The encrypted version of a clear ``message``.

        Args:
            message: The ``<message/>`` as it would be sent in clear.
            recipients: Bare addresses to encrypt for (our other devices are added).
            to: The ``to`` of the envelope: the peer, or the room.

        Raises:
            EncryptionFailed: A recipient has no device we may encrypt for, a trust
                decision is missing, or the library failed.
        """
        body = message.find(_BODY)
        inside = [copy.deepcopy(c) for c in message if c.tag not in _CLEAR]
        plaintexts = {
            NS_OMEMO2: sce.build_envelope(inside, to, self._own(), self._clock()),
        }
        if body is not None and body.text:
            plaintexts[NS_LEGACY] = body.text.encode("utf-8")
        order = [ns for ns in self.send_namespaces if ns in plaintexts]
        messages = await self._encrypt(
            frozenset(str(j.bare) for j in recipients), plaintexts, order
        )
        used = {m.namespace for m in messages}
        if not used:
            raise EncryptionFailed("no OMEMO device to encrypt for")
        out = ET.Element(message.tag, dict(message.attrib))
        for child in message:
            if child.tag in _CLEAR or (NS_LEGACY in used and child.tag != _BODY):
                out.append(copy.deepcopy(child))  # legacy OMEMO only hides the body
        ET.SubElement(out, _BODY).text = FALLBACK_BODY
        for encrypted in messages:
            if encrypted.namespace == NS_OMEMO2:
                out.append(twomemo.etree.serialize_message(encrypted))
            else:
                out.append(oldmemo.etree.serialize_message(encrypted))
        name = NS_OMEMO2 if used == {NS_OMEMO2} else NS_LEGACY
        ET.SubElement(out, _EME, {"namespace": name, "name": "OMEMO"})
        if out.find(_STORE) is None:
            ET.SubElement(out, _STORE)
        origin = message.find(_ORIGIN_ID)
        if origin is not None and origin.get("id"):
            self._storage().mark_decrypted(_SENT + origin.get("id", ""))
        if message.get("type") == "groupchat" and message.get("id"):
            # The room reflects it to us, not encrypted for this device.
            self._reflections[message.get("id", "")] = {
                ns: text for ns, text in plaintexts.items() if ns in used
            }
            while len(self._reflections) > CACHE_SIZE:
                self._reflections.popitem(last=False)
        return out

    async def _encrypt(
        self, bare: frozenset[str], plaintexts: dict[str, bytes], order: list[str]
    ) -> list[Any]:
        try:
            manager = await self.manager()
            await self._plugin.refresh_device_lists({JID(jid) for jid in bare})
            messages, errors = await manager.encrypt(bare, plaintexts, order)
        except NoEligibleDevices as exc:
            names = ", ".join(sorted(exc.bare_jids)) or "the recipient"
            raise EncryptionFailed(f"no trusted OMEMO device of {names}") from None
        except (StillUndecided, TrustDecisionFailed):
            raise EncryptionFailed("the trust of a new device was not decided") from None
        except Exception as exc:
            raise EncryptionFailed(f"could not encrypt ({type(exc).__name__})") from exc
        for error in errors:
            log.info(
                "OMEMO device %s of %s skipped: %s",
                error.device_id,
                error.bare_jid,
                type(error.exception).__name__,
            )
        return list(messages)

    # --- devices and trust -----------------------------------------------------------

    async def devices(self, jid: Jid) -> list[OmemoDevice]:
        """The known devices of ``jid`` (ours: our other devices)."""
        manager = await self.manager()
        if jid.bare == self._own().bare:
            _own, others = await manager.get_own_device_information()
            infos: Iterable[Any] = others
        else:
            await self._plugin.refresh_device_lists({JID(str(jid.bare))})
            infos = await manager.get_device_information(str(jid.bare))
        return sorted((to_device(info) for info in infos), key=lambda d: d.device_id)

    async def set_trust(self, jid: Jid, device_id: int, trust: TrustLevel) -> None:
        """Set our trust in one device of ``jid`` (unknown devices are ignored)."""
        manager = await self.manager()
        for info in await manager.get_device_information(str(jid.bare)):
            if info.device_id == device_id:
                await manager.set_trust(str(jid.bare), info.identity_key, library_trust(trust))

    async def remove_own_device(self, device_id: int) -> None:
        """Publish our device lists without ``device_id`` (never this device)."""
        manager = await self.manager()
        own_info, _others = await manager.get_own_device_information()
        if device_id == own_info.device_id:
            raise ValueError("this device cannot remove itself")
        own = str(self._own().bare)
        impl: Any = type(manager)
        for namespace in (NS_OMEMO2, NS_LEGACY):
            current = dict(await impl._download_device_list(namespace, own))
            if device_id not in current:
                continue  # not listed under this namespace
            del current[device_id]
            await impl._upload_device_list(namespace, current)
            await manager.update_device_list(namespace, own, current)

    async def can_encrypt(self, jids: Iterable[Jid]) -> bool:
        """True when every address has a device that is not distrusted."""
        for jid in jids:
            devices = await self.devices(jid)
            if not any(d.active and d.trust is not TrustLevel.DISTRUSTED for d in devices):
                return False
        return True


def _notice() -> ET.Element:
    body = ET.Element(_BODY)
    body.text = NOTICE
    return body


def _replace_content(message: ET.Element, content: list[ET.Element]) -> None:
    """Drop the OMEMO elements, the fallback body and clear copies of what ``content``
    brings, then add ``content``."""
    tags = {c.tag for c in content} | {_BODY, ENCRYPTED_LEGACY, ENCRYPTED_OMEMO2, _EME}
    for child in list(message):
        if child.tag in tags or child.tag == "{urn:xmpp:fallback:0}fallback":
            message.remove(child)
    for element in content:
        message.append(element)
