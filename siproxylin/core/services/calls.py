"""Audio calls between accounts: JMI proposals, the Jingle session and the media, one machine each.

``CallService`` implements ``CallsApi``. Each call has one ``CallMachine``
(``core/calls_state.py``): what the peer sends (``CallMessageReceived``,
``JingleRequestReceived``), what the user does and what the media reports are
fed to it, and the actions it returns are performed here (messages, Jingle IQs,
timers). Every change is published as ``CallChanged``; a finished call is kept
(``CallRepo``) and published as ``CallLogged`` for the conversation.

Calls are relay-only: the media (``CallMediaFactory``, built by the app layer)
uses exactly one TURN server, chosen by ``core/turn_choice.py`` from what our
server offers (XEP-0215) or the user's own server (``core/turn_setting.py``),
the next one when a server gives no relay. Without any TURN server the call
ends at once with the reason; nothing ever connects directly.

Flows: the caller proposes to the contact's bare address (every device rings),
the device that proceeds gets our session-initiate, its session-accept starts
ICE; trickled candidates are merged both ways; another device of ours taking
or declining the call ends it here; an incoming call while another one is
under way is declined as busy. Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from typing import Any

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.call_checks import check_fingerprints, check_remote
from siproxylin.core.call_inputs import input_for_message, input_for_request
from siproxylin.core.calls_state import (
    AcceptSent,
    CallFailed,
    CallInput,
    CallMachine,
    CallRole,
    CallTimeouts,
    InitiateSent,
    MediaConnected,
    Moved,
    Outgoing,
    PeerAccepted,
    PeerInitiated,
    PeerProceeded,
    Send,
    StartTimer,
    Step,
    StopTimer,
    Timer,
    TimerExpired,
    UserAccepted,
    UserHungUp,
    UserRejected,
)
from siproxylin.core.ports import CallMedia, CallMediaFactory, CallRepo
from siproxylin.core.relay_only import outgoing_candidates
from siproxylin.core.turn_choice import turn_candidates
from siproxylin.core.turn_setting import Preferences, turn_setting
from siproxylin.domain.call_info import (
    AdvertisedCandidate,
    CallDetails,
    CallDirection,
    CallInfo,
    CallRecord,
    CallState,
)
from siproxylin.domain.call_media import CallFailure, CallMediaError, TurnServer
from siproxylin.domain.call_signals import (
    JingleAction,
    JingleIqRefused,
    JingleRequest,
    JmiKind,
    SessionInfo,
)
from siproxylin.domain.calls import (
    CallSignallingError,
    Candidate,
    Content,
    IceTransport,
    SessionDescription,
    TerminateReason,
    TransportUpdate,
    fit_answer,
    with_transport,
)
from siproxylin.domain.errors import NotConnected, SiproxylinError
from siproxylin.domain.events import (
    CallChanged,
    CallLogged,
    CallMessageReceived,
    JingleRequestReceived,
    SessionEnded,
)
from siproxylin.domain.ids import AccountId, Jid

log = logging.getLogger(__name__)

NO_TURN = "No relay available: no TURN server for this account (the server offers none)."
OFFLINE = "The account is offline."
ALREADY_IN_CALL = "You are already in a call."
STREAM_LOST = "The connection to the server was lost."
_MEDIA_REASONS = {
    CallFailure.NO_RELAY: TerminateReason.FAILED_TRANSPORT,
    CallFailure.TURN_AUTH: TerminateReason.FAILED_TRANSPORT,
    CallFailure.ICE_TIMEOUT: TerminateReason.CONNECTIVITY_ERROR,
    CallFailure.REFUSED_CANDIDATE: TerminateReason.CONNECTIVITY_ERROR,
    CallFailure.BAD_DESCRIPTION: TerminateReason.FAILED_APPLICATION,
    CallFailure.SECURITY: TerminateReason.SECURITY_ERROR,
    CallFailure.CLOSED: TerminateReason.CONNECTIVITY_ERROR,
}
_NEXT_SERVER = (CallFailure.NO_RELAY, CallFailure.TURN_AUTH)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _advertised(session: SessionDescription | None) -> tuple[AdvertisedCandidate, ...]:
    if session is None:
        return ()
    return tuple(
        AdvertisedCandidate(
            c.type.value,
            c.protocol,
            f"{c.ip}:{c.port}",
            f"{c.rel_addr}:{c.rel_port}" if c.rel_addr else "",
        )
        for content in session.contents
        for c in content.transport.candidates
    )


@dataclass(eq=False)
class _Call:
    """One call's working state."""

    info: CallInfo
    machine: CallMachine
    peer: Jid  # bare until a device answers, then that device's full address
    initiator: Jid  # the Jingle initiator's full address
    servers: asyncio.Task[list[TurnServer]] | None = None
    media: CallMedia | None = None
    local: SessionDescription | None = None
    remote: SessionDescription | None = None
    early: list[TransportUpdate] = field(default_factory=list)  # before the description
    applied: set[tuple[str, Candidate]] = field(default_factory=set)
    answer_pending: bool = False  # the peer's answer waits for its fingerprint
    remote_set: bool = False
    early_accept: JingleRequest | None = None
    failure_text: str = ""
    accepted_here: bool = False
    declined_here: bool = False
    timers: dict[Timer, asyncio.TimerHandle] = field(default_factory=dict)
    details: CallDetails | None = None

    @property
    def ended(self) -> bool:
        return self.info.state is CallState.ENDED

    @property
    def sid(self) -> str:
        return self.info.call_id


