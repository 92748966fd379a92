"""RoomService over fake ports: joins, occupant batches, rejoin rules, bookmarks, invitations."""

from __future__ import annotations

import asyncio

import pytest

from siproxylin.domain.errors import NotConnected, RoomError, RoomOperationFailed
from siproxylin.domain.events import (
    BookmarksChanged,
    BookmarksReceived,
    DecisionRequested,
    Event,
    InvitationDeclined,
    InvitationReceived,
    OccupantsChanged,
    OccupantsReceived,
    RoomJoined,
    RoomJoinFailed,
    RoomLeft,
    RoomNotice,
    RoomNoticeReceived,
    RoomStateChanged,
    RoomSubjectChanged,
    RoomSubjectReceived,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    Affiliation,
    Bookmark,
    DecisionKind,
    Invitation,
    MembershipOutcome,
    Occupant,
    OccupantChange,
    Role,
    RoomInfo,
    RoomSettings,
    RoomState,
)
from tests.fakes import Core, FakeXmppSession, account_config, make_core

ROOM = Jid.parse("lobby@conference.x.org")
OTHER = Jid.parse("attic@conference.x.org")
ALICE = Jid.parse("alice@x.org/phone")


async def online(core: Core) -> AccountId:
    stored = await core.accounts.add_account(account_config("me@x.org"), "pw")
    core.xmpp(stored.id).start()
    await settle()
    return stored.id


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def record(core: Core) -> list[Event]:
    events: list[Event] = []
    core.bus.subscribe(Event, events.append)
    return events


def of(events: list[Event], kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in events if isinstance(e, kind)]


def occupant(nick: str, own: bool = False, role: Role = Role.PARTICIPANT) -> OccupantChange:
    return OccupantChange(nick, Occupant(nick, role=role, own=own))


def enter(
    xmpp: FakeXmppSession, room: Jid, nick: str, *others: str, role: Role = Role.PARTICIPANT
) -> None:
    """What the adapter publishes when the room accepted our join."""
    changes = (*tuple(occupant(n) for n in others), occupant(nick, own=True, role=role))
    xmpp.bus.publish(OccupantsReceived(xmpp.account, room, changes, complete=True))
    xmpp.bus.publish(RoomJoined(xmpp.account, room, nick))


async def test_join_remembers_bookmarks_and_reports_states() -> None:
    core = make_core()
    account = await online(core)
    events = record(core)
    await core.rooms.join(account, ROOM, "me", "pw")
    await settle()
    xmpp = core.xmpp(account)
    assert xmpp.calls_named("join_room") == [(ROOM, "me", "pw", None)]
    assert core.room_repo.rooms(account) == [RoomSettings(ROOM, "me", "pw", bookmarked=True)]
    assert xmpp.server_bookmarks[ROOM] == Bookmark(ROOM, "", "me", "pw", True)
    assert core.rooms.state(account, ROOM) is RoomState.JOINING
    enter(xmpp, ROOM, "me", "alice", "bob")
    assert core.rooms.state(account, ROOM) is RoomState.JOINED
    assert [o.nick for o in core.rooms.occupants(account, ROOM)] == ["alice", "bob", "me"]
    complete = of(events, OccupantsChanged)[-1]
    assert complete.complete
    assert len(complete.present) == 3
    states = [e.state for e in of(events, RoomStateChanged)]
    assert states == [RoomState.JOINING, RoomState.JOINED]


async def test_join_without_remember_stores_nothing() -> None:
    core = make_core()
    account = await online(core)
    await core.rooms.join(account, ROOM, remember=False)
    assert core.room_repo.rooms(account) == []
    assert core.xmpp(account).calls_named("join_room") == [(ROOM, "me", "", None)]


async def test_join_offline_is_refused() -> None:
    core = make_core()
    stored = await core.accounts.add_account(account_config("me@x.org"), "pw")
    with pytest.raises(NotConnected):
        await core.rooms.join(stored.id, ROOM, "me")


async def test_live_batch_with_nick_change_and_departure() -> None:
    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    await core.rooms.join(account, ROOM, "me", remember=False)
    enter(xmpp, ROOM, "me", "alice", "bob")
    events = record(core)
    changes = (
        OccupantChange("alice", None, frozenset({303}), new_nick="alicia"),
        occupant("alicia"),
        OccupantChange("bob", None, frozenset({307}), actor="me", reason="bye"),
        occupant("carol"),
    )
    xmpp.bus.publish(OccupantsReceived(account, ROOM, changes))
    (changed,) = of(events, OccupantsChanged)
    assert [o.nick for o in changed.present] == ["alicia", "carol"]
    assert changed.left == ("alice", "bob")
    assert changed.renamed == (("alice", "alicia"),)
    assert {o.nick for o in core.rooms.occupants(account, ROOM)} == {"me", "alicia", "carol"}


