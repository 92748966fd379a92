"""The one bus subscriber on the Qt side: queue events, drain them once per loop turn.

Owns the hop from the core's synchronous bus to the GUI. Publishing only appends
to a list; the first event of a turn schedules one drain (a zero-delay Qt timer,
so it also runs under a plain Qt event loop). The drain groups the queued events
by type and calls each registered handler once with the whole batch, so a flood
(10,000 ``MessageStored`` after a catch-up, 500 ``PresenceChanged`` on login)
becomes one model update. Within a type the order is kept; batches of different
types run in the order their first event arrived, so handlers apply state rather
than depend on interleaving across types.

Imports ``domain`` and ``core.bus``; Qt only for the timer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

from PySide6.QtCore import QTimer

from siproxylin.core.bus import EventBus
from siproxylin.domain.events import Event

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
BatchHandler = Callable[[Sequence[Event]], None]
Scheduler = Callable[[Callable[[], None]], None]


def qt_soon(callback: Callable[[], None]) -> None:
    """Run ``callback`` on the next turn of the Qt event loop."""
    QTimer.singleShot(0, callback)


class EventBridge:
    """Collects bus events and hands them to presenters in per-type batches."""

    def __init__(self, bus: EventBus, schedule: Scheduler = qt_soon) -> None:
        self._schedule = schedule
        self._queue: list[Event] = []
        self._scheduled = False
        self._closed = False
        self._handlers: dict[type[Event], list[BatchHandler]] = {}
        self._routes: dict[type[Event], tuple[BatchHandler, ...]] = {}
        self.drains = 0  # how many batches were dispatched; tests and benchmarks read it
        self._unsubscribe = bus.subscribe(Event, self._on_event)

    def register(self, kind: type[E], handler: Callable[[Sequence[E]], None]) -> None:
        """Call ``handler`` once per turn with ``kind`` events (subclasses too)."""
        self._handlers.setdefault(kind, []).append(cast("BatchHandler", handler))
        self._routes.clear()

    def flush(self) -> None:
        """Dispatch what is queued now instead of waiting for the loop."""
        self._drain()

    def close(self) -> None:
        """Stop listening to the bus and drop anything queued."""
        self._closed = True
        self._unsubscribe()
        self._queue.clear()

    # --- hot path ----------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        route = self._routes.get(type(event))
        if route is None:
            route = self._route(type(event))
        if not route:
            return  # nobody on the GUI side cares: do not even queue it
        self._queue.append(event)
        if not self._scheduled:
            self._scheduled = True
            self._schedule(self._drain)

    def _drain(self) -> None:
        self._scheduled = False
        if self._closed or not self._queue:
            return
        queue, self._queue = self._queue, []
        batches: dict[type[Event], list[Event]] = {}
        for event in queue:
            kind = type(event)
            batch = batches.get(kind)
            if batch is None:
                batches[kind] = batch = []
            batch.append(event)
        self.drains += 1
        for kind, events in batches.items():
            for handler in self._routes.get(kind) or self._route(kind):
                try:
                    handler(events)
                except Exception:
                    log.exception("GUI handler failed on %d %s", len(events), kind.__name__)

    def _route(self, kind: type[Event]) -> tuple[BatchHandler, ...]:
        route = tuple(handler for base in kind.__mro__ for handler in self._handlers.get(base, ()))
        self._routes[kind] = route
        return route
