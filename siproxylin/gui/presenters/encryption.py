"""EncryptionPresenter: OMEMO encryption of the open conversation, and device trust.

Owns what the lock in the conversation header shows: whether messages to the open
conversation go out encrypted (``encrypted``), following the conversation the
``ChatPresenter`` opens and ``EncryptionChanged`` (an encrypted message arriving
turns it on). Turning it on or off goes to ``EncryptionService``. It also fetches
what the encryption dialog lists (``load_devices``: our fingerprint, the contact's
devices, our other devices) and passes trust changes, scanned verification URIs
and the removal of our old devices to the core. No widgets: a QObject only for its
signals. Imports ``domain``, ``core`` and ``gui``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from siproxylin.core.accounts import AccountManager
from siproxylin.core.services.encryption import (
    EncryptionService,
    group_fingerprint,
    verification_uri,
)
from siproxylin.domain.events import EncryptionChanged
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, OmemoDevice, TrustLevel
from siproxylin.gui.bridge import EventBridge
from siproxylin.gui.presenters.chat import ChatPresenter

TURN_OFF_QUESTION = (
    "Messages will be sent unencrypted. Your server and the contact's server can read them."
)


@dataclass(frozen=True, slots=True)
class DeviceList:
    """What the encryption dialog shows for one conversation.

    Attributes:
        account: Our account.
        own_jid: Our bare address.
        peer: The contact (bare address).
        own_fingerprint: This device's fingerprint ("" while offline).
        own_device_id: This device's id, when it is among our listed devices (else 0).
        own_uri: The ``xmpp:`` verification URI of this device (for the QR code); ""
            when this device is not in our published list.
        contact: The contact's devices.
        own_devices: Our other devices.
    """

    account: AccountId
    own_jid: Jid
    peer: Jid
    own_fingerprint: str
    own_device_id: int
    own_uri: str
    contact: tuple[OmemoDevice, ...]
    own_devices: tuple[OmemoDevice, ...]


class EncryptionPresenter(QObject):
    """Encryption state of the conversation the chat presenter has open."""

    changed = Signal()  # ``encrypted`` or ``available`` changed

    def __init__(
        self,
        encryption: EncryptionService,
        accounts: AccountManager,
        chat: ChatPresenter,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._encryption = encryption
        self._accounts = accounts
        self._chat = chat
        self._encrypted = False
        chat.conversation_changed.connect(self.refresh)
        self.refresh()

    def register(self, bridge: EventBridge) -> None:
        """Subscribe the handlers to the bridge."""
        bridge.register(EncryptionChanged, self._on_encryption_changed)

    # --- state for the view ------------------------------------------------------

    @property
    def available(self) -> bool:
        """True while a conversation is open (the lock is shown)."""
        return self._chat.conversation is not None

    @property
    def has_devices(self) -> bool:
        """True when the open conversation is with a contact whose devices can be listed.

        A room's members (and a room occupant in a private message) have no
        address of theirs here, so there is no device list to show for them.
        """
        return self._chat.conversation is not None and self._chat.kind is ChatKind.CHAT

    @property
    def encrypted(self) -> bool:
        """True when messages to the open conversation go out OMEMO encrypted."""
        return self._encrypted

    # --- commands ----------------------------------------------------------------

    def refresh(self) -> None:
        """Read the open conversation's state from the core."""
        conversation = self._chat.conversation
        encrypted = conversation is not None and self._encryption.is_encrypted(
            *conversation, self._chat.kind
        )
        self._encrypted = encrypted
        self.changed.emit()

    def set_encrypted(self, encrypted: bool) -> None:
        """Turn encryption of the open conversation on or off (the caller confirmed off)."""
        conversation = self._chat.conversation
        if conversation is None:
            return
        account, peer = conversation
        self._encryption.set_encrypted(account, peer, encrypted, self._chat.kind)
        # EncryptionChanged comes back through the bridge; be right at once too.
        self._encrypted = encrypted
        self.changed.emit()

    async def load_devices(self) -> DeviceList:
        """Our fingerprint and the devices of both ends of the open conversation.

        Raises:
            NotConnected: The account is offline.
            ValueError: No conversation is open.
        """
        conversation = self._chat.conversation
        if conversation is None or not self.has_devices:
            raise ValueError("No conversation with a contact is open.")
        account, peer = conversation
        config = self._accounts.config(account)
        own_jid = config.jid.bare
        contact = await self._encryption.devices(account, peer.bare)
        mine = await self._encryption.devices(account, own_jid)
        fingerprint = self._encryption.own_fingerprint(account).lower()
        own = next((d for d in mine if fingerprint and d.fingerprint.lower() == fingerprint), None)
        own_id = own.device_id if own is not None else 0
        # The URI names the device by id: without our device in the list, no QR code.
        own_uri = verification_uri(own_jid, [own]) if own is not None else ""
        others = tuple(d for d in mine if d.device_id != own_id)
        return DeviceList(
            account, own_jid, peer.bare, fingerprint, own_id, own_uri, tuple(contact), others
        )

    async def set_trust(
        self, account: AccountId, jid: Jid, device_id: int, trust: TrustLevel
    ) -> None:
        """Verify, trust blindly or distrust one device."""
        await self._encryption.set_trust(account, jid, device_id, trust)

    async def verify_uri(self, account: AccountId, uri: str) -> int:
        """Verify the devices a scanned ``xmpp:`` URI lists; how many were verified.

        Raises:
            ValueError: The URI is malformed or a fingerprint does not match.
            NotConnected: The account is offline.
        """
        return await self._encryption.verify_uri(account, uri.strip())

    async def remove_own_device(self, account: AccountId, device_id: int) -> None:
        """Drop an old device of ours from our device lists."""
        await self._encryption.remove_own_device(account, device_id)

    @staticmethod
    def grouped(fingerprint: str) -> str:
        """A fingerprint in groups of eight hex digits."""
        return group_fingerprint(fingerprint)

    # --- handlers ----------------------------------------------------------------

    def _on_encryption_changed(self, events: Sequence[EncryptionChanged]) -> None:
        conversation = self._chat.conversation
        if conversation is None:
            return
        account, peer = conversation
        shown = peer if self._chat.kind is ChatKind.GROUPCHAT_PM else peer.bare
        for event in events:
            if event.account == account and event.peer == shown:
                self._encrypted = event.encrypted
                self.changed.emit()