async def test_own_nick_change_is_stored_and_rebookmarked() -> None:
    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    await core.rooms.join(account, ROOM, "me")
    enter(xmpp, ROOM, "me")
    changes = (
        OccupantChange("me", None, frozenset({110, 303}), new_nick="me2"),
        occupant("me2", own=True),
    )
    xmpp.bus.publish(OccupantsReceived(account, ROOM, changes))
    await settle()
    assert core.rooms.nick(account, ROOM) == "me2"
    assert core.room_repo.rooms(account)[0].nick == "me2"
    assert xmpp.server_bookmarks[ROOM].nick == "me2"


async def test_fresh_login_rejoins_but_resumption_does_not() -> None:
    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    core.room_repo.save_room(account, RoomSettings(OTHER, "stored", autojoin=True))
    core.room_repo.save_room(account, RoomSettings(Jid.parse("no@c.x.org"), "x", autojoin=False))
    await core.rooms.join(account, ROOM, "me", remember=False)
    enter(xmpp, ROOM, "me")
    xmpp.room_calls.clear()
    xmpp.start(resumed=True)
    await settle()
    assert xmpp.calls_named("join_room") == []
    xmpp.start(resumed=False)
    await settle()
    joined = {(call[0], call[1]) for call in xmpp.calls_named("join_room")}
    assert joined == {(ROOM, "me"), (OTHER, "stored")}


async def test_dropped_room_is_rejoined_kicked_one_is_not() -> None:
    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    await core.rooms.join(account, ROOM, "me", remember=False)
    enter(xmpp, ROOM, "me")
    xmpp.room_calls.clear()
    events = record(core)
    xmpp.bus.publish(RoomLeft(account, ROOM, RoomError.DROPPED))
    await settle()
    assert xmpp.calls_named("join_room") == [(ROOM, "me", "", None)]
    enter(xmpp, ROOM, "me")
    xmpp.room_calls.clear()
    xmpp.bus.publish(RoomLeft(account, ROOM, RoomError.KICKED, "boss", "spam"))
    await settle()
    assert xmpp.calls_named("join_room") == []
    left = of(events, RoomStateChanged)[-1]
    assert left.state is RoomState.LEFT
    assert left.reason is RoomError.KICKED
    assert "boss" in left.text
    assert "spam" in left.text
    assert core.rooms.occupants(account, ROOM) == []
    # and a fresh login does not bring us back either
    xmpp.start(resumed=False)
    await settle()
    assert xmpp.calls_named("join_room") == []


async def test_join_failure_is_typed_and_not_retried() -> None:
    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    events = record(core)
    await core.rooms.join(account, ROOM, "me", remember=False)
    xmpp.bus.publish(RoomJoinFailed(account, ROOM, "me", RoomError.PASSWORD_REQUIRED))
    failed = of(events, RoomStateChanged)[-1]
    assert failed.state is RoomState.FAILED
    assert failed.text == RoomError.PASSWORD_REQUIRED.text
    xmpp.room_calls.clear()
    xmpp.start(resumed=False)
    await settle()
    assert xmpp.calls_named("join_room") == []


async def test_leave_forgets_and_retracts_the_bookmark() -> None:
    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    await core.rooms.join(account, ROOM, "me")
    enter(xmpp, ROOM, "me")
    await settle()
    await core.rooms.leave(account, ROOM)
    await settle()
    assert xmpp.calls_named("leave_room") == [(ROOM,)]
    assert ROOM not in xmpp.server_bookmarks
    assert core.room_repo.rooms(account) == []


async def test_subject_is_stored_before_it_is_published() -> None:
    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    await core.rooms.join(account, ROOM, "me")
    seen: list[str] = []
    core.bus.subscribe(
        RoomSubjectChanged, lambda e: seen.append(core.room_repo.rooms(account)[0].subject)
    )
    xmpp.bus.publish(RoomSubjectReceived(account, ROOM, "topic", "alice"))
    xmpp.bus.publish(RoomSubjectReceived(account, ROOM, "topic", "alice"))  # repeated: no event
    assert seen == ["topic"]
    assert core.rooms.subject(account, ROOM) == "topic"


