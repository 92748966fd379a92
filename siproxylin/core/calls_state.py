"""The life of one call's signalling, caller and callee, JMI proposal and Jingle session.

Pure (imports ``domain`` only): no I/O, no clock. ``CallMachine.handle`` takes
one typed input (something the peer sent, the user did, the media engine
reported or a timer fired) and returns either a ``Moved`` step with the
actions to perform (messages to send, timers to start or stop) or a
``Refused`` step saying why the input does not fit the current state; the
state never changes on a refusal. Timers are actions too, so the caller of
the machine owns the clock: Jingle has no end-of-candidates, so a
``CONNECT`` timer (the application ICE timeout, a parameter) ends a call
that never connects instead of letting it hang.

States::

    caller (JMI):  proposed -> ringing -> proceeding -> initiating -> connecting -> active
    caller (bare): initiating -> connecting -> active
    callee (JMI):  proposed -> ringing -> proceeding -> initiating -> connecting -> active
    callee (bare): ringing -> initiating -> connecting -> active
    every live state -> ended
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from siproxylin.domain.call_info import CallState
from siproxylin.domain.calls import TerminateReason


class CallRole(enum.Enum):
    """Which side of the call we are."""

    CALLER = "caller"
    CALLEE = "callee"


class Timer(enum.Enum):
    """The timers a call uses."""

    RING = "ring"  # nobody answers
    CONNECT = "connect"  # answered but the media never connects


class Outgoing(enum.Enum):
    """What the machine asks to be sent."""

    PROPOSE = "propose"
    RINGING = "ringing"  # JMI ringing, or session-info ringing without JMI
    PROCEED = "proceed"
    REJECT = "reject"
    RETRACT = "retract"
    FINISH = "finish"
    SESSION_INITIATE = "session-initiate"
    SESSION_ACCEPT = "session-accept"
    SESSION_TERMINATE = "session-terminate"


@dataclass(frozen=True, slots=True)
class CallTimeouts:
    """How long to wait.

    Attributes:
        ring: Seconds a call may ring unanswered.
        connect: Seconds from the answer (or proceed) until media must flow.
    """

    ring: float = 60.0
    connect: float = 30.0


# --- inputs


@dataclass(frozen=True, slots=True)
class CallInput:
    """Base class of everything the machine reacts to."""


@dataclass(frozen=True, slots=True)
class PeerRinging(CallInput):
    """The callee's device rings (JMI ringing or session-info ringing)."""


@dataclass(frozen=True, slots=True)
class PeerProceeded(CallInput):
    """The callee took the call (JMI proceed)."""


@dataclass(frozen=True, slots=True)
class PeerRejected(CallInput):
    """The callee declined (JMI reject)."""

    reason: TerminateReason = TerminateReason.DECLINE


@dataclass(frozen=True, slots=True)
class PeerRetracted(CallInput):
    """The caller withdrew the proposal (JMI retract)."""

    reason: TerminateReason = TerminateReason.CANCEL


@dataclass(frozen=True, slots=True)
class PeerInitiated(CallInput):
    """A session-initiate arrived (after our proceed)."""


@dataclass(frozen=True, slots=True)
class PeerAccepted(CallInput):
    """A session-accept arrived."""


@dataclass(frozen=True, slots=True)
class PeerTerminated(CallInput):
    """The peer ended the session (session-terminate or JMI finish)."""

    reason: TerminateReason = TerminateReason.SUCCESS


@dataclass(frozen=True, slots=True)
class AnsweredElsewhere(CallInput):
    """Another of our devices took (``accepted``) or declined the call."""

    accepted: bool


@dataclass(frozen=True, slots=True)
class UserAccepted(CallInput):
    """The user answered."""


@dataclass(frozen=True, slots=True)
class UserRejected(CallInput):
    """The user declined (or is busy)."""

    reason: TerminateReason = TerminateReason.DECLINE


@dataclass(frozen=True, slots=True)
class UserHungUp(CallInput):
    """The user ended or cancelled the call."""


