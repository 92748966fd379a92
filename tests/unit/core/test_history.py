"""HistoryService over fakes: catch-up, first sync, failures, lost sync points, rooms, paging."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field

import pytest

from siproxylin.core.ports import (
    ArchivePage,
    ArchiveQueryError,
    ArchiveRange,
    ArchiveSyncState,
)
from siproxylin.core.services.history import HistoryService
from siproxylin.domain.errors import FailureReason, NotConnected
from siproxylin.domain.events import (
    HistorySyncStateChanged,
    MessageReceived,
    RoomJoined,
    SessionEnded,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, ChatMessage
from tests.fakes import Core, FakeXmppSession, MemoryMessageRepo, account_config, make_core

ME = "me@example.org"
ALICE = Jid.parse("alice@example.net")
BOB = Jid.parse("bob@example.net")
ROOM = Jid.parse("room@muc.example.org")
T0 = 1_700_000_000.0


# --- a server's archives, in memory -----------------------------------------------


@dataclass
class Item:
    archive_id: str
    time: float
    peer: Jid
    body: str


@dataclass
class Query:
    archive: Jid | None
    with_jid: Jid | None
    start: float | None
    after: str | None
    before: str | None
    max_items: int


@dataclass
class FakeArchive:
    """Archives by address (None = the account's own), answering like XEP-0313 + RSM."""

    account: AccountId
    own: Jid
    items: dict[Jid | None, list[Item]] = field(default_factory=dict)
    queries: list[Query] = field(default_factory=list)
    fail_on: dict[int, str] = field(default_factory=dict)  # query number -> error condition
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, peer: Jid, body: str, archive: Jid | None = None, time: float = 0.0) -> Item:
        n = next(self.ids)
        item = Item(f"A{n:05d}", time or T0 + n, peer, body)
        self.items.setdefault(archive, []).append(item)
        return item

    async def query(
        self,
        archive: Jid | None,
        *,
        with_jid: Jid | None,
        start: float | None,
        after: str | None,
        before: str | None,
        max_items: int,
    ) -> ArchivePage:
        self.queries.append(Query(archive, with_jid, start, after, before, max_items))
        await asyncio.sleep(0)
        failure = self.fail_on.get(len(self.queries))
        if failure:
            raise ArchiveQueryError(failure)
        items = [
            i
            for i in self.items.get(archive, [])
            if (with_jid is None or i.peer == with_jid) and (start is None or i.time >= start)
        ]
        ids = [i.archive_id for i in items]
        if after:
            if after not in ids:
                raise ArchiveQueryError("item-not-found")
            items = items[ids.index(after) + 1 :]
        if before is not None:
            if before:
                if before not in ids:
                    raise ArchiveQueryError("item-not-found")
                items = items[: ids.index(before)]
            page, complete = items[-max_items:], len(items) <= max_items
        else:
            page, complete = items[:max_items], len(items) <= max_items
        events = tuple(self._event(i, archive) for i in page)
        if not page:
            return ArchivePage(events, complete=complete)
        return ArchivePage(
            events,
            page[0].archive_id,
            page[-1].archive_id,
            complete,
            page[0].time,
            page[-1].time,
        )

    def _event(self, item: Item, archive: Jid | None) -> MessageReceived:
        room = archive is not None
        return MessageReceived(
            self.account,
            sender=item.peer.with_resource("nick") if room else item.peer.with_resource("r"),
            recipient=self.own,
            body=item.body,
            message_id=f"m-{item.archive_id}",
            origin_id=f"o-{item.archive_id}",
            stanza_id=item.archive_id,
            timestamp=item.time,
            delayed=True,
            kind=ChatKind.GROUPCHAT if room else ChatKind.CHAT,
            archived=True,
        )


