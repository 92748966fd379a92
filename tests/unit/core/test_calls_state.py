"""The call signalling state machine: JMI and Jingle flows for caller and callee."""

from __future__ import annotations

import pytest

from siproxylin.core.calls_state import (
    AcceptSent,
    AnsweredElsewhere,
    CallEnd,
    CallFailed,
    CallInput,
    CallMachine,
    CallRole,
    CallState,
    CallTimeouts,
    InitiateSent,
    MediaConnected,
    Moved,
    Outgoing,
    PeerAccepted,
    PeerInitiated,
    PeerProceeded,
    PeerRejected,
    PeerRetracted,
    PeerRinging,
    PeerTerminated,
    Refused,
    Send,
    StartTimer,
    StopTimer,
    Timer,
    TimerExpired,
    UserAccepted,
    UserHungUp,
    UserRejected,
)
from siproxylin.domain.calls import TerminateReason as R

S = CallState
TIMEOUTS = CallTimeouts(ring=45.0, connect=12.5)


def machine(role: CallRole, *, jmi: bool = True) -> CallMachine:
    m = CallMachine(role, jmi=jmi, timeouts=TIMEOUTS)
    m.start()
    return m


def moved(m: CallMachine, event: CallInput) -> Moved:
    step = m.handle(event)
    assert isinstance(step, Moved), step
    return step


def sends(step: Moved) -> list[tuple[Outgoing, R | None]]:
    return [(a.what, a.reason) for a in step.actions if isinstance(a, Send)]


def drive(m: CallMachine, *events: CallInput) -> None:
    for event in events:
        moved(m, event)


def caller_active() -> CallMachine:
    m = machine(CallRole.CALLER)
    drive(m, PeerRinging(), PeerProceeded(), InitiateSent(), PeerAccepted(), MediaConnected())
    return m


def callee_active() -> CallMachine:
    m = machine(CallRole.CALLEE)
    drive(m, UserAccepted(), PeerInitiated(), AcceptSent(), MediaConnected())
    return m


# --- the happy paths


def test_caller_with_jmi() -> None:
    m = CallMachine(CallRole.CALLER, timeouts=TIMEOUTS)
    start = m.start()
    assert start.actions == (Send(Outgoing.PROPOSE), StartTimer(Timer.RING, 45.0))
    assert m.state is S.PROPOSED
    assert moved(m, PeerRinging()).after is S.RINGING
    step = moved(m, PeerProceeded())
    assert step.after is S.PROCEEDING
    assert step.actions == (
        StopTimer(Timer.RING),
        StartTimer(Timer.CONNECT, 12.5),
        Send(Outgoing.SESSION_INITIATE),
    )
    assert moved(m, InitiateSent()).after is S.INITIATING
    step = moved(m, PeerAccepted())
    assert (step.after, step.actions[-1]) == (S.CONNECTING, StartTimer(Timer.CONNECT, 12.5))
    step = moved(m, MediaConnected())
    assert (step.after, step.actions) == (S.ACTIVE, (StopTimer(Timer.CONNECT),))
    step = moved(m, UserHungUp())
    assert step.after is S.ENDED
    assert sends(step) == [(Outgoing.SESSION_TERMINATE, R.SUCCESS), (Outgoing.FINISH, R.SUCCESS)]
    assert StopTimer(Timer.RING) in step.actions
    assert StopTimer(Timer.CONNECT) in step.actions
    assert m.ended == CallEnd(R.SUCCESS)


def test_every_device_of_the_callee_may_ring() -> None:
    m = machine(CallRole.CALLER)
    drive(m, PeerRinging())
    step = moved(m, PeerRinging())
    assert (step.before, step.after, step.actions) == (S.RINGING, S.RINGING, ())


def test_callee_after_proceed_the_caller_cancels_or_picks_another_device() -> None:
    m = machine(CallRole.CALLEE)
    drive(m, UserAccepted())
    assert sends(moved(m, PeerRetracted())) == []
    assert m.ended == CallEnd(R.CANCEL, by_peer=True)
    m = machine(CallRole.CALLEE)
    drive(m, UserAccepted())
    moved(m, AnsweredElsewhere(accepted=True))
    assert m.ended == CallEnd(R.SUCCESS, elsewhere=True)


def test_caller_may_be_proceeded_without_ringing() -> None:
    m = machine(CallRole.CALLER)
    assert moved(m, PeerProceeded()).after is S.PROCEEDING


