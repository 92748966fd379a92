"""Fakes for calls: the call half of ``FakeXmppSession``, media and the call history.

``FakeCallSignalling`` records every call message and Jingle request the core
sends and publishes what the "peer" sends; ``FakeMediaFactory`` hands out
``FakeCallMedia`` whose offers and answers are relay-only descriptions and whose
connection the test completes or fails.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import Any

from siproxylin.core.ports import LocalCandidate
from siproxylin.domain.call_info import CallDetails, CallRecord
from siproxylin.domain.call_media import CallFailure, CallMediaError, TurnServer
from siproxylin.domain.call_signals import (
    JingleAction,
    JingleRequest,
    JmiKind,
    JmiMessage,
    SessionInfo,
)
from siproxylin.domain.calls import (
    Candidate,
    CandidateType,
    Content,
    Fingerprint,
    IceTransport,
    PayloadType,
    RtpDescription,
    SessionDescription,
    Setup,
    TerminateReason,
)
from siproxylin.domain.events import CallMessageReceived, JingleRequestReceived
from siproxylin.domain.ids import AccountId, Jid


def description(
    *, codec: str = "opus", ip: str = "127.0.0.1", kind: CandidateType = CandidateType.RELAY
) -> SessionDescription:
    """A one-content audio description with one candidate and a fingerprint."""
    candidate = Candidate("1", 1, "udp", 100, ip, 50000, kind, "0.0.0.0", 9)
    transport = IceTransport(
        "abcd", "p" * 22, (candidate,), Fingerprint("sha-256", "AB:CD", Setup.ACTPASS)
    )
    clock = 48000 if codec == "opus" else 90000
    rtp = RtpDescription("audio", (PayloadType(111, codec, clock, 2),))
    return SessionDescription((Content("0", rtp, transport),), ("0",))


@dataclass
class SentJingle:
    """One Jingle request the core sent."""

    action: str
    to: Jid
    sid: str
    payload: Any = None


class FakeCallSignalling:
    """The call methods of ``XmppSession``; mixed into ``FakeXmppSession``."""

    config: Any
    bus: Any

    def _calls_init(self) -> None:
        self.call_messages: list[tuple[Jid, JmiKind, str, TerminateReason | None]] = []
        self.jingle_sent: list[SentJingle] = []
        self.call_sessions: dict[str, dict[str, Any]] = {}
        self.offered_turn: list[TurnServer] = []

    def own_jid(self) -> Jid:
        return Jid.parse(str(self.config.jid)).with_resource(self.config.resource or "fake")

    def send_call_message(
        self, to: Jid, kind: JmiKind, call_id: str, reason: TerminateReason | None = None
    ) -> None:
        self.call_messages.append((to, kind, call_id, reason))

    async def send_session_initiate(self, to: Jid, sid: str, offer: SessionDescription) -> None:
        self.jingle_sent.append(SentJingle("session-initiate", to, sid, offer))

    async def send_session_accept(
        self, to: Jid, sid: str, initiator: Jid, answer: SessionDescription
    ) -> None:
        self.jingle_sent.append(SentJingle("session-accept", to, sid, answer))

    async def send_transport_info(
        self, to: Jid, sid: str, initiator: Jid, content: Content
    ) -> None:
        self.jingle_sent.append(SentJingle("transport-info", to, sid, content))

    async def send_session_info(self, to: Jid, sid: str, initiator: Jid, info: SessionInfo) -> None:
        self.jingle_sent.append(SentJingle("session-info", to, sid, info))

    async def send_session_terminate(
        self, to: Jid, sid: str, initiator: Jid, reason: TerminateReason, text: str = ""
    ) -> None:
        self.jingle_sent.append(SentJingle("session-terminate", to, sid, reason))

    def track_call_session(
        self,
        sid: str,
        peer: Jid,
        *,
        we_initiated: bool,
        accepted: bool = False,
        awaiting_initiate: bool = False,
    ) -> None:
        self.call_sessions[sid] = {
            "peer": peer,
            "we_initiated": we_initiated,
            "accepted": accepted,
            "awaiting_initiate": awaiting_initiate,
        }

    def forget_call_session(self, sid: str) -> None:
        self.call_sessions.pop(sid, None)

    async def turn_servers(self) -> list[TurnServer]:
        return list(self.offered_turn)

    # --- what the peer "sends" ------------------------------------------------------

    def receive_call_message(
        self,
        sender: str,
        kind: JmiKind,
        call_id: str,
        *,
        reason: TerminateReason | None = None,
        elsewhere: JmiKind | None = None,
    ) -> None:
        media = ("audio",) if kind is JmiKind.PROPOSE else ()
        message = JmiMessage(kind, call_id, Jid.parse(sender), media=media, reason=reason)
        self.bus.publish(CallMessageReceived(self.config.id, message, elsewhere))

    def receive_jingle(
        self,
        sender: str,
        action: JingleAction,
        sid: str,
        **values: Any,
    ) -> None:
        request = JingleRequest(Jid.parse(sender), "iq1", action, sid, **values)
        self.bus.publish(JingleRequestReceived(self.config.id, request))

    def sent_actions(self) -> list[str]:
        return [s.action for s in self.jingle_sent]

    def sent_kinds(self) -> list[JmiKind]:
        return [m[1] for m in self.call_messages]


class FakeCallMedia:
    """CallMedia whose connection the test controls."""

    def __init__(self, server: TurnServer, fail: CallMediaError | None = None) -> None:
        self.server = server
        self.fail = fail
        self.connected = asyncio.Event()
        self.connect_error: CallMediaError | None = None
        self.remote: list[tuple[str, Candidate]] = []
        self.answer: SessionDescription | None = None
        self.offer: SessionDescription | None = None
        self.muted = False
        self.closed = False

    async def create_offer(self) -> SessionDescription:
        if self.fail is not None:
            raise self.fail
        return description()

    async def accept_offer(self, offer: SessionDescription) -> SessionDescription:
        if self.fail is not None:
            raise self.fail
        self.offer = offer
        answer = description()
        content = replace(answer.contents[0], name=offer.contents[0].name)
        return SessionDescription((content,), answer.bundle)

    async def set_answer(self, answer: SessionDescription) -> None:
        self.answer = answer

    async def add_remote_candidate(self, content: str, candidate: Candidate) -> None:
        self.remote.append((content, candidate))

    async def wait_connected(self) -> None:
        if self.connect_error is not None:
            raise self.connect_error
        waiter = asyncio.ensure_future(self.connected.wait())
        while not waiter.done():
            if self.connect_error is not None:
                waiter.cancel()
                raise self.connect_error
            await asyncio.sleep(0.001)

    def set_muted(self, muted: bool) -> None:
        self.muted = muted

    def set_devices(self, input_id: str | None, output_id: str | None) -> None:
        pass

    async def details(self) -> CallDetails:
        return CallDetails(turn_server=self.server.uri, turn_transport="udp", codec="opus/48000/2")

    async def close(self) -> None:
        self.closed = True


@dataclass
class FakeMediaFactory:
    """CallMediaFactory: ``failures`` by TURN host make that server fail."""

    made: list[FakeCallMedia] = field(default_factory=list)
    failures: dict[str, CallMediaError] = field(default_factory=dict)

    def __call__(
        self,
        account: AccountId,
        server: TurnServer,
        *,
        ice_timeout: float,
        on_local_candidate: LocalCandidate | None = None,
    ) -> FakeCallMedia:
        media = FakeCallMedia(server, self.failures.get(server.host))
        self.made.append(media)
        return media

    def set_devices(self, input_id: str | None, output_id: str | None) -> None:
        pass


class MemoryCallRepo:
    """CallRepo in a list."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []

    def add_call(self, record: CallRecord) -> CallRecord:
        stored = replace(record, id=len(self.records) + 1)
        self.records.append(stored)
        return stored

    def calls(self, account: AccountId, peer: Jid, limit: int = 50) -> list[CallRecord]:
        found = [r for r in self.records if r.account == account and r.peer == peer.bare]
        return found[-limit:]


NO_RELAY = CallMediaError(CallFailure.NO_RELAY, "no relay available: connection refused")
TURN_AUTH = CallMediaError(CallFailure.TURN_AUTH, "the TURN server refused our credentials")
