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
from typing import TYPE_CHECKING, Any

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.decisions import Decisions
from siproxylin.core.ports import ArchivePage, ArchiveQueryError, SearchHit
from siproxylin.core.services.blocking import BlockingService
from siproxylin.core.services.chat import ChatService
from siproxylin.core.services.rooms import RoomService
from siproxylin.core.services.roster import RosterService
from siproxylin.core.services.search import SearchService
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.errors import FailureReason, RoomOperationFailed
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
    Affiliation,
    Availability,
    Bookmark,
    ChatKind,
    ChatMessage,
    ChatState,
    DeliveryState,
    Direction,
    MembershipOutcome,
    OmemoDevice,
    OutgoingMessage,
    Reaction,
    Role,
    RoomConfig,
    RoomInfo,
    RoomSettings,
    RosterItem,
    Subscription,
    TrustLevel,
)
from tests.call_fakes import FakeCallSignalling
from tests.profile_fakes import FakeProfiles

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


class MemoryMessageFeatures:
    """MessageFeatureRepo over a MemoryMessageRepo's messages."""

    def __init__(self, messages: MemoryMessageRepo) -> None:
        self._messages = messages
        self._reactions: dict[int, dict[str, tuple[str, bool, tuple[str, ...]]]] = {}
        self.edits: dict[int, list[str]] = {}

    def _all(self, account: AccountId, peer: Jid) -> list[ChatMessage]:
        repo = self._messages
        return [repo._by_id[i] for i in repo.conversation_ids(account, peer)]

    def find_target(
        self, account: AccountId, peer: Jid, kind: ChatKind, target_id: str
    ) -> ChatMessage | None:
        if not target_id:
            return None
        for message in reversed(self._all(account, peer)):
            ids = (message.stanza_id,) if kind is ChatKind.GROUPCHAT else ()
            ids += (message.message_id or message.origin_id, message.origin_id)
            if target_id in ids:
                return self._decorate(message)
        return None

    def get(self, message_id: int) -> ChatMessage | None:
        found = self._messages._by_id.get(message_id)
        return None if found is None else self._decorate(found)

    def last_own(self, account: AccountId, peer: Jid) -> ChatMessage | None:
        own = [m for m in self._all(account, peer) if m.direction is Direction.OUTGOING]
        return own[-1] if own else None

    def with_reactions(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        return [self._decorate(m) for m in messages]

    def _put(self, message: ChatMessage) -> ChatMessage:
        self._messages._by_id[message.id] = message
        return self._decorate(message)

    def correct(self, message_id: int, body: str, timestamp: float) -> ChatMessage | None:
        found = self._messages._by_id.get(message_id)
        if found is None or found.retracted:
            return None
        self.edits.setdefault(message_id, []).append(found.body)
        return self._put(replace(found, body=body, edited=True))

    def retract(self, message_id: int, moderated_by: str = "") -> ChatMessage | None:
        found = self._messages._by_id.get(message_id)
        if found is None:
            return None
        self._reactions.pop(message_id, None)
        self.edits.pop(message_id, None)
        return self._put(replace(found, body="", retracted=True, retracted_by=moderated_by))

    def set_reactions(
        self,
        message_id: int,
        sender: str,
        name: str,
        own: bool,
        emojis: tuple[str, ...],
        timestamp: float,
    ) -> ChatMessage | None:
        reactions = self._reactions.setdefault(message_id, {})
        if emojis:
            reactions[sender] = (name, own, emojis)
        else:
            reactions.pop(sender, None)
        return self.get(message_id)

    def own_reactions(self, message_id: int) -> tuple[str, ...]:
        for _name, own, emojis in self._reactions.get(message_id, {}).values():
            if own:
                return emojis
        return ()

    def mark_delivered(self, message: ChatMessage) -> ChatMessage | None:
        found = self._messages._by_id[message.id]
        if found.state in (DeliveryState.DELIVERED, DeliveryState.DISPLAYED):
            return None
        return self._put(replace(found, state=DeliveryState.DELIVERED))

    def mark_displayed(self, up_to: ChatMessage) -> list[ChatMessage]:
        changed = []
        peer = up_to.peer if up_to.kind is ChatKind.GROUPCHAT_PM else up_to.peer.bare
        for message in self._all(up_to.account, peer):
            if (message.timestamp, message.id) > (up_to.timestamp, up_to.id):
                continue
            if message.direction is Direction.OUTGOING and message.state in (
                DeliveryState.SENT,
                DeliveryState.ACKED,
                DeliveryState.DELIVERED,
            ):
                changed.append(self._put(replace(message, state=DeliveryState.DISPLAYED)))
        return changed

    def newest(
        self, account: AccountId, peer: Jid, direction: Direction | None = None
    ) -> ChatMessage | None:
        found = [
            m for m in self._all(account, peer) if direction is None or m.direction is direction
        ]
        return max(found, key=lambda m: (m.timestamp, m.id)) if found else None

    def _decorate(self, message: ChatMessage) -> ChatMessage:
        by_emoji: dict[str, list[str]] = {}
        own: set[str] = set()
        for name, is_own, emojis in self._reactions.get(message.id, {}).values():
            for emoji in emojis:
                by_emoji.setdefault(emoji, []).append(name)
                if is_own:
                    own.add(emoji)
        reactions = tuple(Reaction(e, tuple(n), e in own) for e, n in by_emoji.items())
        return replace(message, reactions=reactions)


class MemoryReadState:
    """ReadStateRepo over a MemoryMessageRepo's messages."""

    def __init__(self, messages: MemoryMessageRepo) -> None:
        self._messages = messages
        self._read: dict[tuple[AccountId, Jid], tuple[float, int]] = {}

    def mark_read(self, message: ChatMessage) -> bool:
        peer = message.peer if message.kind is ChatKind.GROUPCHAT_PM else message.peer.bare
        key = (message.account, peer)
        position = (message.timestamp, message.id)
        if self._read.get(key, (0.0, 0)) >= position:
            return False
        self._read[key] = position
        return True

    def unread_count(self, account: AccountId, peer: Jid) -> int:
        position = self._read.get((account, peer), (0.0, 0))
        repo = self._messages
        return sum(
            1
            for i in repo.conversation_ids(account, peer)
            if repo._by_id[i].direction is Direction.INCOMING
            and not repo._by_id[i].retracted
            and (repo._by_id[i].timestamp, i) > position
        )

    def unread_counts(self, account: AccountId) -> dict[Jid, int]:
        counts = {}
        for peer in self._messages.conversations(account):
            count = self.unread_count(account, peer)
            if count:
                counts[peer] = count
        return counts


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


class MemoryRoomRepo:
    """RoomRepo in dicts."""

    def __init__(self) -> None:
        self._rooms: dict[AccountId, dict[Jid, RoomSettings]] = {}
        self._converted: set[AccountId] = set()

    def rooms(self, account: AccountId) -> list[RoomSettings]:
        stored = self._rooms.get(account, {})
        return [stored[room] for room in sorted(stored, key=str)]

    def save_room(self, account: AccountId, room: RoomSettings) -> None:
        self._rooms.setdefault(account, {})[room.room.bare] = replace(room, room=room.room.bare)

    def remove_room(self, account: AccountId, room: Jid) -> None:
        self._rooms.get(account, {}).pop(room.bare, None)

    def set_subject(self, account: AccountId, room: Jid, subject: str) -> None:
        stored = self._rooms.get(account, {})
        if room.bare in stored:
            stored[room.bare] = replace(stored[room.bare], subject=subject)

    def legacy_bookmarks_converted(self, account: AccountId) -> bool:
        return account in self._converted

    def set_legacy_bookmarks_converted(self, account: AccountId) -> None:
        self._converted.add(account)


class FakeRoomCommands:
    """The group chat part of XmppSession: records commands in ``room_calls``.

    ``server_bookmarks`` / ``server_legacy_bookmarks`` play the server's XEP-0402 and
    XEP-0048 storage; ``room_infos`` answers ``room_info``; ``refusal`` makes the
    next async room command raise it; ``membership`` answers ``request_membership``.
    """

    @property
    def room_calls(self) -> list[tuple[object, ...]]:
        calls: list[tuple[object, ...]] = self.__dict__.setdefault("_room_calls", [])
        return calls

    @property
    def server_bookmarks(self) -> dict[Jid, Bookmark]:
        found: dict[Jid, Bookmark] = self.__dict__.setdefault("_server_bookmarks", {})
        return found

    @property
    def server_legacy_bookmarks(self) -> list[Bookmark]:
        found: list[Bookmark] = self.__dict__.setdefault("_server_legacy", [])
        return found

    @property
    def room_infos(self) -> dict[Jid, RoomInfo]:
        found: dict[Jid, RoomInfo] = self.__dict__.setdefault("_room_infos", {})
        return found

    refusal: RoomOperationFailed | None = None
    membership: MembershipOutcome = MembershipOutcome.PENDING

    def _refuse(self) -> None:
        refusal, self.refusal = self.refusal, None
        if refusal is not None:
            raise refusal

    def calls_named(self, name: str) -> list[tuple[object, ...]]:
        """The recorded room commands called ``name`` (without the name)."""
        return [call[1:] for call in self.room_calls if call[0] == name]

    async def room_info(self, room: Jid) -> RoomInfo:
        self.room_calls.append(("room_info", room))
        self._refuse()
        return self.room_infos.get(room, RoomInfo(room, exists=False))

    async def join_room(
        self, room: Jid, nick: str, password: str = "", config: RoomConfig | None = None
    ) -> None:
        self.room_calls.append(("join_room", room, nick, password, config))

    def leave_room(self, room: Jid, status: str = "") -> None:
        self.room_calls.append(("leave_room", room))

    def change_nick(self, room: Jid, nick: str) -> None:
        self.room_calls.append(("change_nick", room, nick))

    def set_subject(self, room: Jid, subject: str) -> None:
        self.room_calls.append(("set_subject", room, subject))

    def invite(self, room: Jid, invitee: Jid, reason: str = "", direct: bool = True) -> None:
        self.room_calls.append(("invite", room, invitee, reason, direct))

    def decline_invitation(self, room: Jid, inviter: Jid, reason: str = "") -> None:
        self.room_calls.append(("decline_invitation", room, inviter))

    async def set_role(self, room: Jid, nick: str, role: Role, reason: str = "") -> None:
        self.room_calls.append(("set_role", room, nick, role, reason))
        self._refuse()

    async def set_affiliation(
        self, room: Jid, jid: Jid, affiliation: Affiliation, reason: str = ""
    ) -> None:
        self.room_calls.append(("set_affiliation", room, jid, affiliation, reason))
        self._refuse()

    async def configure_room(self, room: Jid, config: RoomConfig | None) -> None:
        self.room_calls.append(("configure_room", room, config))
        self._refuse()

    async def request_membership(self, room: Jid, nick: str) -> MembershipOutcome:
        self.room_calls.append(("request_membership", room, nick))
        self._refuse()
        return self.membership

    async def moderate(self, room: Jid, stanza_id: str, reason: str = "") -> None:
        self.room_calls.append(("moderate", room, stanza_id, reason))
        self._refuse()

    async def bookmarks(self) -> list[Bookmark]:
        return list(self.server_bookmarks.values())

    async def legacy_bookmarks(self) -> list[Bookmark]:
        return list(self.server_legacy_bookmarks)

    async def publish_bookmark(self, bookmark: Bookmark) -> None:
        self.room_calls.append(("publish_bookmark", bookmark))
        self.server_bookmarks[bookmark.room] = bookmark

    async def retract_bookmark(self, room: Jid) -> None:
        self.room_calls.append(("retract_bookmark", room))
        self.server_bookmarks.pop(room, None)


# --- XMPP -----------------------------------------------------------------------


@dataclass
class SentChat:
    """One ``send_message`` call."""

    to: Jid
    body: str
    origin_id: str
    message: OutgoingMessage | None = None


class FakeXmppSession(FakeRoomCommands, FakeCallSignalling):
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
        self.commands: list[tuple[object, ...]] = []
        # OMEMO devices the "server" knows: bare address -> device id -> device.
        self.devices: dict[Jid, dict[int, OmemoDevice]] = {}
        self.added: list[tuple[Jid, str]] = []
        self.removed: list[Jid] = []
        self.answers: list[tuple[Jid, bool]] = []
        self.presences: list[tuple[Availability, str]] = []
        self._online = False
        self._stanza_ids = itertools.count(1)
        self.archive: Any = None  # has ``async query(...)`` like ``query_archive``
        self.profiles = FakeProfiles()  # avatars, nicknames, vCards
        self._calls_init()  # call messages, Jingle requests, TURN servers (tests.call_fakes)

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

    def send_message(self, message: OutgoingMessage) -> None:
        self.sent.append(SentChat(message.to, message.body, message.origin_id, message))

    def send_reactions(
        self, to: Jid, kind: ChatKind, target_id: str, emojis: tuple[str, ...]
    ) -> None:
        self.commands.append(("reactions", to, kind, target_id, emojis))

    def send_retraction(self, to: Jid, kind: ChatKind, target_id: str, origin_id: str) -> None:
        self.commands.append(("retraction", to, kind, target_id))

    def send_marker(self, to: Jid, kind: ChatKind, target_id: str, thread: str = "") -> None:
        self.commands.append(("marker", to, kind, target_id))

    def send_receipt(self, to: Jid, message_id: str) -> None:
        self.commands.append(("receipt", to, message_id))

    def publish_displayed(self, peer: Jid, stanza_id: str, by: Jid) -> None:
        self.commands.append(("displayed", peer, stanza_id, by))

    async def omemo_devices(self, jid: Jid) -> list[OmemoDevice]:
        return list(self.devices.get(jid.bare, {}).values())

    async def set_device_trust(self, jid: Jid, device_id: int, trust: TrustLevel) -> None:
        device = self.devices[jid.bare][device_id]
        self.devices[jid.bare][device_id] = replace(device, trust=trust)

    async def remove_own_device(self, device_id: int) -> None:
        self.devices.get(self.config.jid.bare, {}).pop(device_id, None)

    def own_fingerprint(self) -> str:
        return "ab" * 32

    async def can_encrypt(self, jid: Jid) -> bool:
        return bool(self.devices.get(jid.bare))

    async def change_password(self, password: str) -> None:
        self.commands.append(("change_password", password))

    async def remove_from_server(self) -> None:
        self.commands.append(("remove_from_server",))

    def send_chat_state(self, to: Jid, kind: ChatKind, state: ChatState) -> None:
        self.commands.append(("chat_state", to, kind, state))

    def set_blocked(self, jids: tuple[Jid, ...], blocked: bool) -> None:
        self.commands.append(("blocked", jids, blocked))

    def add_contact(self, jid: Jid, name: str) -> None:
        self.added.append((jid, name))

    def remove_contact(self, jid: Jid) -> None:
        self.removed.append(jid)

    def answer_subscription(self, jid: Jid, allow: bool) -> None:
        self.answers.append((jid, allow))

    def set_presence(self, availability: Availability, status: str) -> None:
        self.presences.append((availability, status))

    async def query_archive(
        self,
        archive: Jid | None = None,
        *,
        with_jid: Jid | None = None,
        start: float | None = None,
        after: str | None = None,
        before: str | None = None,
        max_items: int = 50,
    ) -> ArchivePage:
        """Ask ``self.archive`` (the test's stand-in for the server's archives)."""
        if self.archive is None:
            raise ArchiveQueryError("service-unavailable")
        page: ArchivePage = await self.archive.query(
            archive, with_jid=with_jid, start=start, after=after, before=before, max_items=max_items
        )
        return page

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
    rooms: RoomService
    room_repo: MemoryRoomRepo
    blocking: BlockingService

    @property
    def services(self) -> GuiServices:
        from siproxylin.gui.services import GuiServices  # Qt only for GUI tests

        return GuiServices(
            self.bus,
            self.accounts,
            self.chat,
            self.roster,
            self.decisions,
            self.search,
            blocking=self.blocking,
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
    roster = RosterService(bus, accounts, rosters, decisions)
    chat = ChatService(
        bus,
        accounts,
        messages,
        MemoryMessageFeatures(messages),
        MemoryReadState(messages),
        may_see_presence=roster.shares_presence_with,
    )
    search_repo = MemoryMessageSearch(messages)
    search = SearchService(accounts, search_repo)
    room_repo = MemoryRoomRepo()
    rooms = RoomService(bus, accounts, room_repo, decisions)
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
        rooms,
        room_repo,
        BlockingService(bus, accounts),
    )


def roster_item(jid: str, name: str = "") -> RosterItem:
    """A contact we share presence with both ways."""
    return RosterItem(Jid.parse(jid), name, Subscription.BOTH)


def account_config(jid: str) -> AccountConfig:
    """A new account's settings (id assigned by the repo)."""
    return AccountConfig(AccountId(0), Jid.parse(jid))
