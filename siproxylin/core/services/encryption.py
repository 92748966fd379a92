"""End-to-end encryption (OMEMO) as the user sees it: per-conversation state and device trust.

Rules owned here:

* a conversation is encrypted when the user turned it on, or, while the user never
  chose, as soon as an encrypted message arrives in it; once on, every message
  (corrections included) goes out encrypted or not at all, until the user turns
  it off: there is no silent fallback to clear text;
* trust is blind before verification (BTBV): new devices of a contact none of
  whose devices the user verified are trusted blindly; once the user verified one
  device of a contact, a new device of that contact is not trusted silently: the
  user is asked (``DecisionKind.TRUST``), and until then nothing is encrypted for
  it; a "no" distrusts it;
* verification is by fingerprint, also as a XEP-0384 style ``xmpp:`` URI (for a QR
  code): ``xmpp:alice@example.org?omemo-sid-1234=<fingerprint>;...``.

Implements ``core.ports.TrustPolicy`` for the XMPP adapter. Imports ``domain`` and
``core`` only.
"""

from __future__ import annotations

import asyncio
import logging

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.decisions import Decisions
from siproxylin.core.ports import EncryptionStateRepo
from siproxylin.domain.events import EncryptionChanged, MessageStored
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    ChatKind,
    DecisionKind,
    Direction,
    Encryption,
    OmemoDevice,
    TrustLevel,
)

log = logging.getLogger(__name__)


def group_fingerprint(fingerprint: str) -> str:
    """A fingerprint in groups of eight hex digits, as users compare them."""
    text = fingerprint.lower()
    return " ".join(text[i : i + 8] for i in range(0, len(text), 8))


def verification_uri(jid: Jid, devices: list[OmemoDevice]) -> str:
    """The ``xmpp:`` URI listing ``jid``'s devices and fingerprints (for a QR code)."""
    params = ";".join(f"omemo-sid-{d.device_id}={d.fingerprint.lower()}" for d in devices)
    return f"xmpp:{jid.bare}?{params}" if params else f"xmpp:{jid.bare}"


def parse_verification_uri(uri: str) -> tuple[Jid, dict[int, str]]:
    """The address and ``device id -> fingerprint`` of a scanned ``xmpp:`` URI.

    Raises:
        ValueError: If it is not such a URI.
    """
    if not uri.startswith("xmpp:"):
        raise ValueError("not an xmpp: URI")
    address, _, query = uri[5:].partition("?")
    jid = Jid.parse(address)
    found: dict[int, str] = {}
    for part in query.split(";"):
        key, _, value = part.partition("=")
        if key.startswith("omemo-sid-") and key[10:].isdigit() and value:
            found[int(key[10:])] = value.lower()
    return jid, found