@dataclass(frozen=True, slots=True)
class InitiateSent(CallInput):
    """Our session-initiate went out."""


@dataclass(frozen=True, slots=True)
class AcceptSent(CallInput):
    """Our session-accept went out."""


@dataclass(frozen=True, slots=True)
class MediaConnected(CallInput):
    """ICE and DTLS completed; audio can flow."""


@dataclass(frozen=True, slots=True)
class CallFailed(CallInput):
    """Something on our side failed (bad input, relay guard, media error)."""

    reason: TerminateReason = TerminateReason.GENERAL_ERROR


@dataclass(frozen=True, slots=True)
class TimerExpired(CallInput):
    """A timer the machine started has fired."""

    timer: Timer


# --- outputs


@dataclass(frozen=True, slots=True)
class Send:
    """Send a message or IQ, with a reason where it carries one."""

    what: Outgoing
    reason: TerminateReason | None = None


@dataclass(frozen=True, slots=True)
class StartTimer:
    """Start (or restart) a timer; feed ``TimerExpired`` back when it fires."""

    timer: Timer
    seconds: float


@dataclass(frozen=True, slots=True)
class StopTimer:
    """Cancel a timer."""

    timer: Timer


Action = Send | StartTimer | StopTimer


@dataclass(frozen=True, slots=True)
class CallEnd:
    """How a call ended.

    Attributes:
        reason: The terminate reason.
        by_peer: The other side ended it.
        elsewhere: Another of our devices answered or declined.
    """

    reason: TerminateReason
    by_peer: bool = False
    elsewhere: bool = False

    @property
    def text(self) -> str:
        """A sentence fit to show the user."""
        if self.elsewhere:
            if self.reason is TerminateReason.SUCCESS:
                return "Answered on another device."
            return "Declined on another device."
        if not self.by_peer and self.reason is TerminateReason.DECLINE:
            return "You declined the call."
        if not self.by_peer and self.reason is TerminateReason.BUSY:
            return "Declined while you were in another call."
        if self.by_peer and self.reason is TerminateReason.CANCEL:
            return "Missed call."
        return self.reason.text


@dataclass(frozen=True, slots=True)
class Moved:
    """The input was taken: the state now is ``after``; perform ``actions`` in order."""

    before: CallState
    after: CallState
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True, slots=True)
class Refused:
    """The input does not fit the state; nothing changed."""

    state: CallState
    input: CallInput
    why: str


Step = Moved | Refused

_LIVE_JINGLE = (CallState.INITIATING, CallState.CONNECTING, CallState.ACTIVE)
_STOP_ALL = (StopTimer(Timer.RING), StopTimer(Timer.CONNECT))