async def test_legacy_bookmarks_are_converted_once_and_autojoined() -> None:
    core = make_core()
    stored = await core.accounts.add_account(account_config("me@x.org"), "pw")
    account = stored.id
    xmpp = core.xmpp(account)
    xmpp.server_legacy_bookmarks.append(Bookmark(OTHER, "Attic", "old", "", True))
    xmpp.start()
    await settle()
    assert xmpp.server_bookmarks[OTHER] == Bookmark(OTHER, "Attic", "old", "", True)
    assert (OTHER, "old", "", None) in xmpp.calls_named("join_room")
    assert core.room_repo.legacy_bookmarks_converted(account)
    del xmpp.server_bookmarks[OTHER]
    xmpp.start()
    await settle()
    assert OTHER not in xmpp.server_bookmarks  # not converted a second time


async def test_bookmark_push_from_another_device_joins_and_retracts() -> None:
    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    events = record(core)
    xmpp.bus.publish(BookmarksReceived(account, (Bookmark(OTHER, "", "", "", True),)))
    await settle()
    assert (OTHER, "me", "", None) in xmpp.calls_named("join_room")
    xmpp.bus.publish(BookmarksReceived(account, (), (OTHER,)))
    assert core.room_repo.rooms(account) == []
    changed = of(events, BookmarksChanged)
    assert [len(e.rooms) for e in changed] == [1, 0]


async def test_invitation_accepted_joins_declined_mediated_one_declines() -> None:
    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    events = record(core)
    xmpp.bus.publish(InvitationReceived(account, Invitation(ROOM, ALICE, "come", "pw")))
    (question,) = of(events, DecisionRequested)
    assert question.kind is DecisionKind.INVITATION
    assert "come" in question.text
    core.decisions.resolve(question.decision_id, True)
    await settle()
    assert (ROOM, "me", "pw", None) in xmpp.calls_named("join_room")
    xmpp.bus.publish(InvitationReceived(account, Invitation(OTHER, ALICE, mediated=True)))
    question = of(events, DecisionRequested)[-1]
    core.decisions.resolve(question.decision_id, False)
    await settle()
    assert xmpp.calls_named("decline_invitation") == [(OTHER, ALICE)]


async def test_invitation_to_a_room_we_are_in_is_not_asked() -> None:
    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    await core.rooms.join(account, ROOM, "me", remember=False)
    enter(xmpp, ROOM, "me")
    events = record(core)
    xmpp.bus.publish(InvitationReceived(account, Invitation(ROOM, ALICE)))
    assert of(events, DecisionRequested) == []


async def test_notices_for_declines_and_config_changes() -> None:
    core = make_core()
    account = await online(core)
    events = record(core)
    core.bus.publish(InvitationDeclined(account, ROOM, Jid.parse("bob@x.org"), "busy"))
    core.bus.publish(RoomNoticeReceived(account, ROOM, (104, 999)))
    texts = [e.text for e in of(events, RoomNotice)]
    assert texts == [
        "bob@x.org declined the invitation. “busy”",
        "The room's configuration changed.",
    ]


async def test_moderation_needs_the_moderator_role() -> None:
    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    await core.rooms.join(account, ROOM, "me", remember=False)
    enter(xmpp, ROOM, "me")
    with pytest.raises(RoomOperationFailed) as refused:
        await core.rooms.moderate(account, ROOM, "sid-1")
    assert refused.value.reason is RoomError.FORBIDDEN
    assert xmpp.calls_named("moderate") == []
    xmpp.bus.publish(OccupantsReceived(account, ROOM, (occupant("me", True, Role.MODERATOR),)))
    await core.rooms.moderate(account, ROOM, "sid-1", "spam")
    assert xmpp.calls_named("moderate") == [(ROOM, "sid-1", "spam")]


async def test_commands_pass_through_and_refusals_surface() -> None:
    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    await core.rooms.kick(account, ROOM, "bob", "bye")
    await core.rooms.ban(account, ROOM, ALICE, "out")
    assert xmpp.calls_named("set_role") == [(ROOM, "bob", Role.NONE, "bye")]
    assert xmpp.calls_named("set_affiliation") == [(ROOM, ALICE.bare, Affiliation.OUTCAST, "out")]
    assert await core.rooms.request_membership(account, ROOM) is MembershipOutcome.PENDING
    xmpp.refusal = RoomOperationFailed(RoomError.MEMBERS_ONLY)
    with pytest.raises(RoomOperationFailed):
        await core.rooms.request_membership(account, ROOM)
    xmpp.room_infos[ROOM] = RoomInfo(ROOM, exists=True)
    with pytest.raises(RoomOperationFailed):
        await core.rooms.create(account, ROOM, "me")


async def test_account_going_offline_leaves_rooms_without_forgetting_them() -> None:
    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    await core.rooms.join(account, ROOM, "me", remember=False)
    enter(xmpp, ROOM, "me")
    await core.accounts.set_enabled(account, False)
    assert core.rooms.state(account, ROOM) is RoomState.LEFT
    assert core.rooms.joined_rooms(account) == []