class MemoryArchiveSyncRepo:
    """ArchiveSyncRepo in dicts; the oldest archive id comes from the message fake."""

    def __init__(self, messages: MemoryMessageRepo) -> None:
        self._messages = messages
        self.states: dict[tuple[AccountId, Jid, Jid | None], ArchiveSyncState] = {}
        self.range_lists: dict[tuple[AccountId, Jid, Jid | None], list[ArchiveRange]] = {}

    def sync_state(
        self, account: AccountId, archive: Jid, with_jid: Jid | None = None
    ) -> ArchiveSyncState:
        return self.states.get((account, archive, with_jid), ArchiveSyncState())

    def ranges(
        self, account: AccountId, archive: Jid, with_jid: Jid | None = None
    ) -> list[ArchiveRange]:
        return sorted(
            self.range_lists.get((account, archive, with_jid), []), key=lambda r: r.first_time
        )

    def record_forward(
        self, account: AccountId, archive: Jid, after: str, page: ArchivePage
    ) -> None:
        if not page.last:
            return
        key = (account, archive, None)
        ranges = self.range_lists.setdefault(key, [])
        for n, known in enumerate(ranges):
            if after and known.last_id == after:
                ranges[n] = ArchiveRange(
                    known.first_id, known.first_time, page.last, page.last_time
                )
                break
        else:
            ranges.append(ArchiveRange(page.first, page.first_time, page.last, page.last_time))
        state = self.sync_state(account, archive)
        self.states[key] = ArchiveSyncState(page.last, page.last_time, state.complete_to_start)

    def record_backward(
        self,
        account: AccountId,
        archive: Jid,
        with_jid: Jid | None,
        before: str,
        page: ArchivePage,
    ) -> None:
        key = (account, archive, with_jid)
        state = self.sync_state(account, archive, with_jid)
        if page.first:
            ranges = self.range_lists.setdefault(key, [])
            for n, known in enumerate(ranges):
                if before and known.first_id == before:
                    ranges[n] = ArchiveRange(
                        page.first, page.first_time, known.last_id, known.last_time
                    )
                    break
            else:
                ranges.append(ArchiveRange(page.first, page.first_time, page.last, page.last_time))
            if not before and with_jid is None:
                state = ArchiveSyncState(page.last, page.last_time, state.complete_to_start)
        if page.complete:
            state = ArchiveSyncState(state.last_id, state.last_time, True)
        self.states[key] = state

    def oldest_archived(self, account: AccountId, peer: Jid, kind: ChatKind) -> tuple[str, float]:
        found = [
            m
            for m in self._messages.stored()
            if m.account == account and m.peer == peer.bare and m.kind is kind and m.stanza_id
        ]
        if not found:
            return "", 0.0
        oldest = min(found, key=lambda m: (m.timestamp, m.id))
        return oldest.stanza_id, oldest.timestamp


# --- fixtures ------------------------------------------------------------------------


@dataclass
class World:
    core: Core
    history: HistoryService
    repo: MemoryArchiveSyncRepo
    account: AccountId
    server: FakeArchive
    events: list[HistorySyncStateChanged]

    @property
    def xmpp(self) -> FakeXmppSession:
        return self.core.xmpp(self.account)

    @property
    def own(self) -> Jid:
        return Jid.parse(ME)

    def bodies(self, peer: Jid) -> list[str]:
        return [m.body for m in self.stored(peer)]

    def stored(self, peer: Jid) -> list[ChatMessage]:
        messages = [m for m in self.core.messages.stored() if m.peer == peer]
        return sorted(messages, key=lambda m: (m.timestamp, m.id))

    async def login(self, resumed: bool = False) -> None:
        self.xmpp.start(resumed)
        await asyncio.sleep(0)
        await self.history.wait_synced(self.account, self.own)
        await self.history.wait_synced(self.account, ROOM)


@pytest.fixture
async def world() -> World:
    core = make_core()
    config = await core.accounts.add_account(account_config(ME), "pw")
    repo = MemoryArchiveSyncRepo(core.messages)
    history = HistoryService(core.bus, core.accounts, repo, page_size=10, first_sync_pages=2)
    server = FakeArchive(config.id, Jid.parse(ME).with_resource("fake"))
    core.xmpp(config.id).archive = server
    events: list[HistorySyncStateChanged] = []
    core.bus.subscribe(HistorySyncStateChanged, events.append)
    return World(core, history, repo, config.id, server, events)


def fill(world: World, count: int, peer: Jid = ALICE, archive: Jid | None = None) -> list[Item]:
    return [world.server.add(peer, f"msg {n}", archive) for n in range(count)]