class EncryptionService:
    """Per-conversation encryption and OMEMO device trust."""

    def __init__(
        self,
        bus: EventBus,
        accounts: AccountManager,
        decisions: Decisions,
        repo: EncryptionStateRepo,
    ) -> None:
        self._bus = bus
        self._accounts = accounts
        self._decisions = decisions
        self._repo = repo
        bus.subscribe(MessageStored, self._on_message_stored)

    # --- conversation state --------------------------------------------------------

    def is_encrypted(self, account: AccountId, peer: Jid, kind: ChatKind = ChatKind.CHAT) -> bool:
        """True when messages to ``peer`` must go out encrypted."""
        return bool(self._repo.get(account, _conversation(peer, kind), kind))

    def set_encrypted(
        self, account: AccountId, peer: Jid, encrypted: bool, kind: ChatKind = ChatKind.CHAT
    ) -> None:
        """The user turns encryption of a conversation on or off."""
        peer = _conversation(peer, kind)
        self._repo.set(account, peer, kind, encrypted)
        self._bus.publish(EncryptionChanged(account, peer, encrypted))

    # --- devices and trust ----------------------------------------------------------

    async def devices(self, account: AccountId, jid: Jid) -> list[OmemoDevice]:
        """The OMEMO devices of a contact (or of our own account) with their trust."""
        return await self._accounts.online_xmpp(account).omemo_devices(jid.bare)

    async def set_trust(
        self, account: AccountId, jid: Jid, device_id: int, trust: TrustLevel
    ) -> None:
        """Verify, trust blindly or distrust one device."""
        await self._accounts.online_xmpp(account).set_device_trust(jid.bare, device_id, trust)

    async def verify_uri(self, account: AccountId, uri: str) -> int:
        """Verify the devices a scanned URI lists whose fingerprints match ours on record.

        Returns:
            How many devices were verified.

        Raises:
            ValueError: If the URI is malformed or a fingerprint does not match.
        """
        jid, listed = parse_verification_uri(uri)
        known = {d.device_id: d for d in await self.devices(account, jid)}
        verified = 0
        for device_id, fingerprint in listed.items():
            device = known.get(device_id)
            if device is None:
                continue
            if device.fingerprint.lower() != fingerprint:
                raise ValueError(f"The fingerprint of device {device_id} does not match.")
            await self.set_trust(account, jid, device_id, TrustLevel.VERIFIED)
            verified += 1
        return verified

    async def remove_own_device(self, account: AccountId, device_id: int) -> None:
        """Drop an old device of ours from our device lists."""
        await self._accounts.online_xmpp(account).remove_own_device(device_id)

    def own_fingerprint(self, account: AccountId) -> str:
        """This device's fingerprint (empty while the account is offline)."""
        xmpp = self._accounts.xmpp(account)
        return xmpp.own_fingerprint() if xmpp is not None else ""

    async def decide(
        self, account: AccountId, jid: Jid, devices: tuple[OmemoDevice, ...]
    ) -> dict[int, TrustLevel]:
        """``TrustPolicy``: trust for new devices of ``jid`` (BTBV, or the user's answer)."""
        new_ids = {d.device_id for d in devices}
        try:
            known = await self.devices(account, jid)
        except Exception:  # noqa: BLE001 (offline or the list is unreadable: ask, as if verified)
            known = []
            verified_before = True
        else:
            verified_before = any(
                d.trust is TrustLevel.VERIFIED for d in known if d.device_id not in new_ids
            )
        if not verified_before:
            return {d.device_id: TrustLevel.BLIND for d in devices}
        answers: dict[int, TrustLevel] = {}
        questions = [
            (
                device,
                self._decisions.ask(
                    account,
                    DecisionKind.TRUST,
                    device.fingerprint,
                    f"{jid.bare} has a new device ({device.label or device.device_id})."
                    f" Its fingerprint is {group_fingerprint(device.fingerprint)}."
                    " Trust it only if it matches what the contact tells you.",
                ),
            )
            for device in devices
        ]
        for device, question in questions:
            try:
                trusted = await question
            except asyncio.CancelledError:
                answers[device.device_id] = TrustLevel.UNDECIDED
                continue
            answers[device.device_id] = TrustLevel.VERIFIED if trusted else TrustLevel.DISTRUSTED
        return answers

    # --- handlers ------------------------------------------------------------------

    def _on_message_stored(self, event: MessageStored) -> None:
        message = event.message
        if not event.new or message.encryption is Encryption.NONE:
            return
        if message.direction is not Direction.INCOMING and message.kind is ChatKind.GROUPCHAT:
            return
        peer = _conversation(message.peer, message.kind)
        if self._repo.get(event.account, peer, message.kind) is None:
            log.info("encryption turned on for %s: an encrypted message arrived", peer)
            self._repo.set(event.account, peer, message.kind, True)
            self._bus.publish(EncryptionChanged(event.account, peer, True))


def _conversation(peer: Jid, kind: ChatKind) -> Jid:
    return peer if kind is ChatKind.GROUPCHAT_PM else peer.bare