def test_callee_with_jmi() -> None:
    m = CallMachine(CallRole.CALLEE, timeouts=TIMEOUTS)
    assert m.state is S.PROPOSED
    start = m.start()
    assert (start.before, start.after) == (S.PROPOSED, S.RINGING)
    assert start.actions == (Send(Outgoing.RINGING), StartTimer(Timer.RING, 45.0))
    step = moved(m, UserAccepted())
    assert step.after is S.PROCEEDING
    assert sends(step) == [(Outgoing.PROCEED, None)]
    assert StartTimer(Timer.CONNECT, 12.5) in step.actions
    step = moved(m, PeerInitiated())
    assert (step.after, sends(step)) == (S.INITIATING, [(Outgoing.SESSION_ACCEPT, None)])
    assert moved(m, AcceptSent()).after is S.CONNECTING
    assert moved(m, MediaConnected()).after is S.ACTIVE
    step = moved(m, PeerTerminated(R.SUCCESS))
    assert sends(step) == [(Outgoing.FINISH, R.SUCCESS)]
    assert m.ended == CallEnd(R.SUCCESS, by_peer=True)
    assert m.ended.text == "The call ended."


def test_caller_without_jmi() -> None:
    m = CallMachine(CallRole.CALLER, jmi=False, timeouts=TIMEOUTS)
    assert m.state is S.INITIATING
    assert m.start().actions == (Send(Outgoing.SESSION_INITIATE), StartTimer(Timer.RING, 45.0))
    assert moved(m, InitiateSent()).after is S.INITIATING
    assert moved(m, PeerRinging()).after is S.INITIATING  # session-info ringing
    step = moved(m, PeerAccepted())
    assert StopTimer(Timer.RING) in step.actions
    assert moved(m, MediaConnected()).after is S.ACTIVE
    step = moved(m, UserHungUp())
    assert sends(step) == [(Outgoing.SESSION_TERMINATE, R.SUCCESS)]  # no finish without JMI


def test_callee_without_jmi() -> None:
    m = CallMachine(CallRole.CALLEE, jmi=False, timeouts=TIMEOUTS)
    assert m.start().after is S.RINGING
    step = moved(m, UserAccepted())
    assert (step.after, sends(step)) == (S.INITIATING, [(Outgoing.SESSION_ACCEPT, None)])
    assert moved(m, AcceptSent()).after is S.CONNECTING
    assert moved(m, MediaConnected()).after is S.ACTIVE


# --- ending before an answer


def test_callee_declines() -> None:
    m = machine(CallRole.CALLEE)
    step = moved(m, UserRejected())
    assert sends(step) == [(Outgoing.REJECT, R.DECLINE)]
    assert m.ended is not None
    assert m.ended.text == "You declined the call."


def test_callee_busy_and_hang_up_while_ringing() -> None:
    m = machine(CallRole.CALLEE)
    assert sends(moved(m, UserRejected(R.BUSY))) == [(Outgoing.REJECT, R.BUSY)]
    m = machine(CallRole.CALLEE)
    assert sends(moved(m, UserHungUp())) == [(Outgoing.REJECT, R.DECLINE)]
    m = machine(CallRole.CALLEE, jmi=False)
    assert sends(moved(m, UserRejected())) == [(Outgoing.SESSION_TERMINATE, R.DECLINE)]


@pytest.mark.parametrize(
    ("jmi", "what"), [(True, Outgoing.REJECT), (False, Outgoing.SESSION_TERMINATE)]
)
def test_an_incoming_call_while_busy_is_declined_without_ringing(jmi: bool, what: Outgoing) -> None:
    m = CallMachine(CallRole.CALLEE, jmi=jmi)
    step = m.start(busy=True)
    assert (step.after, sends(step)) == (S.ENDED, [(what, R.BUSY)])
    assert m.ended == CallEnd(R.BUSY)
    assert m.ended.text == "Declined while you were in another call."
    assert isinstance(m.handle(UserAccepted()), Refused)


def test_caller_is_rejected() -> None:
    m = machine(CallRole.CALLER)
    moved(m, PeerRinging())
    step = moved(m, PeerRejected(R.BUSY))
    assert (step.after, sends(step)) == (S.ENDED, [])
    assert m.ended == CallEnd(R.BUSY, by_peer=True)
    assert m.ended.text == "The other side is busy."


