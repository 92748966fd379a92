"""In-memory fakes of the core's ports, and a builder of real core objects over them.

The fakes implement the Protocols in ``siproxylin.core.ports``: repos and a
secret store kept in dicts, and an XMPP session that publishes the facts a
test asks for (``start``, ``receive_message``...) and records what was sent.
``make_core`` wires the real EventBus, Decisions, AccountManager, ChatService,
RosterService and SearchService over them. Also used by ``tools/screenshot_main.py``.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.decisions import Decisions
from siproxylin.core.ports import SearchHit
from siproxylin.core.services.chat import ChatService
from siproxylin.core.services.roster import RosterService
from siproxylin.core.services.search import SearchService
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.errors import FailureReason
from siproxylin.domain.events import (
    MessageAcked,
    MessageReceived,
    PresenceReceived,
    RosterReceived,
    SessionEnded,
    SessionStarted,
    SubscriptionRequested,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    Availability,
    ChatMessage,
    DeliveryState,
    Direction,
    RosterItem,
    Subscription,
)

if TYPE_CHECKING:
    from siproxylin.gui.services import GuiServices

# --- repos and secrets -----------------------------------------------------------


class MemoryAccountRepo:
    """AccountRepo in a dict."""

    def __init__(self) -> None:
        self._accounts: dict[AccountId, AccountConfig] = {}
        self._ids = itertools.count(1)

    def list_accounts(self) -> list[AccountConfig]:
        return list(self._accounts.values())

    def add_account(self, config: AccountConfig) -> AccountConfig:
        stored = replace(config, id=AccountId(next(self._ids)))
        self._accounts[stored.id] = stored
        return stored

    def update_account(self, config: AccountConfig) -> None:
        self._accounts[config.id] = config

    def remove_account(self, account: AccountId) -> None:
        self._accounts.pop(account, None)


class MemorySecretStore:
    """SecretStore in a dict; ``secure`` is whatever the test wants."""

    def __init__(self, secure: bool = True) -> None:
        self._secure = secure
        self.passwords: dict[AccountId, str] = {}

    @property
    def secure(self) -> bool:
        return self._secure

    def get_password(self, account: AccountId) -> str | None:
        return self.passwords.get(account)

    def set_password(self, account: AccountId, password: str) -> None:
        self.passwords[account] = password

    def delete_password(self, account: AccountId) -> None:
        self.passwords.pop(account, None)


class MemoryMessageRepo:
    """MessageRepo in lists and dicts, with the same duplicate rules as the store."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._by_id: dict[int, ChatMessage] = {}
        self._conversations: dict[tuple[AccountId, Jid], list[int]] = {}
        self._stanza_ids: set[tuple[AccountId, str]] = set()
        self._origin_ids: dict[tuple[AccountId, Jid, Direction, str], int] = {}
        self._outgoing: dict[tuple[AccountId, str], int] = {}

    def add_message(self, message: ChatMessage) -> ChatMessage | None:
        account, peer = message.account, message.peer
        if message.stanza_id and (account, message.stanza_id) in self._stanza_ids:
            return None
        origin_key = (account, peer, message.direction, message.origin_id)
        if message.origin_id and origin_key in self._origin_ids:
            return None
        stored = replace(message, id=next(self._ids))
        self._by_id[stored.id] = stored
        self._conversations.setdefault((account, peer), []).append(stored.id)
        if message.stanza_id:
            self._stanza_ids.add((account, message.stanza_id))
        if message.origin_id:
            self._origin_ids[origin_key] = stored.id
        if message.direction is Direction.OUTGOING:
            self._outgoing[(account, message.origin_id)] = stored.id
        return stored

    def set_delivery_state(
        self, account: AccountId, origin_id: str, state: DeliveryState
    ) -> ChatMessage | None:
        message_id = self._outgoing.get((account, origin_id))
        if message_id is None:
            return None
        updated = replace(self._by_id[message_id], state=state)
        self._by_id[message_id] = updated
        return updated

    def unacked_outgoing(self, account: AccountId) -> list[ChatMessage]:
        waiting = (DeliveryState.PENDING, DeliveryState.SENT)
        return [
            self._by_id[i]
            for (acc, _origin), i in sorted(self._outgoing.items(), key=lambda kv: kv[1])
            if acc == account and self._by_id[i].state in waiting
        ]

    def history(
        self, account: AccountId, peer: Jid, limit: int, before_id: int = 0
    ) -> list[ChatMessage]:
        ids = self._conversations.get((account, peer), [])
        if before_id:
            ids = [i for i in ids if i < before_id]
        return [self._by_id[i] for i in ids[-limit:]]

    def conversations(self, account: AccountId) -> list[Jid]:
        return [peer for (acc, peer) in self._conversations if acc == account]

    def stored(self) -> list[ChatMessage]:
        """Every stored message, oldest first."""
        return [self._by_id[i] for i in sorted(self._by_id)]

    def conversation_ids(self, account: AccountId, peer: Jid) -> list[int]:
        """The ids of a conversation's messages, oldest first."""
        return list(self._conversations.get((account, peer), []))