# --- first sync and catch-up --------------------------------------------------------


async def test_first_login_fetches_only_the_newest_pages(world: World) -> None:
    fill(world, 35)
    await world.login()
    assert world.bodies(ALICE) == [f"msg {n}" for n in range(15, 35)]
    assert [(q.before, q.after) for q in world.server.queries] == [("", None), ("A00026", None)]
    state = world.repo.sync_state(world.account, world.own)
    assert state == ArchiveSyncState("A00035", T0 + 35, False)
    assert world.repo.ranges(world.account, world.own) == [
        ArchiveRange("A00016", T0 + 16, "A00035", T0 + 35)
    ]
    start, end = world.events
    assert start.syncing
    assert start.archive == world.own
    assert not end.syncing
    assert end.complete
    assert end.fetched == 20


async def test_a_small_archive_is_read_to_its_beginning(world: World) -> None:
    fill(world, 4)
    await world.login()
    assert world.bodies(ALICE) == ["msg 0", "msg 1", "msg 2", "msg 3"]
    assert len(world.server.queries) == 1
    assert world.repo.sync_state(world.account, world.own).complete_to_start


async def test_an_archive_empty_at_first_is_read_from_its_beginning(world: World) -> None:
    await world.login()
    assert world.repo.sync_state(world.account, world.own) == ArchiveSyncState("", 0.0, True)
    world.xmpp.end()
    fill(world, 25)
    world.server.queries.clear()
    await world.login()
    assert world.bodies(ALICE) == [f"msg {n}" for n in range(25)]
    assert [(q.after, q.before, q.start) for q in world.server.queries] == [
        (None, None, None),
        ("A00010", None, None),
        ("A00020", None, None),
    ]
    assert world.repo.sync_state(world.account, world.own).last_id == "A00025"


async def test_later_logins_page_forward_from_the_sync_point(world: World) -> None:
    fill(world, 5)
    await world.login()
    world.xmpp.end()
    fill(world, 25, BOB)
    world.server.queries.clear()
    await world.login()
    assert world.bodies(BOB) == [f"msg {n}" for n in range(25)]
    assert [q.after for q in world.server.queries] == ["A00005", "A00015", "A00025"]
    assert all(q.max_items == 10 for q in world.server.queries)
    assert world.repo.sync_state(world.account, world.own).last_id == "A00030"
    assert world.repo.ranges(world.account, world.own) == [
        ArchiveRange("A00001", T0 + 1, "A00030", T0 + 30)
    ]
    assert world.events[-1].fetched == 25


async def test_a_resumed_stream_asks_nothing(world: World) -> None:
    fill(world, 3)
    await world.login(resumed=True)
    assert world.server.queries == []
    assert world.events == []


async def test_messages_that_also_came_live_are_stored_once(world: World) -> None:
    fill(world, 2)
    await world.login()
    world.xmpp.end()
    items = fill(world, 6)
    # Two of them came live (or from offline storage) before the catch-up ran.
    for item in items[:2]:
        world.xmpp.receive_message(
            f"{ALICE}/r",
            item.body,
            item.time,
            origin_id=f"live-{item.archive_id}",
            stanza_id=item.archive_id,
        )
    await world.login()
    assert world.bodies(ALICE) == [f"msg {n}" for n in range(2)] + [f"msg {n}" for n in range(6)]
    assert world.events[-1].fetched == 4


async def test_a_failure_mid_way_resumes_after_the_last_stored_page(world: World) -> None:
    fill(world, 1)
    await world.login()
    world.xmpp.end()
    fill(world, 30)
    world.server.queries.clear()
    world.server.fail_on = {2: "remote-server-timeout"}  # the second page fails
    await world.login()
    assert len(world.bodies(ALICE)) == 1 + 10
    assert world.repo.sync_state(world.account, world.own).last_id == "A00011"
    end = world.events[-1]
    assert not end.complete
    assert "remote-server-timeout" in end.detail
    assert end.fetched == 10
    world.xmpp.end()
    world.server.fail_on = {}
    world.server.queries.clear()
    await world.login()
    assert world.server.queries[0].after == "A00011"
    stored = world.stored(ALICE)
    assert [m.body for m in stored] == ["msg 0"] + [f"msg {n}" for n in range(30)]
    assert len({m.stanza_id for m in stored}) == 31


