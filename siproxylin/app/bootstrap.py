"""Wires every layer together: store, secrets, XMPP factory, core services, logging.

The composition root: the only module (with ``__main__``) that imports adapters
and core alike. Nothing else builds objects of another layer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from siproxylin.app.call_media import RelayMediaFactory
from siproxylin.app.certificates import FilePins, NetworkProbe
from siproxylin.app.logs import LogFiles, LogSettings
from siproxylin.app.paths import AppPaths
from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.calls_state import CallTimeouts
from siproxylin.core.decisions import Decisions
from siproxylin.core.ports import CallMediaFactory, XmppSession
from siproxylin.core.services.blocking import BlockingService
from siproxylin.core.services.calls import CallService
from siproxylin.core.services.certificates import CertificateService
from siproxylin.core.services.chat import ChatService
from siproxylin.core.services.encryption import EncryptionService
from siproxylin.core.services.files import FileService
from siproxylin.core.services.history import HistoryService
from siproxylin.core.services.notifications import NotificationService
from siproxylin.core.services.preferences import PreferencesService
from siproxylin.core.services.profiles import ProfileService
from siproxylin.core.services.registration import RegistrationService
from siproxylin.core.services.rooms import RoomService
from siproxylin.core.services.roster import RosterService
from siproxylin.core.services.search import SearchService
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.events import AccountStateChanged
from siproxylin.domain.ids import AccountId
from siproxylin.domain.models import ConnectionState
from siproxylin.net.network import AccountNetwork
from siproxylin.store.accounts import AccountsRepo
from siproxylin.store.archive_sync import ArchiveSyncStore
from siproxylin.store.avatars import AvatarCache, AvatarStore
from siproxylin.store.calls import CallStore
from siproxylin.store.db import Database
from siproxylin.store.encryption_state import EncryptionState
from siproxylin.store.file_transfers import FileTransfers
from siproxylin.store.message_features import MessageFeatures
from siproxylin.store.messages import MessagesRepo
from siproxylin.store.omemo_keys import OmemoKeys
from siproxylin.store.read_state import ReadState
from siproxylin.store.rooms import RoomStore
from siproxylin.store.roster import RosterStore
from siproxylin.store.search import MessageSearch
from siproxylin.store.secrets import open_secret_store
from siproxylin.store.settings import Settings
from siproxylin.xmpp.client import XmppClient
from siproxylin.xmpp.registration import RegistrationChannel

log = logging.getLogger(__name__)

# slixmpp writes a queued stanza after a few turns of the loop (its send task runs
# the outgoing filters first); this is ample for the initial presence.
PRESENCE_WRITE_S = 0.01


@dataclass(slots=True)
class Application:
    """The running application without its GUI."""

    paths: AppPaths
    bus: EventBus
    decisions: Decisions
    accounts: AccountManager
    chat: ChatService
    roster: RosterService
    db: Database
    logs: LogFiles
    search: SearchService
    blocking: BlockingService
    history: HistoryService
    rooms: RoomService
    encryption: EncryptionService
    files: FileService
    preferences: PreferencesService
    certificates: CertificateService
    registration: RegistrationService
    profiles: ProfileService | None = None
    notifications: NotificationService | None = None
    calls: CallService | None = None

    async def start(self) -> None:
        """Load stored accounts and connect the enabled ones."""
        log.info("starting with data in %s (%s mode)", self.paths.data, self.paths.mode.value)
        await self.accounts.load()

    async def logins_settled(self, timeout: float) -> None:
        """Wait until no enabled account is still logging in, or ``timeout`` seconds.

        An account has settled once it is online, failed, or waiting to retry. The
        XMPP session queues its initial presence in the turn it goes online; the
        presence is given a moment to be written before this returns.
        """
        accounts = self.accounts

        def logging_in() -> bool:
            return any(
                accounts.status(config.id).state is ConnectionState.CONNECTING
                for config in accounts.accounts()
            )

        if not logging_in():
            return
        settled = asyncio.Event()

        def on_state(_event: AccountStateChanged) -> None:
            if not logging_in():
                settled.set()

        unsubscribe = self.bus.subscribe(AccountStateChanged, on_state)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(settled.wait(), timeout)
        finally:
            unsubscribe()
        await asyncio.sleep(PRESENCE_WRITE_S)

    async def stop(self) -> None:
        """Disconnect every account, then flush and close the store and logs."""
        if self.calls is not None:
            await self.calls.close()
        await self.accounts.shutdown()
        self.db.close()
        log.info("stopped")
        self.logs.close()


def build_application(
    paths: AppPaths,
    log_settings: LogSettings | None = None,
    backoff_base: float = 1.0,
    *,
    call_media: CallMediaFactory | None = None,
    call_timeouts: CallTimeouts | None = None,
    ice_timeout: float = 30.0,
) -> Application:
    """Create every object of the application for ``paths``; nothing connects yet.

    Args:
        paths: Where to keep data, config, cache and logs.
        log_settings: What to log; defaults to INFO without bodies or stanzas.
        backoff_base: First reconnect delay in seconds (tests make it short).
        call_media: Makes call media (tests: generated audio); real devices by default.
        call_timeouts: Ring and connect timeouts of calls.
        ice_timeout: Seconds call media may take to connect.

    Returns:
        The wired application; call ``start()`` inside a running event loop.
    """
    paths.create()
    logs = LogFiles(paths.logs, log_settings or LogSettings())
    db = Database(paths.database)
    bus = EventBus()
    decisions = Decisions(bus)
    secrets = open_secret_store(paths.config)
    if not secrets.secure:
        log.warning("no system keyring: account passwords are kept in %s", paths.config)

    omemo_keys = OmemoKeys(db)  # each session gets its own account's namespace of it

    def make_xmpp(config: AccountConfig, password: str, bus: EventBus) -> XmppSession:
        logs.attach_account(config.id, config.log_level)
        # ``encryption`` is built below; sessions are made only once the app runs.
        return XmppClient(config, password, bus, omemo_keys=omemo_keys, trust=encryption)

    accounts = AccountManager(
        AccountsRepo(db, secrets), secrets, make_xmpp, bus, decisions, backoff_base=backoff_base
    )
    roster = RosterService(bus, accounts, RosterStore(db), decisions)
    encryption = EncryptionService(bus, accounts, decisions, EncryptionState(db))
    chat = ChatService(
        bus,
        accounts,
        MessagesRepo(db),
        MessageFeatures(db),
        ReadState(db),
        may_see_presence=roster.shares_presence_with,
        encrypted=encryption.is_encrypted,
    )
    blocking = BlockingService(bus, accounts)
    search = SearchService(accounts, MessageSearch(db))
    history = HistoryService(bus, accounts, ArchiveSyncStore(db))
    rooms = RoomService(bus, accounts, RoomStore(db), decisions)
    files = FileService(bus, accounts, chat, FileTransfers(db), paths.data / "files")
    preferences = PreferencesService(bus, Settings(db))
    certificates = CertificateService(
        bus, accounts, decisions, FilePins(paths.config / "certs"), NetworkProbe()
    )
    profiles = ProfileService(bus, accounts, AvatarStore(db), AvatarCache(paths.cache))
    registration = RegistrationService(accounts, RegistrationChannel)
    notifications = NotificationService(
        bus, preferences, roster=roster, rooms=rooms, blocking=blocking
    )

    def network_of(account: AccountId) -> AccountNetwork | None:
        session = accounts.xmpp(account)
        return session.network if isinstance(session, XmppClient) else None

    calls = CallService(
        bus,
        accounts,
        call_media or RelayMediaFactory(network_of),
        CallStore(db),
        preferences=preferences,
        timeouts=call_timeouts,
        ice_timeout=ice_timeout,
        is_room=lambda account, jid: jid in rooms.joined_rooms(account),
    )
    return Application(
        paths=paths,
        bus=bus,
        decisions=decisions,
        accounts=accounts,
        chat=chat,
        roster=roster,
        db=db,
        logs=logs,
        search=search,
        blocking=blocking,
        history=history,
        encryption=encryption,
        rooms=rooms,
        files=files,
        preferences=preferences,
        certificates=certificates,
        profiles=profiles,
        registration=registration,
        notifications=notifications,
        calls=calls,
    )