class MemoryMessageSearch:
    """MessageSearch over a MemoryMessageRepo: case-insensitive word prefixes, no ranking.

    The snippet is the whole body with whitespace collapsed; every word starting
    with a searched word is a match.
    """

    def __init__(self, messages: MemoryMessageRepo) -> None:
        self._messages = messages
        self.searches: list[tuple[str, int, AccountId | None, Jid | None]] = []

    def search_hits(
        self,
        text: str,
        limit: int = 50,
        account: AccountId | None = None,
        peer: Jid | None = None,
    ) -> list[SearchHit]:
        self.searches.append((text, limit, account, peer))
        terms = [w.casefold() for w in text.split() if any(c.isalnum() for c in w)]
        if not terms:
            return []
        hits = []
        for message in reversed(self._messages.stored()):
            if account is not None and message.account != account:
                continue
            if peer is not None and message.peer != peer:
                continue
            snippet = " ".join(message.body.split())
            words = [(m.start(), m.end()) for m in re.finditer(r"\w+", snippet)]
            matches = tuple(
                (start, end)
                for start, end in words
                if any(snippet[start:end].casefold().startswith(t) for t in terms)
            )
            found = {t for t in terms for s, e in matches if snippet[s:e].casefold().startswith(t)}
            if len(found) == len(terms):
                hits.append(SearchHit(message, snippet, matches))
                if len(hits) == limit:
                    break
        return hits

    def history_around(
        self,
        account: AccountId,
        peer: Jid,
        message_id: int,
        before: int = 50,
        after: int = 50,
    ) -> list[ChatMessage]:
        ids = self._messages.conversation_ids(account, peer)
        older = [i for i in ids if i < message_id][-before:] if before else []
        newer = [i for i in ids if i >= message_id]
        newer = newer[: after + 1] if newer and newer[0] == message_id else newer[:after]
        by_id = {m.id: m for m in self._messages.stored()}
        return [by_id[i] for i in older + newer]


class MemoryRosterRepo:
    """RosterRepo in dicts."""

    def __init__(self) -> None:
        self._rosters: dict[AccountId, dict[Jid, RosterItem]] = {}

    def roster(self, account: AccountId) -> list[RosterItem]:
        return list(self._rosters.get(account, {}).values())

    def replace_roster(self, account: AccountId, items: Sequence[RosterItem]) -> None:
        self._rosters[account] = {item.jid: item for item in items}

    def upsert_roster(self, account: AccountId, items: Sequence[RosterItem]) -> None:
        roster = self._rosters.setdefault(account, {})
        for item in items:
            roster[item.jid] = item

    def remove_roster(self, account: AccountId, jids: Sequence[Jid]) -> None:
        roster = self._rosters.get(account, {})
        for jid in jids:
            roster.pop(jid, None)


# --- XMPP -----------------------------------------------------------------------


@dataclass
class SentChat:
    """One ``send_chat`` call."""

    to: Jid
    body: str
    origin_id: str