async def test_a_lost_stream_cancels_the_catch_up(world: World) -> None:
    fill(world, 1)
    await world.login()
    world.xmpp.end()
    fill(world, 30)
    world.server.queries.clear()
    gate = asyncio.Event()
    original = world.server.query

    async def slow(*args: object, **kwargs: object) -> ArchivePage:
        if len(world.server.queries) >= 1:
            await gate.wait()
        return await original(*args, **kwargs)  # type: ignore[arg-type]

    world.server.query = slow  # type: ignore[method-assign]
    world.xmpp.start()
    await asyncio.sleep(0.01)
    assert world.history.syncing(world.account, world.own)
    world.core.bus.publish(SessionEnded(world.account, FailureReason.NETWORK, "gone"))
    await world.history.wait_synced(world.account, world.own)
    assert not world.history.syncing(world.account, world.own)
    assert world.events[-1].detail == "cancelled"
    assert len(world.bodies(ALICE)) == 11  # the first page was kept


async def test_a_new_stream_starts_a_stalled_catch_up_over(world: World) -> None:
    fill(world, 1)
    await world.login()
    world.xmpp.end()
    fill(world, 30)
    world.server.queries.clear()
    stalled = asyncio.Event()
    original = world.server.query

    async def never_answered(*args: object, **kwargs: object) -> ArchivePage:
        if not stalled.is_set():
            stalled.set()
            await asyncio.Event().wait()  # its stream went away while it waited
        return await original(*args, **kwargs)  # type: ignore[arg-type]

    world.server.query = never_answered  # type: ignore[method-assign]
    world.xmpp.start()
    await stalled.wait()
    # The stream drops, might have been resumed, but a fresh login follows.
    world.core.bus.publish(
        SessionEnded(world.account, FailureReason.NETWORK, "gone", resumable=True)
    )
    assert world.history.syncing(world.account, world.own)
    marks = len(world.events)
    await world.login()
    assert len(world.bodies(ALICE)) == 31
    since = world.events[marks:]
    assert [(e.syncing, e.complete, e.detail) for e in since] == [
        (True, False, ""),
        (False, True, ""),
    ]


async def test_a_gone_sync_point_falls_back_to_its_time(world: World) -> None:
    fill(world, 3)
    await world.login()
    world.xmpp.end()
    # The server expired the old messages, sync point included.
    world.server.items[None] = []
    later = fill(world, 12)
    world.server.queries.clear()
    await world.login()
    assert world.bodies(ALICE) == ["msg 0", "msg 1", "msg 2"] + [f"msg {n}" for n in range(12)]
    first, fallback, more = world.server.queries
    assert first.after == "A00003"
    assert fallback.start == pytest.approx(T0 + 3 - 1.0)
    assert fallback.after is None
    assert more.after == later[9].archive_id
    assert world.repo.ranges(world.account, world.own) == [
        ArchiveRange("A00001", T0 + 1, "A00003", T0 + 3),
        ArchiveRange("A00004", T0 + 4, "A00015", T0 + 15),
    ]
    assert world.events[-1].complete


async def test_other_errors_stop_the_catch_up(world: World) -> None:
    fill(world, 3)
    world.server.fail_on = {1: "service-unavailable"}
    await world.login()
    assert world.bodies(ALICE) == []
    assert world.events[-1].detail == "service-unavailable"
    assert world.repo.sync_state(world.account, world.own) == ArchiveSyncState()


# --- rooms -------------------------------------------------------------------------


async def test_joining_an_archived_room_catches_up_its_archive(world: World) -> None:
    await world.login()
    fill(world, 12, ROOM, archive=ROOM)
    world.core.bus.publish(RoomJoined(world.account, ROOM, "me", archived=True))
    await asyncio.sleep(0)
    await world.history.wait_synced(world.account, ROOM)
    room_queries = [q for q in world.server.queries if q.archive == ROOM]
    assert [q.before for q in room_queries] == ["", "A00003"]
    assert world.bodies(ROOM) == [f"msg {n}" for n in range(12)]
    assert all(m.kind is ChatKind.GROUPCHAT for m in world.stored(ROOM))
    assert world.repo.sync_state(world.account, ROOM).last_id == "A00012"
    assert world.events[-1].archive == ROOM


