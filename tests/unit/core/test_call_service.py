"""CallService over fakes: every call flow, caller and callee, JMI and Jingle, failures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from siproxylin.core.calls_state import CallTimeouts
from siproxylin.core.services.calls import CallService
from siproxylin.core.turn_setting import URI_KEY, parse_turn_uri
from siproxylin.domain.call_info import CallDirection, CallState
from siproxylin.domain.call_media import (
    CallFailure,
    CallMediaError,
    TurnScheme,
    TurnServer,
    TurnTransport,
)
from siproxylin.domain.call_signals import JingleAction, JmiKind
from siproxylin.domain.calls import IceTransport, TerminateReason, TransportUpdate
from siproxylin.domain.events import CallChanged, CallLogged
from siproxylin.domain.ids import AccountId, Jid
from tests.call_fakes import (
    NO_RELAY,
    TURN_AUTH,
    FakeMediaFactory,
    MemoryCallRepo,
    description,
)
from tests.fakes import FakeXmppSession, account_config, make_core

PEER = "bob@example.org"
PEER_PHONE = "bob@example.org/phone"
SERVER = TurnServer(TurnScheme.TURN, "turn.example.org", 3478, TurnTransport.UDP, "u", "p")
SPARE = TurnServer(TurnScheme.TURNS, "spare.example.org", 5349, TurnTransport.TCP, "u", "p")


class Prefs:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def text(self, key: str, default: str = "", account: AccountId | None = None) -> str:
        return self.values.get(key, default)

    def flag(self, key: str, default: bool = False, account: AccountId | None = None) -> bool:
        return default


@dataclass
class World:
    service: CallService
    xmpp: FakeXmppSession
    media: FakeMediaFactory
    repo: MemoryCallRepo
    changes: list[CallChanged]
    logged: list[CallLogged]
    account: AccountId
    prefs: Prefs

    def states(self, call_id: str) -> list[CallState]:
        seen: list[CallState] = []
        for e in self.changes:
            if e.call.call_id == call_id and (not seen or seen[-1] is not e.call.state):
                seen.append(e.call.state)
        return seen


async def settle() -> None:
    for _ in range(8):
        await asyncio.sleep(0.003)


@pytest.fixture
async def world() -> World:
    core = make_core()
    config = await core.accounts.add_account(account_config("alice@example.org"), "pw")
    xmpp = core.xmpp(config.id)
    xmpp.start()
    xmpp.offered_turn = [SERVER]
    media = FakeMediaFactory()
    repo = MemoryCallRepo()
    prefs = Prefs()
    service = CallService(
        core.bus,
        core.accounts,
        media,
        repo,
        preferences=prefs,
        timeouts=CallTimeouts(ring=0.2, connect=0.3),
    )
    changes: list[CallChanged] = []
    logged: list[CallLogged] = []
    core.bus.subscribe(CallChanged, changes.append)
    core.bus.subscribe(CallLogged, logged.append)
    return World(service, xmpp, media, repo, changes, logged, config.id, prefs)


async def outgoing_active(w: World) -> str:
    info = w.service.start_call(w.account, Jid.parse(PEER))
    await settle()
    assert w.xmpp.call_messages[0][:2] == (Jid.parse(PEER), JmiKind.PROPOSE)
    w.xmpp.receive_call_message(PEER_PHONE, JmiKind.RINGING, info.call_id)
    w.xmpp.receive_call_message(PEER_PHONE, JmiKind.PROCEED, info.call_id)
    await settle()
    sent = w.xmpp.jingle_sent[-1]
    assert (sent.action, str(sent.to)) == ("session-initiate", PEER_PHONE)
    assert w.xmpp.call_sessions[info.call_id]["we_initiated"]
    w.xmpp.receive_jingle(
        PEER_PHONE, JingleAction.SESSION_ACCEPT, info.call_id, session=description()
    )
    await settle()
    media = w.media.made[-1]
    assert media.answer is not None
    media.connected.set()
    await settle()
    return str(info.call_id)


async def test_outgoing_call_connects_and_hangs_up(world: World) -> None:
    call_id = await outgoing_active(world)
    info = world.service.call(call_id)
    assert info is not None
    assert info.state is CallState.ACTIVE
    assert info.details is not None
    assert info.details.local[0].kind == "relay"
    assert str(info.peer) == PEER_PHONE
    world.service.hang_up(call_id)
    await settle()
    assert world.states(call_id) == [
        CallState.PROPOSED,
        CallState.RINGING,
        CallState.PROCEEDING,
        CallState.INITIATING,
        CallState.CONNECTING,
        CallState.ACTIVE,
        CallState.ENDED,
    ]
    assert world.xmpp.sent_actions()[-1] == "session-terminate"
    assert world.xmpp.sent_kinds()[-1] is JmiKind.FINISH
    assert world.media.made[-1].closed
    assert call_id not in world.xmpp.call_sessions
    (record,) = world.service.history(world.account, Jid.parse(PEER))
    assert record.direction is CallDirection.OUTGOING
    assert not record.missed
    assert world.logged[-1].record == record


async def test_trickled_candidates_reach_the_media(world: World) -> None:
    call_id = await outgoing_active(world)
    extra = description(ip="192.0.2.7").contents[0].transport.candidates
    update = TransportUpdate("0", IceTransport(candidates=extra))
    world.xmpp.receive_jingle(
        PEER_PHONE, JingleAction.TRANSPORT_INFO, call_id, transports=(update,)
    )
    await settle()
    assert world.media.made[-1].remote == [("0", extra[0])]


async def incoming_ringing(w: World, call_id: str = "c1") -> None:
    w.xmpp.receive_call_message(PEER_PHONE, JmiKind.PROPOSE, call_id)
    await settle()
    assert w.xmpp.call_messages[-1][:3] == (Jid.parse(PEER_PHONE), JmiKind.RINGING, call_id)


async def test_incoming_call_answered_and_ended_by_peer(world: World) -> None:
    await incoming_ringing(world)
    world.service.accept("c1")
    assert world.xmpp.call_messages[-1][1] is JmiKind.PROCEED
    assert world.xmpp.call_sessions["c1"]["awaiting_initiate"]
    world.xmpp.receive_jingle(
        PEER_PHONE,
        JingleAction.SESSION_INITIATE,
        "c1",
        initiator=Jid.parse(PEER_PHONE),
        session=description(),
    )
    await settle()
    assert world.xmpp.sent_actions() == ["session-accept"]
    world.media.made[-1].connected.set()
    await settle()
    world.xmpp.receive_jingle(
        PEER_PHONE, JingleAction.SESSION_TERMINATE, "c1", reason=TerminateReason.SUCCESS
    )
    await settle()
    assert world.states("c1") == [
        CallState.RINGING,
        CallState.PROCEEDING,
        CallState.INITIATING,
        CallState.CONNECTING,
        CallState.ACTIVE,
        CallState.ENDED,
    ]
    info = world.service.call("c1")
    assert info is not None
    assert info.end_text == "The call ended."
    assert not info.missed


async def test_answered_elsewhere(world: World) -> None:
    await incoming_ringing(world)
    world.xmpp.receive_call_message(
        "alice@example.org/laptop", JmiKind.PROCEED, "c1", elsewhere=JmiKind.PROCEED
    )
    await settle()
    info = world.service.call("c1")
    assert info is not None
    assert info.state is CallState.ENDED
    assert info.end_text == "Answered on another device."
    assert not info.missed


async def test_declined_here_and_missed_when_cancelled(world: World) -> None:
    await incoming_ringing(world, "c1")
    world.service.reject("c1")
    assert world.xmpp.call_messages[-1][1:] == (JmiKind.REJECT, "c1", TerminateReason.DECLINE)
    await incoming_ringing(world, "c2")
    world.xmpp.receive_call_message(PEER_PHONE, JmiKind.RETRACT, "c2")
    await settle()
    first, second = world.service.call("c1"), world.service.call("c2")
    assert first is not None
    assert second is not None
    assert first.end_text == "You declined the call."
    assert not first.missed
    assert second.end_text == "Missed call."
    assert second.missed


async def test_busy_while_in_a_call(world: World) -> None:
    await outgoing_active(world)
    world.xmpp.receive_call_message("carol@example.org/x", JmiKind.PROPOSE, "c9")
    await settle()
    assert world.xmpp.call_messages[-1][1:] == (JmiKind.REJECT, "c9", TerminateReason.BUSY)
    info = world.service.call("c9")
    assert info is not None
    assert info.state is CallState.ENDED


async def test_own_proposal_from_another_device_does_not_ring(world: World) -> None:
    world.xmpp.receive_call_message("alice@example.org/laptop", JmiKind.PROPOSE, "c3")
    await settle()
    assert world.service.call("c3") is None


async def test_no_turn_server_ends_at_once(world: World) -> None:
    world.xmpp.offered_turn = []
    info = world.service.start_call(world.account, Jid.parse(PEER))
    await settle()
    ended = world.service.call(info.call_id)
    assert ended is not None
    assert ended.state is CallState.ENDED
    assert ended.end_text.startswith("No relay available")
    assert world.xmpp.call_messages == []


async def test_offline_account_ends_at_once(world: World) -> None:
    world.xmpp.end()
    info = world.service.start_call(world.account, Jid.parse(PEER))
    assert info.state is CallState.ENDED
    assert info.end_text == "The account is offline."


async def test_next_turn_server_after_no_relay_then_clear_reason(world: World) -> None:
    world.xmpp.offered_turn = [SERVER, SPARE]
    world.media.failures = {SERVER.host: NO_RELAY, SPARE.host: TURN_AUTH}
    info = world.service.start_call(world.account, Jid.parse(PEER))
    await settle()
    world.xmpp.receive_call_message(PEER_PHONE, JmiKind.PROCEED, info.call_id)
    await settle()
    assert [m.server.host for m in world.media.made] == [SERVER.host, SPARE.host]
    ended = world.service.call(info.call_id)
    assert ended is not None
    assert ended.end_text == "The TURN server refused our credentials."
    assert world.xmpp.call_messages[-1][1] is JmiKind.RETRACT


async def test_offer_without_a_usable_codec_is_refused(world: World) -> None:
    await incoming_ringing(world)
    world.service.accept("c1")
    world.xmpp.receive_jingle(
        PEER_PHONE, JingleAction.SESSION_INITIATE, "c1", session=description(codec="VP8")
    )
    await settle()
    terminate = world.xmpp.jingle_sent[-1]
    assert terminate.action == "session-terminate"
    assert terminate.payload is TerminateReason.INCOMPATIBLE_PARAMETERS
    assert world.media.made == []


async def test_media_never_connects(world: World) -> None:
    info = world.service.start_call(world.account, Jid.parse(PEER))
    await settle()
    world.xmpp.receive_call_message(PEER_PHONE, JmiKind.PROCEED, info.call_id)
    await settle()
    world.media.made[-1].connect_error = CallMediaError(
        CallFailure.ICE_TIMEOUT, "the peer never connected"
    )
    world.xmpp.receive_jingle(
        PEER_PHONE, JingleAction.SESSION_ACCEPT, info.call_id, session=description()
    )
    await asyncio.sleep(0.05)
    ended = world.service.call(info.call_id)
    assert ended is not None
    assert ended.end_text == "The peer never connected."
    assert world.xmpp.jingle_sent[-1].payload is TerminateReason.CONNECTIVITY_ERROR


async def test_ring_timeout(world: World) -> None:
    info = world.service.start_call(world.account, Jid.parse(PEER))
    await asyncio.sleep(0.3)
    ended = world.service.call(info.call_id)
    assert ended is not None
    assert ended.end_text == "Nobody answered."
    assert world.xmpp.call_messages[-1][1] is JmiKind.RETRACT


async def test_user_turn_server_takes_precedence(world: World) -> None:
    world.prefs.values = {
        URI_KEY: "turn:own.example:3479?transport=tcp",
        "calls.turn.username": "me",
        "calls.turn.password": "secret",
    }
    info = world.service.start_call(world.account, Jid.parse(PEER))
    await settle()
    world.xmpp.receive_call_message(PEER_PHONE, JmiKind.PROCEED, info.call_id)
    await settle()
    assert world.media.made[-1].server.host == "own.example"


async def test_mute_is_published(world: World) -> None:
    call_id = await outgoing_active(world)
    world.service.set_muted(call_id, True)
    assert world.media.made[-1].muted
    assert world.changes[-1].call.muted


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("turn:h:1?transport=tcp", ("turn", "h", 1, "tcp")),
        ("turns:h", ("turns", "h", 5349, "tcp")),
        ("turn:[::1]", ("turn", "::1", 3478, "udp")),
        ("stun:h", None),
    ],
)
def test_turn_uri(uri: str, expected: tuple[object, ...] | None) -> None:
    server = parse_turn_uri(uri)
    got: Callable[[], object] = lambda: (  # noqa: E731
        server.scheme.value,
        server.host,
        server.port,
        server.transport.value,
    )
    assert (got() if server is not None else None) == expected
