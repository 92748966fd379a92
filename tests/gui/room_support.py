"""Group chat scenes for the GUI tests and ``tests/gui/screenshot_rooms.py``.

``make_room_core`` builds the real core (chat, rooms, history) over the real
SQLite store with fake XMPP sessions, so messages are kept in time order and
archive pages fetched back sort before newer ones, as in the application. The
helpers publish what the XMPP adapter would: a room accepting our join with its
occupant list, subjects, room messages, refusals.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.decisions import Decisions
from siproxylin.core.services.chat import ChatService
from siproxylin.core.services.history import HistoryService
from siproxylin.core.services.rooms import RoomService
from siproxylin.core.services.roster import RosterService
from siproxylin.core.services.search import SearchService
from siproxylin.domain.errors import RoomError
from siproxylin.domain.events import (
    MessageReceived,
    OccupantsReceived,
    RoomJoined,
    RoomJoinFailed,
    RoomSubjectReceived,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    Affiliation,
    Availability,
    ChatKind,
    Occupant,
    OccupantChange,
    Role,
)
from siproxylin.store.accounts import AccountsRepo
from siproxylin.store.archive_sync import ArchiveSyncStore
from siproxylin.store.db import Database
from siproxylin.store.message_features import MessageFeatures
from siproxylin.store.messages import MessagesRepo
from siproxylin.store.read_state import ReadState
from siproxylin.store.rooms import RoomStore
from siproxylin.store.roster import RosterStore
from siproxylin.store.search import MessageSearch
from siproxylin.store.secrets import MemorySecretStore as StoreSecrets
from tests.fakes import FakeXmppFactory, FakeXmppSession, MemorySecretStore, account_config

if TYPE_CHECKING:
    from siproxylin.gui.services import GuiServices


@dataclass
class RoomCore:
    """Real core services over a real database; fake XMPP sessions."""

    db: Database
    bus: EventBus
    decisions: Decisions
    accounts: AccountManager
    chat: ChatService
    roster: RosterService
    search: SearchService
    rooms: RoomService
    history: HistoryService
    factory: FakeXmppFactory

    @property
    def services(self) -> GuiServices:
        from siproxylin.gui.services import GuiServices

        return GuiServices(
            self.bus,
            self.accounts,
            self.chat,
            self.roster,
            self.decisions,
            self.search,
            rooms=self.rooms,
            history=self.history,
        )

    def xmpp(self, account: AccountId) -> FakeXmppSession:
        return self.factory.sessions[account]


def make_room_core(path: Path, page_size: int = 50) -> RoomCore:
    """Open a database at ``path`` and build the core over it."""
    db = Database(path)
    bus = EventBus()
    decisions = Decisions(bus)
    factory = FakeXmppFactory()
    accounts = AccountManager(
        AccountsRepo(db, StoreSecrets()), MemorySecretStore(), factory, bus, decisions, 5.0
    )
    roster = RosterService(bus, accounts, RosterStore(db), decisions)
    chat = ChatService(
        bus,
        accounts,
        MessagesRepo(db),
        MessageFeatures(db),
        ReadState(db),
        may_see_presence=roster.shares_presence_with,
    )
    search = SearchService(accounts, MessageSearch(db))
    rooms = RoomService(bus, accounts, RoomStore(db), decisions)
    history = HistoryService(bus, accounts, ArchiveSyncStore(db), page_size=page_size)
    return RoomCore(db, bus, decisions, accounts, chat, roster, search, rooms, history, factory)


async def settle(turns: int = 5) -> None:
    """Let the loop run a few turns."""
    for _ in range(turns):
        await asyncio.sleep(0)


async def online(core: RoomCore, jid: str = "me@x.org") -> AccountId:
    """Add an account and bring it online."""
    stored = await core.accounts.add_account(account_config(jid), "pw")
    core.xmpp(stored.id).start()
    await settle()
    return stored.id


def occupant(
    nick: str,
    role: Role = Role.PARTICIPANT,
    affiliation: Affiliation = Affiliation.NONE,
    *,
    own: bool = False,
    jid: str = "",
    availability: Availability = Availability.ONLINE,
) -> Occupant:
    """An occupant as a presence shows them."""
    real = Jid.parse(jid) if jid else None
    return Occupant(nick, role, affiliation, real, availability=availability, own=own)


async def enter(
    core: RoomCore,
    account: AccountId,
    room: Jid,
    own: Occupant,
    others: list[Occupant],
    subject: str = "",
    remember: bool = True,
) -> None:
    """Join ``room`` and let it accept us: occupants (ours last), joined, subject."""
    await core.rooms.join(account, room, own.nick, remember=remember)
    xmpp = core.xmpp(account)
    changes = tuple(OccupantChange(o.nick, o) for o in [*others, own])
    xmpp.bus.publish(OccupantsReceived(account, room, changes, complete=True))
    xmpp.bus.publish(RoomJoined(account, room, own.nick))
    if subject:
        xmpp.bus.publish(RoomSubjectReceived(account, room, subject, others[0].nick))


def refuse(core: RoomCore, account: AccountId, room: Jid, nick: str, reason: RoomError) -> None:
    """The room refuses our join."""
    core.bus.publish(RoomJoinFailed(account, room, nick, reason))


def arrive(core: RoomCore, account: AccountId, room: Jid, *occupants: Occupant) -> None:
    """Occupants come in (one live batch)."""
    changes = tuple(OccupantChange(o.nick, o) for o in occupants)
    core.bus.publish(OccupantsReceived(account, room, changes))


def leave(core: RoomCore, account: AccountId, room: Jid, *nicks: str) -> None:
    """Occupants leave (one live batch)."""
    changes = tuple(OccupantChange(nick, None) for nick in nicks)
    core.bus.publish(OccupantsReceived(account, room, changes))


_numbers = iter(range(1, 10**9))


def say(
    core: RoomCore,
    account: AccountId,
    room: Jid,
    nick: str,
    body: str,
    timestamp: float | None = None,
    own_jid: str = "me@x.org",
) -> MessageReceived:
    """A room message from ``nick`` (stamped by the room with a stanza-id)."""
    number = next(_numbers)
    event = MessageReceived(
        account,
        sender=room.with_resource(nick),
        recipient=Jid.parse(own_jid),
        body=body,
        message_id=f"rm{number}",
        origin_id=f"ro{number}",
        stanza_id=f"room-stanza-{number}",
        timestamp=time.time() if timestamp is None else timestamp,
        kind=ChatKind.GROUPCHAT,
    )
    core.bus.publish(event)
    return event