async def test_a_room_without_archive_is_left_alone(world: World) -> None:
    await world.login()
    world.server.queries.clear()
    world.core.bus.publish(RoomJoined(world.account, ROOM, "me", archived=False))
    await asyncio.sleep(0)
    assert world.server.queries == []


# --- scrolling back ----------------------------------------------------------------


async def test_load_older_pages_back_until_the_beginning(world: World) -> None:
    fill(world, 25)
    fill(world, 5, BOB)
    world.history.first_sync_pages = 1
    await world.login()
    assert world.bodies(ALICE) == [f"msg {n}" for n in range(20, 25)]
    world.server.queries.clear()
    assert await world.history.load_older(world.account, ALICE, ChatKind.CHAT) == 10
    query = world.server.queries[-1]
    assert (query.archive, query.with_jid, query.before) == (None, ALICE, "A00021")
    assert await world.history.load_older(world.account, ALICE, ChatKind.CHAT) == 10
    assert await world.history.load_older(world.account, ALICE, ChatKind.CHAT) == 0
    assert world.bodies(ALICE) == [f"msg {n}" for n in range(25)]
    assert world.repo.sync_state(world.account, world.own, ALICE).complete_to_start
    asked = len(world.server.queries)
    assert await world.history.load_older(world.account, ALICE, ChatKind.CHAT) == 0
    assert len(world.server.queries) == asked  # the beginning is remembered


async def test_load_older_skips_pages_it_already_has(world: World) -> None:
    items = fill(world, 25)
    world.history.first_sync_pages = 1
    # Ten older messages are stored already, without the archive's ids (kept from
    # before the archive stamped them): the page before the oldest archive id is
    # all duplicates, so scrolling back looks further.
    for item in items[5:15]:
        world.xmpp.receive_message(
            f"{ALICE}/r", item.body, item.time, origin_id=f"o-{item.archive_id}", stanza_id=""
        )
    await world.login()  # msg 15..24
    world.server.queries.clear()
    assert await world.history.load_older(world.account, ALICE, ChatKind.CHAT) == 5
    assert [q.before for q in world.server.queries] == ["A00016", "A00006"]
    assert world.bodies(ALICE) == [f"msg {n}" for n in range(25)]


async def test_an_older_page_in_the_same_second_still_shows_before(world: World) -> None:
    # Archive stamps have whole seconds: all 15 messages here share one.
    for n in range(15):
        world.server.add(ALICE, f"msg {n}", time=T0)
    world.history.first_sync_pages = 1
    await world.login()  # msg 5..14, stored first
    assert await world.history.load_older(world.account, ALICE, ChatKind.CHAT) == 5
    assert world.bodies(ALICE) == [f"msg {n}" for n in range(15)]
    stored = world.stored(ALICE)
    assert all(m.timestamp > T0 - 1 for m in stored)  # moved by milliseconds only


async def test_load_older_in_a_room_reads_the_rooms_archive(world: World) -> None:
    fill(world, 3, ROOM, archive=ROOM)
    await world.login()
    assert await world.history.load_older(world.account, ROOM, ChatKind.GROUPCHAT) == 3
    query = world.server.queries[-1]
    assert (query.archive, query.with_jid, query.before) == (ROOM, None, "")
    assert await world.history.load_older(world.account, ROOM, ChatKind.GROUPCHAT) == 0


async def test_load_older_asks_nothing_for_a_private_chat_in_a_room(world: World) -> None:
    await world.login()
    world.server.queries.clear()
    occupant = ROOM.with_resource("alice")
    assert await world.history.load_older(world.account, occupant, ChatKind.GROUPCHAT_PM) == 0
    assert world.server.queries == []


async def test_load_older_needs_a_connection(world: World) -> None:
    with pytest.raises(NotConnected):
        await world.history.load_older(world.account, ALICE, ChatKind.CHAT)
