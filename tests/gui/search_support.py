"""The core over the real SQLite store (search included) with a fake XMPP session.

For the search GUI tests and ``tests/gui/screenshot_search.py``: messages go
through the real ``MessagesRepo`` and FTS5 index, so hits, snippets and the
history around a hit are what the application shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.decisions import Decisions
from siproxylin.core.services.chat import ChatService
from siproxylin.core.services.roster import RosterService
from siproxylin.core.services.search import SearchService
from siproxylin.domain.ids import AccountId
from siproxylin.store.accounts import AccountsRepo
from siproxylin.store.db import Database
from siproxylin.store.message_features import MessageFeatures
from siproxylin.store.messages import MessagesRepo
from siproxylin.store.read_state import ReadState
from siproxylin.store.roster import RosterStore
from siproxylin.store.search import MessageSearch
from siproxylin.store.secrets import MemorySecretStore as StoreSecrets
from tests.fakes import FakeXmppFactory, FakeXmppSession, MemorySecretStore

if TYPE_CHECKING:
    from siproxylin.gui.services import GuiServices


@dataclass
class StoreCore:
    """Real core services over a real database; fake XMPP sessions."""

    db: Database
    bus: EventBus
    decisions: Decisions
    accounts: AccountManager
    chat: ChatService
    roster: RosterService
    search: SearchService
    factory: FakeXmppFactory

    @property
    def services(self) -> GuiServices:
        from siproxylin.gui.services import GuiServices

        return GuiServices(
            self.bus, self.accounts, self.chat, self.roster, self.decisions, self.search
        )

    def xmpp(self, account: AccountId) -> FakeXmppSession:
        return self.factory.sessions[account]


def make_store_core(path: Path) -> StoreCore:
    """Open a database at ``path`` and build the core over it."""
    db = Database(path)
    bus = EventBus()
    decisions = Decisions(bus)
    factory = FakeXmppFactory()
    accounts = AccountManager(
        AccountsRepo(db, StoreSecrets()), MemorySecretStore(), factory, bus, decisions, 5.0
    )
    chat = ChatService(bus, accounts, MessagesRepo(db), MessageFeatures(db), ReadState(db))
    roster = RosterService(bus, accounts, RosterStore(db), decisions)
    search = SearchService(accounts, MessageSearch(db))
    return StoreCore(db, bus, decisions, accounts, chat, roster, search, factory)
