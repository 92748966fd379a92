"""Calls in words (``gui.call_labels``) and the presenter's history merge."""

from __future__ import annotations

import time
from dataclasses import replace

from siproxylin.core.bus import EventBus
from siproxylin.domain.call_info import CallDetails, CallDirection, CallInfo, CallState
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.gui.bridge import EventBridge
from siproxylin.gui.call_labels import (
    CALLING,
    CONNECTING,
    INCOMING,
    clock_text,
    duration_text,
    history_line,
    needs_answer,
    record_of,
    relays_only,
    state_text,
)
from siproxylin.gui.presenters.calls import CallsPresenter
from tests.calls_api_fakes import LEAKY_DETAILS, RELAY_DETAILS, FakeCalls

ACCOUNT = AccountId(1)
BOB = Jid.parse("bob@x.org")


def call(**changes: object) -> CallInfo:
    base = CallInfo("c1", ACCOUNT, BOB, CallDirection.OUTGOING, CallState.PROPOSED, 1000.0)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_durations() -> None:
    assert duration_text(0) == "0:00"
    assert duration_text(133.9) == "2:13"
    assert duration_text(3725) == "1:02:05"
    assert clock_text(65) == "01:05"
    assert clock_text(3725) == "1:02:05"


def test_state_lines() -> None:
    assert state_text(call(), 1000) == CALLING
    assert state_text(call(state=CallState.RINGING), 1000) == "Ringing…"
    assert (
        state_text(call(state=CallState.RINGING, direction=CallDirection.INCOMING), 0) == INCOMING
    )
    assert state_text(call(state=CallState.INITIATING), 1000) == CONNECTING
    assert state_text(call(state=CallState.ACTIVE, connected=1000), 1075) == "01:15"
    assert state_text(call(state=CallState.ENDED, end_text="Bob declined"), 0) == "Bob declined"
    assert needs_answer(call(direction=CallDirection.INCOMING))
    assert not needs_answer(call(direction=CallDirection.INCOMING, state=CallState.PROCEEDING))


def test_history_lines() -> None:
    now = time.time()
    ended = call(started=now, connected=now + 5, ended=now + 138, state=CallState.ENDED)
    assert history_line(record_of(ended), now).startswith("Outgoing call · 2:13 · ")
    incoming = replace(ended, direction=CallDirection.INCOMING)
    assert history_line(record_of(incoming), now).startswith("Call · 2:13 · ")
    missed = call(direction=CallDirection.INCOMING, missed=True, started=now)
    assert history_line(record_of(missed), now).startswith("Missed call · ")
    assert history_line(record_of(call(started=now)), now).startswith("Outgoing call, not answered")


def test_relays_only() -> None:
    assert relays_only(RELAY_DETAILS)
    assert relays_only(replace(RELAY_DETAILS, chosen_local=""))
    assert not relays_only(LEAKY_DETAILS)
    assert not relays_only(replace(RELAY_DETAILS, chosen_local="192.168.1.4:5000"))
    assert not relays_only(CallDetails())


def test_history_adds_calls_ended_this_run_that_the_store_lacks() -> None:
    bus = EventBus()
    fake = FakeCalls(bus)
    presenter = CallsPresenter(fake)
    bridge = EventBridge(bus, schedule=lambda _drain: None)
    presenter.register(bridge)
    fake.push(call(call_id="a", state=CallState.ENDED, started=10.0))
    fake.records.clear()  # the store has not written it yet
    fake.push(call(call_id="b", state=CallState.ENDED, started=20.0))
    bridge.flush()
    assert [r.call_id for r in presenter.history(ACCOUNT, BOB)] == ["a", "b"]
    assert [r.call_id for r in presenter.history(ACCOUNT, BOB, 1)] == ["b"]