class FakeXmppSession:
    """XmppSession that publishes what the test tells it to and records commands."""

    def __init__(
        self, config: AccountConfig, password: str, bus: EventBus, auto_start: bool
    ) -> None:
        self.config = config
        self.password = password
        self.bus = bus
        self.auto_start = auto_start
        self.connects = 0
        self.disconnects = 0
        self.sent: list[SentChat] = []
        self.added: list[tuple[Jid, str]] = []
        self.removed: list[Jid] = []
        self.answers: list[tuple[Jid, bool]] = []
        self.presences: list[tuple[Availability, str]] = []
        self._online = False
        self._stanza_ids = itertools.count(1)

    # --- the port ----------------------------------------------------------------

    @property
    def online(self) -> bool:
        return self._online

    async def connect(self) -> None:
        self.connects += 1
        if self.auto_start:
            self.start()

    async def disconnect(self) -> None:
        self.disconnects += 1
        self._online = False

    def send_chat(self, to: Jid, body: str, origin_id: str) -> None:
        self.sent.append(SentChat(to, body, origin_id))

    def add_contact(self, jid: Jid, name: str) -> None:
        self.added.append((jid, name))

    def remove_contact(self, jid: Jid) -> None:
        self.removed.append(jid)

    def answer_subscription(self, jid: Jid, allow: bool) -> None:
        self.answers.append((jid, allow))

    def set_presence(self, availability: Availability, status: str) -> None:
        self.presences.append((availability, status))

    # --- what the server "does" --------------------------------------------------

    @property
    def account(self) -> AccountId:
        return self.config.id

    def start(self, resumed: bool = False) -> None:
        self._online = True
        bound = self.config.jid.with_resource(self.config.resource or "fake")
        self.bus.publish(SessionStarted(self.account, bound, resumed))

    def end(self, reason: FailureReason = FailureReason.NETWORK, detail: str = "") -> None:
        self._online = False
        self.bus.publish(SessionEnded(self.account, reason, detail))

    def receive_roster(self, *items: RosterItem, complete: bool = True) -> None:
        self.bus.publish(RosterReceived(self.account, tuple(items), complete))

    def receive_presence(self, sender: str, availability: Availability, status: str = "") -> None:
        self.bus.publish(PresenceReceived(self.account, Jid.parse(sender), availability, status))

    def receive_message(
        self,
        sender: str,
        body: str,
        timestamp: float | None = None,
        *,
        origin_id: str | None = None,
        stanza_id: str | None = None,
        outgoing: bool = False,
        recipient: str | None = None,
    ) -> MessageReceived:
        """Publish a received message (``outgoing`` for a sent carbon)."""
        number = next(self._stanza_ids)
        event = MessageReceived(
            self.account,
            sender=Jid.parse(sender),
            recipient=Jid.parse(recipient) if recipient else self.config.jid,
            body=body,
            message_id=f"m{number}",
            origin_id=f"origin-{number}" if origin_id is None else origin_id,
            stanza_id=f"stanza-{self.account}-{number}" if stanza_id is None else stanza_id,
            timestamp=time.time() if timestamp is None else timestamp,
            outgoing=outgoing,
        )
        self.bus.publish(event)
        return event

    def ack(self, origin_id: str) -> None:
        self.bus.publish(MessageAcked(self.account, origin_id))

    def request_subscription(self, sender: str) -> None:
        self.bus.publish(SubscriptionRequested(self.account, Jid.parse(sender)))


@dataclass
class FakeXmppFactory:
    """XmppSessionFactory that keeps the latest session of each account."""

    auto_start: bool = False
    sessions: dict[AccountId, FakeXmppSession] = field(default_factory=dict)

    def __call__(self, config: AccountConfig, password: str, bus: EventBus) -> FakeXmppSession:
        session = FakeXmppSession(config, password, bus, self.auto_start)
        self.sessions[config.id] = session
        return session


# --- the core, assembled --------------------------------------------------------


@dataclass
class Core:
    """Real core objects over the fakes, plus handles on the fakes."""

    bus: EventBus
    decisions: Decisions
    accounts: AccountManager
    chat: ChatService
    roster: RosterService
    factory: FakeXmppFactory
    account_repo: MemoryAccountRepo
    secrets: MemorySecretStore
    messages: MemoryMessageRepo
    rosters: MemoryRosterRepo
    search: SearchService
    search_repo: MemoryMessageSearch

    @property
    def services(self) -> GuiServices:
        from siproxylin.gui.services import GuiServices  # Qt only for GUI tests

        return GuiServices(
            self.bus, self.accounts, self.chat, self.roster, self.decisions, self.search
        )

    def xmpp(self, account: AccountId) -> FakeXmppSession:
        return self.factory.sessions[account]


def make_core(secure: bool = True, auto_start: bool = False) -> Core:
    """Build the core over fresh fakes."""
    bus = EventBus()
    decisions = Decisions(bus)
    account_repo = MemoryAccountRepo()
    secrets = MemorySecretStore(secure)
    factory = FakeXmppFactory(auto_start)
    accounts = AccountManager(account_repo, secrets, factory, bus, decisions, 5.0)
    messages = MemoryMessageRepo()
    rosters = MemoryRosterRepo()
    chat = ChatService(bus, accounts, messages)
    roster = RosterService(bus, accounts, rosters, decisions)
    search_repo = MemoryMessageSearch(messages)
    search = SearchService(accounts, search_repo)
    return Core(
        bus,
        decisions,
        accounts,
        chat,
        roster,
        factory,
        account_repo,
        secrets,
        messages,
        rosters,
        search,
        search_repo,
    )


def roster_item(jid: str, name: str = "") -> RosterItem:
    """A contact we share presence with both ways."""
    return RosterItem(Jid.parse(jid), name, Subscription.BOTH)


def account_config(jid: str) -> AccountConfig:
    """A new account's settings (id assigned by the repo)."""
    return AccountConfig(AccountId(0), Jid.parse(jid))