class CallMachine:
    """One call's signalling state (see the module doc).

    Args:
        role: Caller or callee.
        jmi: Whether the call starts with a JMI proposal (else a bare session-initiate).
        timeouts: Ring and connect timeouts.
    """

    def __init__(
        self, role: CallRole, *, jmi: bool = True, timeouts: CallTimeouts | None = None
    ) -> None:
        self.role = role
        self.jmi = jmi
        self.timeouts = timeouts or CallTimeouts()
        self.ended: CallEnd | None = None
        if role is CallRole.CALLER:
            self.state = CallState.PROPOSED if jmi else CallState.INITIATING
        else:
            self.state = CallState.PROPOSED if jmi else CallState.RINGING
        self._started = False

    def start(self, *, busy: bool = False) -> Moved:
        """The first actions: propose (or initiate) and ring; call once.

        Args:
            busy: For an incoming call while we are in another one: it is declined
                as busy at once, without ringing.

        Returns:
            The first step.

        Raises:
            RuntimeError: If called twice.
        """
        if self._started:
            raise RuntimeError("call already started")
        self._started = True
        ring = StartTimer(Timer.RING, self.timeouts.ring)
        if self.role is CallRole.CALLER:
            first = Outgoing.PROPOSE if self.jmi else Outgoing.SESSION_INITIATE
            return Moved(self.state, self.state, (Send(first), ring))
        before, self.state = self.state, CallState.RINGING
        if busy:
            step = self._end_locally(TerminateReason.BUSY)
            return Moved(before, step.after, step.actions)
        return Moved(before, self.state, (Send(Outgoing.RINGING), ring))

    def handle(self, event: CallInput) -> Step:
        """React to one input.

        Args:
            event: What happened.

        Returns:
            ``Moved`` with the actions to perform, or ``Refused`` with the reason.
        """
        if self.state is CallState.ENDED:
            return Refused(self.state, event, "the call has already ended")
        if not self._started:
            return Refused(self.state, event, "the call has not been started")
        general = self._general(event)
        if general is not None:
            return general
        table = _CALLER if self.role is CallRole.CALLER else _CALLEE
        handler = table.get((self.state, type(event)))
        if handler is None:
            return Refused(self.state, event, f"{type(event).__name__} in state {self.state.value}")
        return handler(self, event)

    # --- helpers used by the tables

    def _go(self, state: CallState, *actions: Action) -> Moved:
        before, self.state = self.state, state
        return Moved(before, state, actions)

    def _end(
        self,
        reason: TerminateReason,
        *sends: Send,
        by_peer: bool = False,
        elsewhere: bool = False,
    ) -> Moved:
        finish: tuple[Send, ...] = ()
        if self.jmi and self.state in _LIVE_JINGLE:
            finish = (Send(Outgoing.FINISH, reason),)
        self.ended = CallEnd(reason, by_peer, elsewhere)
        return self._go(CallState.ENDED, *_STOP_ALL, *sends, *finish)

    def _end_locally(self, reason: TerminateReason) -> Moved:
        """End from our side with the message that fits the state."""
        if self.state in _LIVE_JINGLE:
            return self._end(reason, Send(Outgoing.SESSION_TERMINATE, reason))
        if self.role is CallRole.CALLER:
            return self._end(reason, Send(Outgoing.RETRACT, reason))
        if self.jmi:
            return self._end(reason, Send(Outgoing.REJECT, reason))
        return self._end(reason, Send(Outgoing.SESSION_TERMINATE, reason))

    def _general(self, event: CallInput) -> Step | None:  # noqa: PLR0911
        """Inputs handled the same way in every live state."""
        if isinstance(event, PeerTerminated):
            return self._end(event.reason, by_peer=True)
        if isinstance(event, CallFailed):
            return self._end_locally(event.reason)
        if isinstance(event, UserHungUp) and not (
            self.role is CallRole.CALLEE and self.state in (CallState.PROPOSED, CallState.RINGING)
        ):
            reason = (
                TerminateReason.SUCCESS
                if self.state is CallState.ACTIVE
                else TerminateReason.CANCEL
            )
            return self._end_locally(reason)
        if isinstance(event, TimerExpired):
            if event.timer is Timer.RING and self.state not in (
                CallState.CONNECTING,
                CallState.ACTIVE,
            ):
                return self._end_locally(TerminateReason.TIMEOUT)
            if event.timer is Timer.CONNECT and self.state is not CallState.ACTIVE:
                return self._end_locally(TerminateReason.CONNECTIVITY_ERROR)
            return Refused(self.state, event, f"stale {event.timer.value} timer")
        return None


def _stay(m: CallMachine, _e: CallInput) -> Step:
    return Moved(m.state, m.state)


def _connect_timer(m: CallMachine) -> StartTimer:
    return StartTimer(Timer.CONNECT, m.timeouts.connect)


def _caller_ringing(m: CallMachine, _e: CallInput) -> Step:
    return m._go(CallState.RINGING)


def _caller_proceeded(m: CallMachine, _e: CallInput) -> Step:
    return m._go(
        CallState.PROCEEDING,
        StopTimer(Timer.RING),
        _connect_timer(m),
        Send(Outgoing.SESSION_INITIATE),
    )