@pytest.mark.parametrize("state_events", [(), (PeerRinging(),)])
def test_caller_cancels_with_retract(state_events: tuple[CallInput, ...]) -> None:
    m = machine(CallRole.CALLER)
    drive(m, *state_events)
    assert sends(moved(m, UserHungUp())) == [(Outgoing.RETRACT, R.CANCEL)]
    assert m.ended == CallEnd(R.CANCEL)


def test_caller_cancels_after_proceed_before_initiate() -> None:
    m = machine(CallRole.CALLER)
    drive(m, PeerProceeded())
    assert sends(moved(m, UserHungUp())) == [(Outgoing.RETRACT, R.CANCEL)]


def test_caller_cancels_while_initiating() -> None:
    m = machine(CallRole.CALLER)
    drive(m, PeerProceeded(), InitiateSent())
    step = moved(m, UserHungUp())
    assert sends(step) == [(Outgoing.SESSION_TERMINATE, R.CANCEL), (Outgoing.FINISH, R.CANCEL)]


def test_callee_misses_a_retracted_call() -> None:
    m = machine(CallRole.CALLEE)
    step = moved(m, PeerRetracted())
    assert sends(step) == []
    assert m.ended is not None
    assert m.ended.text == "Missed call."


@pytest.mark.parametrize(
    ("accepted", "text"),
    [(True, "Answered on another device."), (False, "Declined on another device.")],
)
def test_callee_answered_elsewhere(accepted: bool, text: str) -> None:
    m = machine(CallRole.CALLEE)
    step = moved(m, AnsweredElsewhere(accepted))
    assert (step.after, sends(step)) == (S.ENDED, [])
    assert m.ended is not None
    assert m.ended.elsewhere
    assert m.ended.text == text


# --- timers


def test_nobody_answers_the_caller() -> None:
    m = machine(CallRole.CALLER)
    drive(m, PeerRinging())
    step = moved(m, TimerExpired(Timer.RING))
    assert sends(step) == [(Outgoing.RETRACT, R.TIMEOUT)]
    assert m.ended is not None
    assert m.ended.text == "Nobody answered."


def test_callee_stops_ringing_after_the_ring_timeout() -> None:
    m = machine(CallRole.CALLEE)
    assert sends(moved(m, TimerExpired(Timer.RING))) == [(Outgoing.REJECT, R.TIMEOUT)]


def test_bare_caller_times_out_with_a_terminate() -> None:
    m = machine(CallRole.CALLER, jmi=False)
    assert sends(moved(m, TimerExpired(Timer.RING))) == [(Outgoing.SESSION_TERMINATE, R.TIMEOUT)]


@pytest.mark.parametrize("role", list(CallRole))
def test_ice_never_connects(role: CallRole) -> None:
    m = machine(role)
    if role is CallRole.CALLER:
        drive(m, PeerProceeded(), InitiateSent(), PeerAccepted())
    else:
        drive(m, UserAccepted(), PeerInitiated(), AcceptSent())
    assert m.state is S.CONNECTING
    step = moved(m, TimerExpired(Timer.CONNECT))
    assert sends(step) == [
        (Outgoing.SESSION_TERMINATE, R.CONNECTIVITY_ERROR),
        (Outgoing.FINISH, R.CONNECTIVITY_ERROR),
    ]
    assert m.ended is not None
    assert "relay" in m.ended.text


def test_callee_proceeded_but_no_session_initiate_arrives() -> None:
    m = machine(CallRole.CALLEE)
    drive(m, UserAccepted())
    assert sends(moved(m, TimerExpired(Timer.CONNECT))) == [(Outgoing.REJECT, R.CONNECTIVITY_ERROR)]


def test_stale_timers_are_refused() -> None:
    m = caller_active()
    for timer in Timer:
        step = m.handle(TimerExpired(timer))
        assert isinstance(step, Refused)
        assert "stale" in step.why
    assert m.state is S.ACTIVE


# --- failures and bad transitions


@pytest.mark.parametrize(
    "reason",
    [R.INCOMPATIBLE_PARAMETERS, R.SECURITY_ERROR, R.CONNECTIVITY_ERROR, R.FAILED_APPLICATION],
)
def test_a_failure_during_the_session_terminates_with_its_reason(reason: R) -> None:
    m = machine(CallRole.CALLEE)
    drive(m, UserAccepted(), PeerInitiated())
    step = moved(m, CallFailed(reason))
    assert sends(step) == [(Outgoing.SESSION_TERMINATE, reason), (Outgoing.FINISH, reason)]
    assert m.ended == CallEnd(reason)


