"""OMEMO in GUI tests: the core's EncryptionService over memory, a window with it, devices."""

from __future__ import annotations

import time
from dataclasses import replace

from siproxylin.core.services.encryption import EncryptionService
from siproxylin.domain.events import MessageReceived
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, Encryption, OmemoDevice, TrustLevel
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.window import create_main_window
from tests.fakes import Core, account_config

from .waits import until

ME = Jid.parse("me@x.org")
BOB = Jid.parse("bob@x.org")
OWN_FP = "ab" * 32  # what FakeXmppSession.own_fingerprint() says
BOB_PHONE = OmemoDevice(BOB, 11, "11" * 32, TrustLevel.BLIND, label="Phone")
BOB_LAPTOP = OmemoDevice(BOB, 12, "c0ffee00" * 8, TrustLevel.UNDECIDED)
OWN_DEVICE = OmemoDevice(ME, 100, OWN_FP, TrustLevel.VERIFIED, label="This one")
OLD_DEVICE = OmemoDevice(ME, 200, "de" * 32, TrustLevel.BLIND, label="Old tablet")


class MemoryEncryptionState:
    """EncryptionStateRepo in memory."""

    def __init__(self) -> None:
        self.choices: dict[tuple[AccountId, Jid, ChatKind], bool] = {}

    def get(self, account: AccountId, peer: Jid, kind: ChatKind) -> bool | None:
        return self.choices.get((account, peer, kind))

    def set(self, account: AccountId, peer: Jid, kind: ChatKind, encrypted: bool) -> None:
        self.choices[(account, peer, kind)] = encrypted


def encryption_service(core: Core) -> EncryptionService:
    """The real service over the test core's bus, accounts and decisions."""
    return EncryptionService(core.bus, core.accounts, core.decisions, MemoryEncryptionState())


def encrypted_window(core: Core, encryption: EncryptionService) -> MainWindow:
    """The main window over ``core`` with OMEMO."""
    return create_main_window(replace(core.services, encryption=encryption))


async def add_account(core: Core, window: MainWindow, *, online: bool = True) -> AccountId:
    """me@x.org, online (with Bob's and our devices on the fake server) unless told not."""
    stored = await core.accounts.add_account(account_config(str(ME)), "secret")
    session = core.xmpp(stored.id)
    session.devices = {
        BOB: {d.device_id: d for d in (BOB_PHONE, BOB_LAPTOP)},
        ME: {d.device_id: d for d in (OWN_DEVICE, OLD_DEVICE)},
    }
    if online:
        session.start()
    await until(lambda: window.contacts.model.account_entry(stored.id) is not None)
    return stored.id


def receive(
    core: Core,
    account: AccountId,
    body: str,
    *,
    encryption: Encryption = Encryption.NONE,
    error: str = "",
    number: int = 1,
) -> None:
    """Bob's message arrives (decrypted by the adapter, or not)."""
    core.bus.publish(
        MessageReceived(
            account,
            sender=BOB.with_resource("phone"),
            recipient=ME,
            body=body,
            message_id=f"m{number}",
            origin_id=f"o{number}",
            stanza_id=f"s{number}",
            timestamp=time.time(),
            encryption=encryption,
            decryption_error=error,
        )
    )