class CallService:
    """Audio calls (see the module doc); implements ``CallsApi``.

    Args:
        bus: The event bus.
        accounts: The accounts (their XMPP sessions and configs).
        media: Makes a call's media through one TURN server.
        repo: Where finished calls are kept (None: not kept).
        preferences: Account preferences (the user's own TURN server).
        timeouts: Ring and connect timeouts of the call machines.
        ice_timeout: Seconds the media may take to connect once offered.
        is_room: Tells whether an address is a group chat (never called).
        clock: UTC seconds.
    """

    def __init__(
        self,
        bus: EventBus,
        accounts: AccountManager,
        media: CallMediaFactory,
        repo: CallRepo | None = None,
        *,
        preferences: Preferences | None = None,
        timeouts: CallTimeouts | None = None,
        ice_timeout: float = 30.0,
        is_room: Callable[[AccountId, Jid], bool] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._bus = bus
        self._accounts = accounts
        self._media = media
        self._repo = repo
        self._preferences = preferences
        self._timeouts = timeouts or CallTimeouts()
        self._ice_timeout = ice_timeout
        self._is_room = is_room
        self._clock = clock
        self._calls: dict[str, _Call] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        bus.subscribe(CallMessageReceived, self._on_call_message)
        bus.subscribe(JingleRequestReceived, self._on_jingle)
        bus.subscribe(SessionEnded, self._on_session_ended)

    # --- CallsApi ------------------------------------------------------------------

    def start_call(self, account: AccountId, peer: Jid) -> CallInfo:
        """Call ``peer`` (bare): every device of theirs rings (see ``CallsApi``)."""
        info = CallInfo(
            call_id=str(uuid.uuid4()),
            account=account,
            peer=peer.bare,
            direction=CallDirection.OUTGOING,
            state=CallState.PROPOSED,
            started=self._clock(),
        )
        machine = CallMachine(CallRole.CALLER, timeouts=self._timeouts)
        session = self._accounts.xmpp(account)
        call = _Call(info, machine, peer.bare, session.own_jid() if session else peer.bare)
        self._calls[info.call_id] = call
        self._publish(call)
        if session is None or not session.online:
            self._end_unstarted(call, OFFLINE)
        elif self._live(exclude=call):
            self._end_unstarted(call, ALREADY_IN_CALL)
        else:
            call.servers = self._prefetch_servers(account)
            self._spawn(self._propose(call))
        return call.info

    def accept(self, call_id: str) -> None:
        """Answer an incoming call."""
        call = self._calls.get(call_id)
        if call is None or call.info.direction is not CallDirection.INCOMING:
            return
        step = call.machine.handle(UserAccepted())
        if isinstance(step, Moved):
            call.accepted_here = True
        self._apply(call, step)

    def reject(self, call_id: str) -> None:
        """Decline an incoming call."""
        call = self._calls.get(call_id)
        if call is None or call.info.direction is not CallDirection.INCOMING:
            return
        step = call.machine.handle(UserRejected())
        if isinstance(step, Moved):
            call.declined_here = True
        self._apply(call, step)

    def hang_up(self, call_id: str) -> None:
        """End a call in any state."""
        call = self._calls.get(call_id)
        if call is None or call.ended:
            return
        if call.info.direction is CallDirection.INCOMING and call.info.state in (
            CallState.PROPOSED,
            CallState.RINGING,
        ):
            call.declined_here = True
        step = call.machine.handle(UserHungUp())
        if isinstance(step, Moved):
            self._apply(call, step)
        elif not call.ended and call.machine.state is not CallState.ENDED:
            self._end_unstarted(call, TerminateReason.CANCEL.text)

    def set_muted(self, call_id: str, muted: bool) -> None:
        """Mute or unmute our microphone."""
        call = self._calls.get(call_id)
        if call is None or call.ended:
            return
        if call.media is not None:
            call.media.set_muted(muted)
        call.info = replace(call.info, muted=muted)
        self._publish(call)

    def set_devices(self, input_id: str | None, output_id: str | None) -> None:
        """Use these audio devices from now on, in the call under way too."""
        self._media.set_devices(input_id, output_id)
        for call in self._calls.values():
            if not call.ended and call.media is not None:
                call.media.set_devices(input_id, output_id)

    def call(self, call_id: str) -> CallInfo | None:
        """A call, current or ended."""
        call = self._calls.get(call_id)
        return None if call is None else call.info

    def active_calls(self) -> list[CallInfo]:
        """Calls not ended yet."""
        return [c.info for c in self._calls.values() if not c.ended]

    def history(self, account: AccountId, peer: Jid, limit: int = 50) -> list[CallRecord]:
        """Finished calls with ``peer``, oldest first."""
        return [] if self._repo is None else self._repo.calls(account, peer.bare, limit)

    def can_call(self, account: AccountId, peer: Jid) -> bool:
        """True when the account is online and ``peer`` is a contact, not a room."""
        session = self._accounts.xmpp(account)
        if session is None or not session.online or not peer.local:
            return False
        return not (self._is_room is not None and self._is_room(account, peer.bare))

    async def close(self) -> None:
        """End every call (application exit) and wait for the media to close."""
        for call in list(self._calls.values()):
            self.hang_up(call.sid)
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- received ------------------------------------------------------------------

    def _on_call_message(self, event: CallMessageReceived) -> None:
        message = event.message
        session = self._accounts.xmpp(event.account)
        if session is None:
            return
        own = session.own_jid()
        if message.kind is JmiKind.PROPOSE:
            if message.sender.bare != own.bare and "audio" in message.media:
                self._incoming(event.account, message.call_id, message.sender, jmi=True)
            return
        call = self._calls.get(message.call_id)
        if call is None or call.ended or call.info.account != event.account:
            return
        elsewhere = event.elsewhere if call.info.direction is CallDirection.INCOMING else None
        if elsewhere is None and message.sender.bare == own.bare:
            return  # our own message, copied back
        what = input_for_message(message, call.sid, call.peer, elsewhere)
        if what is None:
            return
        if isinstance(what, PeerProceeded) and call.machine.state in (
            CallState.PROPOSED,
            CallState.RINGING,
        ):
            call.peer = message.sender  # the device that took the call
        self._feed(call, what)

    def _on_jingle(self, event: JingleRequestReceived) -> None:
        request = event.request
        call = self._calls.get(request.sid)
        if call is None or call.info.account != event.account:
            if request.action is JingleAction.SESSION_INITIATE and call is None:
                self._incoming(event.account, request.sid, request.sender, jmi=False, req=request)
            return
        if call.ended:
            return
        action = request.action
        if action is JingleAction.SESSION_INITIATE:
            call.remote = self._merge_early(call, request.session)
            call.initiator = request.initiator or request.sender
            call.peer = request.sender
            self._feed(call, PeerInitiated())
        elif action is JingleAction.SESSION_ACCEPT:
            if call.machine.state is CallState.PROCEEDING:
                call.early_accept = request  # before our own initiate was acknowledged
            else:
                self._on_accept(call, request)
        elif action is JingleAction.TRANSPORT_INFO:
            self._on_transport_info(call, request.transports)
        else:
            what = input_for_request(request)
            if what is not None:
                self._feed(call, what)

    def _on_session_ended(self, event: SessionEnded) -> None:
        for call in list(self._calls.values()):
            if call.info.account == event.account and not call.ended:
                self._fail(call, TerminateReason.GONE, STREAM_LOST)

    def _incoming(
        self,
        account: AccountId,
        call_id: str,
        sender: Jid,
        *,
        jmi: bool,
        req: JingleRequest | None = None,
    ) -> None:
        if call_id in self._calls:
            return
        session = self._accounts.xmpp(account)
        if session is None:
            return
        info = CallInfo(
            call_id=call_id,
            account=account,
            peer=sender,
            direction=CallDirection.INCOMING,
            state=CallState.PROPOSED if jmi else CallState.RINGING,
            started=self._clock(),
        )
        machine = CallMachine(CallRole.CALLEE, jmi=jmi, timeouts=self._timeouts)
        call = _Call(info, machine, sender, sender)
        if req is not None:
            call.remote = req.session
            call.initiator = req.initiator or req.sender
            session.track_call_session(call_id, sender, we_initiated=False)
        self._calls[call_id] = call
        busy = self._live(exclude=call)
        if not busy:
            call.servers = self._prefetch_servers(account)
        self._apply(call, machine.start(busy=busy))

    def _on_accept(self, call: _Call, request: JingleRequest) -> None:
        answer = request.session
        if answer is None:
            return
        try:
            check_remote(answer, require_fingerprint=False)
        except CallSignallingError as exc:
            self._fail(call, exc.reason, str(exc))
            return
        call.remote = self._merge_early(call, answer)
        call.peer = request.sender
        self._feed(call, PeerAccepted())
        if not call.ended:
            call.answer_pending = True
            self._spawn(self._apply_answer(call))

    def _on_transport_info(self, call: _Call, updates: tuple[TransportUpdate, ...]) -> None:
        if call.remote is None:
            call.early.extend(updates)
            return
        for update in updates:
            try:
                call.remote = with_transport(call.remote, update.content_name, update.transport)
            except CallSignallingError as exc:
                log.info("call %s: transport-info ignored: %s", call.sid, exc)
        if call.answer_pending:
            self._spawn(self._apply_answer(call))
        elif call.remote_set:
            self._spawn(self._sync_candidates(call))

    @staticmethod
    def _merge_early(call: _Call, session: SessionDescription | None) -> SessionDescription | None:
        if session is None:
            return None
        for update in call.early:
            try:
                session = with_transport(session, update.content_name, update.transport)
            except CallSignallingError:
                continue
        call.early.clear()
        return session

    # --- the machine -----------------------------------------------------------------

    def _feed(self, call: _Call, what: CallInput) -> None:
        self._apply(call, call.machine.handle(what))

    def _apply(self, call: _Call, step: Step) -> None:
        if not isinstance(step, Moved):
            log.debug("call %s: %s", call.sid, step.why)
            return
        for action in step.actions:
            if isinstance(action, StartTimer):
                self._start_timer(call, action)
            elif isinstance(action, StopTimer):
                handle = call.timers.pop(action.timer, None)
                if handle is not None:
                    handle.cancel()
            else:
                self._send(call, action)
        if step.after is CallState.ENDED:
            self._finish(call)
            return
        if step.after is not call.info.state:
            connected = call.info.connected
            if step.after is CallState.ACTIVE and not connected:
                connected = self._clock()
            call.info = replace(call.info, state=step.after, peer=call.peer, connected=connected)
            self._publish(call)

    def _start_timer(self, call: _Call, action: StartTimer) -> None:
        old = call.timers.pop(action.timer, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        call.timers[action.timer] = loop.call_later(
            action.seconds, self._feed, call, TimerExpired(action.timer)
        )

    def _send(self, call: _Call, action: Send) -> None:  # noqa: C901, PLR0912 (one branch per message)
        session = self._accounts.xmpp(call.info.account)
        if session is None or not session.online:
            return
        what, reason = action.what, action.reason
        try:
            if what is Outgoing.PROPOSE:
                session.send_call_message(call.peer.bare, JmiKind.PROPOSE, call.sid)
            elif what is Outgoing.RINGING:
                if call.machine.jmi:
                    session.send_call_message(call.peer, JmiKind.RINGING, call.sid)
                else:
                    self._spawn_detached(
                        session.send_session_info(
                            call.peer, call.sid, call.initiator, SessionInfo.RINGING
                        )
                    )
            elif what is Outgoing.PROCEED:
                session.track_call_session(
                    call.sid, call.peer, we_initiated=False, awaiting_initiate=True
                )
                session.send_call_message(call.peer, JmiKind.PROCEED, call.sid)
            elif what is Outgoing.REJECT:
                session.send_call_message(call.peer, JmiKind.REJECT, call.sid, reason)
            elif what is Outgoing.RETRACT:
                session.send_call_message(call.peer.bare, JmiKind.RETRACT, call.sid, reason)
            elif what is Outgoing.FINISH:
                session.send_call_message(call.peer, JmiKind.FINISH, call.sid, reason)
            elif what is Outgoing.SESSION_INITIATE:
                self._spawn(self._initiate(call))
            elif what is Outgoing.SESSION_ACCEPT:
                self._spawn(self._accept(call))
            elif what is Outgoing.SESSION_TERMINATE:
                self._spawn_detached(
                    session.send_session_terminate(
                        call.peer,
                        call.sid,
                        call.initiator,
                        reason or TerminateReason.SUCCESS,
                        call.failure_text,
                    )
                )
        except NotConnected:
            log.info("call %s: %s not sent, offline", call.sid, what.value)

    def _fail(self, call: _Call, reason: TerminateReason, text: str) -> None:
        if call.ended:
            return
        call.failure_text = _sentence(text)
        if call.machine.state is CallState.ENDED or not self._started(call):
            self._end_unstarted(call, call.failure_text)
            return
        self._feed(call, CallFailed(reason))

    @staticmethod
    def _started(call: _Call) -> bool:
        return bool(call.machine._started)

    def _finish(self, call: _Call) -> None:
        """The machine ended: stop everything, keep and publish the call."""
        ended = call.machine.ended
        text = call.failure_text or (ended.text if ended is not None else "")
        elsewhere = ended is not None and ended.elsewhere
        self._close(call, text, elsewhere=elsewhere)

    def _end_unstarted(self, call: _Call, text: str) -> None:
        self._close(call, _sentence(text), elsewhere=False)

    def _close(self, call: _Call, text: str, *, elsewhere: bool) -> None:
        if call.ended:
            return
        for handle in call.timers.values():
            handle.cancel()
        call.timers.clear()
        session = self._accounts.xmpp(call.info.account)
        if session is not None:
            session.forget_call_session(call.sid)
        if call.media is not None:
            self._spawn_detached(call.media.close())
        missed = (
            call.info.direction is CallDirection.INCOMING
            and not call.accepted_here
            and not call.declined_here
            and not elsewhere
        )
        call.info = replace(
            call.info,
            state=CallState.ENDED,
            peer=call.peer,
            ended=self._clock(),
            end_text=text,
            missed=missed,
            details=call.details,
        )
        self._publish(call)
        record = CallRecord(
            id=0,
            account=call.info.account,
            peer=call.peer.bare,
            call_id=call.sid,
            direction=call.info.direction,
            started=call.info.started,
            duration=call.info.duration,
            missed=missed,
            end_text=text,
        )
        if self._repo is not None:
            try:
                record = self._repo.add_call(record)
            except SiproxylinError as exc:
                log.warning("call %s not kept: %s", call.sid, exc)
        self._bus.publish(CallLogged(call.info.account, record))

    # --- the media ---------------------------------------------------------------------

    async def _propose(self, call: _Call) -> None:
        servers = await self._servers(call)
        if call.ended:
            return
        if not servers:
            self._end_unstarted(call, NO_TURN)
            return
        self._apply(call, call.machine.start())

    async def _initiate(self, call: _Call) -> None:
        """Caller: gather, send our offer to the device that proceeded."""
        session = self._accounts.xmpp(call.info.account)
        try:
            offer = await self._open_media(call, None)
            if call.ended or session is None:
                return
            call.local = offer
            session.track_call_session(call.sid, call.peer, we_initiated=True)
            await session.send_session_initiate(call.peer, call.sid, offer)
        except (CallMediaError, CallSignallingError, JingleIqRefused, NotConnected) as exc:
            self._fail_with(call, exc)
            return
        self._feed(call, InitiateSent())
        early, call.early_accept = call.early_accept, None
        if early is not None and not call.ended:
            self._on_accept(call, early)

    async def _accept(self, call: _Call) -> None:
        """Callee: check the offer, answer it, send session-accept."""
        session = self._accounts.xmpp(call.info.account)
        offer = call.remote
        try:
            if offer is None:
                raise CallSignallingError("no offer")
            check_remote(offer)
            answer = await self._open_media(call, offer)
            if call.ended or session is None:
                return
            answer = fit_answer(offer, answer)
            call.local = answer
            call.remote_set = True
            call.applied.update(self._candidates(offer))
            session.track_call_session(call.sid, call.peer, we_initiated=False, accepted=True)
            await session.send_session_accept(call.peer, call.sid, call.initiator, answer)
        except (CallMediaError, CallSignallingError, JingleIqRefused, NotConnected) as exc:
            self._fail_with(call, exc)
            return
        self._feed(call, AcceptSent())
        await self._sync_candidates(call)
        await self._connected(call)

    async def _apply_answer(self, call: _Call) -> None:
        """Caller: the peer's answer (with its fingerprint) goes to the media."""
        answer = call.remote
        if not call.answer_pending or answer is None or call.media is None or call.ended:
            return
        try:
            check_fingerprints(answer)
        except CallSignallingError:
            return  # the fingerprint may still come in a transport-info
        call.answer_pending = False
        try:
            await call.media.set_answer(answer)
        except (CallMediaError, CallSignallingError) as exc:
            self._fail_with(call, exc)
            return
        call.remote_set = True
        call.applied.update(self._candidates(answer))
        await self._sync_candidates(call)
        await self._connected(call)

    async def _open_media(
        self, call: _Call, offer: SessionDescription | None
    ) -> SessionDescription:
        """Our offer (``offer`` None) or answer, trying the next TURN server on no relay."""
        servers = await self._servers(call)
        if not servers:
            raise CallMediaError(CallFailure.NO_RELAY, NO_TURN)
        error: CallMediaError | None = None
        for server in servers:
            if call.ended:
                break
            media = self._media(
                call.info.account,
                server,
                ice_timeout=self._ice_timeout,
                on_local_candidate=lambda name, c: self._on_local_candidate(call, name, c),
            )
            call.media = media
            try:
                if offer is None:
                    return await media.create_offer()
                return await media.accept_offer(offer)
            except CallMediaError as exc:
                error = exc
                await media.close()
                call.media = None
                if exc.failure not in _NEXT_SERVER:
                    raise
                log.info("call %s: no relay from %s: %s", call.sid, server.uri, exc)
        raise error or CallMediaError(CallFailure.CLOSED, "the call was closed")

    def _on_local_candidate(self, call: _Call, content: str, candidate: Candidate) -> None:
        """A candidate our engine found after the description went out: trickle it."""
        if call.local is None or call.ended:
            return  # it is in the description we are about to send
        known = {c for ct in call.local.contents for c in ct.transport.candidates}
        allowed = outgoing_candidates([candidate])
        if not allowed or candidate in known:
            return
        session = self._accounts.xmpp(call.info.account)
        if session is None:
            return
        update = Content(
            content,
            call.local.contents[0].description,
            IceTransport(candidates=allowed),
            creator=call.local.contents[0].creator,
        )
        self._spawn_detached(
            session.send_transport_info(call.peer, call.sid, call.initiator, update)
        )

    async def _sync_candidates(self, call: _Call) -> None:
        """Give the media the peer's candidates it has not seen yet."""
        if call.remote is None or call.media is None or not call.remote_set:
            return
        for name, candidate in self._candidates(call.remote):
            if (name, candidate) in call.applied:
                continue
            call.applied.add((name, candidate))
            try:
                await call.media.add_remote_candidate(name, candidate)
            except CallMediaError as exc:
                log.info("call %s: candidate not added: %s", call.sid, exc)

    async def _connected(self, call: _Call) -> None:
        media = call.media
        if media is None or call.ended:
            return
        try:
            await media.wait_connected()
        except CallMediaError as exc:
            self._fail_with(call, exc)
            return
        self._feed(call, MediaConnected())
        await self._refresh_details(call)

    async def _refresh_details(self, call: _Call) -> None:
        if call.media is None:
            return
        try:
            details = await call.media.details()
        except CallMediaError:
            return
        call.details = replace(
            details, local=_advertised(call.local), remote=_advertised(call.remote)
        )
        if not call.ended:
            call.info = replace(call.info, details=call.details)
            self._publish(call)

    @staticmethod
    def _candidates(session: SessionDescription) -> list[tuple[str, Candidate]]:
        return [(ct.name, c) for ct in session.contents for c in ct.transport.candidates]

    def _fail_with(self, call: _Call, exc: Exception) -> None:
        if isinstance(exc, CallMediaError):
            self._fail(call, _MEDIA_REASONS[exc.failure], str(exc))
        elif isinstance(exc, CallSignallingError):
            self._fail(call, exc.reason, str(exc))
        elif isinstance(exc, JingleIqRefused):
            self._fail(call, TerminateReason.GENERAL_ERROR, str(exc))
        else:
            self._fail(call, TerminateReason.GONE, OFFLINE)

    # --- TURN servers ------------------------------------------------------------------

    def _prefetch_servers(self, account: AccountId) -> asyncio.Task[list[TurnServer]]:
        task = asyncio.ensure_future(self._turn_servers(account))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _servers(self, call: _Call) -> list[TurnServer]:
        if call.servers is None:
            call.servers = self._prefetch_servers(call.info.account)
        return await call.servers

    async def _turn_servers(self, account: AccountId) -> list[TurnServer]:
        """The servers this account may use for a call, best first."""
        setting = None if self._preferences is None else turn_setting(self._preferences, account)
        offered: list[TurnServer] = []
        session = self._accounts.xmpp(account)
        if session is not None and (setting is None or not setting.replace_offered):
            try:
                offered = await session.turn_servers()
            except (SiproxylinError, OSError, TimeoutError) as exc:
                log.info("no TURN servers from the server: %s", exc)
        proxied = self._accounts.config(account).proxy.enabled
        return turn_candidates(offered, proxied=proxied, setting=setting)

    # --- helpers ---------------------------------------------------------------------

    def _live(self, exclude: _Call) -> bool:
        return any(not c.ended and c is not exclude for c in self._calls.values())

    def _publish(self, call: _Call) -> None:
        self._bus.publish(CallChanged(call.info.account, call.info))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _spawn_detached(self, coro: Coroutine[Any, Any, None]) -> None:
        """Fire and forget (a message that may fail once the call is over)."""

        async def quiet() -> None:
            try:
                await coro
            except (SiproxylinError, OSError, TimeoutError) as exc:
                log.info("call message not delivered: %s", exc)

        self._spawn(quiet())

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("call task failed", exc_info=task.exception())