def _caller_rejected(m: CallMachine, e: CallInput) -> Step:
    assert isinstance(e, PeerRejected)
    return m._end(e.reason, by_peer=True)


def _caller_initiate_sent(m: CallMachine, _e: CallInput) -> Step:
    return m._go(CallState.INITIATING)


def _caller_accepted(m: CallMachine, _e: CallInput) -> Step:
    return m._go(CallState.CONNECTING, StopTimer(Timer.RING), _connect_timer(m))


def _connected(m: CallMachine, _e: CallInput) -> Step:
    return m._go(CallState.ACTIVE, StopTimer(Timer.CONNECT))


def _callee_accept(m: CallMachine, _e: CallInput) -> Step:
    if m.jmi:
        return m._go(
            CallState.PROCEEDING, StopTimer(Timer.RING), _connect_timer(m), Send(Outgoing.PROCEED)
        )
    return m._go(
        CallState.INITIATING,
        StopTimer(Timer.RING),
        _connect_timer(m),
        Send(Outgoing.SESSION_ACCEPT),
    )


def _callee_reject(m: CallMachine, e: CallInput) -> Step:
    assert isinstance(e, UserRejected)
    return m._end_locally(e.reason)


def _callee_retracted(m: CallMachine, e: CallInput) -> Step:
    assert isinstance(e, PeerRetracted)
    return m._end(e.reason, by_peer=True)


def _callee_elsewhere(m: CallMachine, e: CallInput) -> Step:
    assert isinstance(e, AnsweredElsewhere)
    reason = TerminateReason.SUCCESS if e.accepted else TerminateReason.DECLINE
    return m._end(reason, elsewhere=True)


def _callee_hangup_ringing(m: CallMachine, _e: CallInput) -> Step:
    return m._end_locally(TerminateReason.DECLINE)


def _callee_initiated(m: CallMachine, _e: CallInput) -> Step:
    return m._go(CallState.INITIATING, Send(Outgoing.SESSION_ACCEPT))


def _callee_accept_sent(m: CallMachine, _e: CallInput) -> Step:
    return m._go(CallState.CONNECTING, _connect_timer(m))


_Handler = Callable[[CallMachine, CallInput], Step]
_S = CallState

_CALLER: dict[tuple[CallState, type[CallInput]], _Handler] = {
    (_S.PROPOSED, PeerRinging): _caller_ringing,
    (_S.RINGING, PeerRinging): _stay,  # every device of the callee rings
    (_S.PROPOSED, PeerProceeded): _caller_proceeded,
    (_S.RINGING, PeerProceeded): _caller_proceeded,
    (_S.PROPOSED, PeerRejected): _caller_rejected,
    (_S.RINGING, PeerRejected): _caller_rejected,
    (_S.PROCEEDING, InitiateSent): _caller_initiate_sent,
    (_S.INITIATING, InitiateSent): _caller_initiate_sent,  # a bare call: the first IQ went out
    (_S.INITIATING, PeerRinging): _stay,
    (_S.INITIATING, PeerAccepted): _caller_accepted,
    (_S.CONNECTING, MediaConnected): _connected,
}

_CALLEE: dict[tuple[CallState, type[CallInput]], _Handler] = {
    (_S.RINGING, UserAccepted): _callee_accept,
    (_S.RINGING, UserRejected): _callee_reject,
    (_S.RINGING, UserHungUp): _callee_hangup_ringing,
    (_S.RINGING, PeerRetracted): _callee_retracted,
    (_S.RINGING, AnsweredElsewhere): _callee_elsewhere,
    (_S.PROCEEDING, PeerRetracted): _callee_retracted,  # cancelled before the session began
    (_S.PROCEEDING, AnsweredElsewhere): _callee_elsewhere,  # the caller picked another device
    (_S.PROCEEDING, PeerInitiated): _callee_initiated,
    (_S.INITIATING, AcceptSent): _callee_accept_sent,
    (_S.CONNECTING, MediaConnected): _connected,
}