def test_a_failure_before_the_session_uses_jmi() -> None:
    m = machine(CallRole.CALLER)
    assert sends(moved(m, CallFailed(R.CONNECTIVITY_ERROR))) == [
        (Outgoing.RETRACT, R.CONNECTIVITY_ERROR)
    ]


@pytest.mark.parametrize("reason", [R.GONE, R.BUSY, R.DECLINE, R.FAILED_TRANSPORT])
def test_peer_terminate_in_every_live_state(reason: R) -> None:
    for make in (caller_active, callee_active):
        m = make()
        step = moved(m, PeerTerminated(reason))
        assert step.after is S.ENDED
        assert m.ended == CallEnd(reason, by_peer=True)


@pytest.mark.parametrize(
    ("role", "events", "bad"),
    [
        (CallRole.CALLER, (), PeerAccepted()),
        (CallRole.CALLER, (), UserAccepted()),
        (CallRole.CALLER, (), PeerInitiated()),
        (CallRole.CALLER, (), PeerRetracted()),
        (CallRole.CALLER, (), AnsweredElsewhere(True)),
        (CallRole.CALLER, (), MediaConnected()),
        (CallRole.CALLER, (PeerProceeded(),), PeerProceeded()),
        (CallRole.CALLER, (PeerProceeded(), InitiateSent()), PeerRejected()),
        (CallRole.CALLEE, (), PeerInitiated()),
        (CallRole.CALLEE, (), PeerAccepted()),
        (CallRole.CALLEE, (), MediaConnected()),
        (CallRole.CALLEE, (UserAccepted(),), UserAccepted()),
        (CallRole.CALLEE, (UserAccepted(),), UserRejected()),
        (CallRole.CALLEE, (UserAccepted(), PeerInitiated()), PeerInitiated()),
    ],
)
def test_bad_transitions_are_refused_and_change_nothing(
    role: CallRole, events: tuple[CallInput, ...], bad: CallInput
) -> None:
    m = machine(role)
    drive(m, *events)
    before = m.state
    step = m.handle(bad)
    assert isinstance(step, Refused)
    assert step.state is before
    assert step.input == bad
    assert type(bad).__name__ in step.why
    assert m.state is before
    assert m.ended is None


def test_nothing_happens_after_the_end() -> None:
    m = caller_active()
    moved(m, UserHungUp())
    for event in (UserHungUp(), PeerTerminated(), MediaConnected(), TimerExpired(Timer.CONNECT)):
        step = m.handle(event)
        assert isinstance(step, Refused)
        assert "ended" in step.why


def test_start_is_needed_once() -> None:
    m = CallMachine(CallRole.CALLER)
    step = m.handle(PeerRinging())
    assert isinstance(step, Refused)
    assert "not been started" in step.why
    m.start()
    with pytest.raises(RuntimeError):
        m.start()


def test_every_live_state_can_end() -> None:
    """No state without a way out: hang-up, peer terminate and failure end every one."""
    paths: list[tuple[CallRole, bool, tuple[CallInput, ...]]] = [
        (CallRole.CALLER, True, ()),
        (CallRole.CALLER, True, (PeerRinging(),)),
        (CallRole.CALLER, True, (PeerProceeded(),)),
        (CallRole.CALLER, True, (PeerProceeded(), InitiateSent())),
        (CallRole.CALLER, True, (PeerProceeded(), InitiateSent(), PeerAccepted())),
        (CallRole.CALLER, False, ()),
        (CallRole.CALLEE, True, ()),
        (CallRole.CALLEE, True, (UserAccepted(),)),
        (CallRole.CALLEE, True, (UserAccepted(), PeerInitiated())),
        (CallRole.CALLEE, True, (UserAccepted(), PeerInitiated(), AcceptSent())),
        (CallRole.CALLEE, False, ()),
        (CallRole.CALLEE, False, (UserAccepted(),)),
    ]
    for role, jmi, events in paths:
        for ending in (
            UserHungUp(),
            PeerTerminated(R.GONE),
            CallFailed(),
            TimerExpired(Timer.CONNECT),
        ):
            m = machine(role, jmi=jmi)
            drive(m, *events)
            step = moved(m, ending)
            assert step.after is S.ENDED, (role, jmi, events, ending)
            assert m.ended is not None
