"""EventBridge: per-type batches once per turn, filtering, isolation of failures."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import pytest
from pytestqt.qtbot import QtBot

from siproxylin.core.bus import EventBus
from siproxylin.domain.events import (
    AccountRemoved,
    Event,
    MessageAcked,
    PresenceChanged,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Availability
from siproxylin.gui.bridge import EventBridge


class ManualTurns:
    """A scheduler the test runs by hand: one call of ``run`` is one loop turn."""

    def __init__(self) -> None:
        self.pending: list[Callable[[], None]] = []

    def __call__(self, callback: Callable[[], None]) -> None:
        self.pending.append(callback)

    def run(self) -> None:
        pending, self.pending = self.pending, []
        for callback in pending:
            callback()


def presence(jid: str, account: int = 1) -> PresenceChanged:
    return PresenceChanged(AccountId(account), Jid.parse(jid), Availability.ONLINE)


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


def test_events_of_one_turn_arrive_as_one_batch_per_type(bus: EventBus) -> None:
    turns = ManualTurns()
    bridge = EventBridge(bus, turns)
    presences: list[Sequence[PresenceChanged]] = []
    removals: list[Sequence[AccountRemoved]] = []
    bridge.register(PresenceChanged, presences.append)
    bridge.register(AccountRemoved, removals.append)

    bus.publish(presence("a@x.org"))
    bus.publish(AccountRemoved(AccountId(2)))
    bus.publish(presence("b@x.org"))
    bus.publish(presence("c@x.org"))

    assert len(turns.pending) == 1  # one drain scheduled for the whole turn
    assert presences == []  # nothing is delivered synchronously
    turns.run()
    assert [[str(e.jid) for e in batch] for batch in presences] == [
        ["a@x.org", "b@x.org", "c@x.org"]
    ]
    assert removals == [[AccountRemoved(AccountId(2))]]
    assert bridge.drains == 1


def test_a_new_turn_schedules_a_new_drain(bus: EventBus) -> None:
    turns = ManualTurns()
    bridge = EventBridge(bus, turns)
    batches: list[Sequence[PresenceChanged]] = []
    bridge.register(PresenceChanged, batches.append)
    bus.publish(presence("a@x.org"))
    turns.run()
    bus.publish(presence("b@x.org"))
    assert len(turns.pending) == 1
    turns.run()
    assert len(batches) == 2


def test_events_nobody_registered_for_are_not_queued(bus: EventBus) -> None:
    turns = ManualTurns()
    bridge = EventBridge(bus, turns)
    bridge.register(PresenceChanged, lambda _batch: None)
    bus.publish(MessageAcked(AccountId(1), "x"))
    assert turns.pending == []


def test_a_base_class_handler_gets_every_subclass(bus: EventBus) -> None:
    turns = ManualTurns()
    bridge = EventBridge(bus, turns)
    seen: list[Event] = []
    bridge.register(Event, seen.extend)
    bus.publish(presence("a@x.org"))
    bus.publish(MessageAcked(AccountId(1), "x"))
    turns.run()
    assert [type(e) for e in seen] == [PresenceChanged, MessageAcked]


def test_a_failing_handler_does_not_stop_the_others(
    bus: EventBus, caplog: pytest.LogCaptureFixture
) -> None:
    turns = ManualTurns()
    bridge = EventBridge(bus, turns)
    seen: list[Sequence[PresenceChanged]] = []

    def broken(_batch: Sequence[PresenceChanged]) -> None:
        raise RuntimeError("boom")

    bridge.register(PresenceChanged, broken)
    bridge.register(PresenceChanged, seen.append)
    with caplog.at_level(logging.ERROR, logger="siproxylin.gui.bridge"):
        bus.publish(presence("a@x.org"))
        turns.run()
    assert len(seen) == 1
    assert "GUI handler failed" in caplog.text


def test_close_stops_listening(bus: EventBus) -> None:
    turns = ManualTurns()
    bridge = EventBridge(bus, turns)
    seen: list[Sequence[PresenceChanged]] = []
    bridge.register(PresenceChanged, seen.append)
    bus.publish(presence("a@x.org"))
    bridge.close()
    turns.run()
    bus.publish(presence("b@x.org"))
    turns.run()
    assert seen == []


def test_the_default_scheduler_drains_on_the_next_qt_turn(bus: EventBus, qtbot: QtBot) -> None:
    bridge = EventBridge(bus)
    seen: list[Sequence[PresenceChanged]] = []
    bridge.register(PresenceChanged, seen.append)
    for number in range(500):
        bus.publish(presence(f"c{number}@x.org"))
    assert seen == []
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert len(seen[0]) == 500
