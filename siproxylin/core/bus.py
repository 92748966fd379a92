"""The event bus: typed publish/subscribe between adapters, core services and the GUI bridge.

Imports only ``siproxylin.domain``. Delivery is synchronous and in subscription
order; a subscriber that raises is logged and the others still run. Handlers
subscribe to an event class and receive its subclasses too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from siproxylin.domain.events import Event

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[E], None]


class EventBus:
    """Routes each published event to the handlers of its class and its bases."""

    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[Callable[[Event], None]]] = {}
        self._route_cache: dict[type[Event], tuple[Callable[[Event], None], ...]] = {}

    def subscribe(self, kind: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Call ``handler`` for every published ``kind`` (and subclass) event.

        Args:
            kind: The event class.
            handler: Called synchronously with the event.

        Returns:
            A function that removes the subscription.
        """
        entry: Callable[[Event], None] = handler  # type: ignore[assignment]
        self._handlers.setdefault(kind, []).append(entry)
        self._route_cache.clear()

        def unsubscribe() -> None:
            handlers = self._handlers.get(kind, [])
            if entry in handlers:
                handlers.remove(entry)
                self._route_cache.clear()

        return unsubscribe

    def publish(self, event: Event) -> None:
        """Deliver ``event`` to its subscribers, in order."""
        kind = type(event)
        route = self._route_cache.get(kind)
        if route is None:
            route = tuple(
                handler for base in kind.__mro__ for handler in self._handlers.get(base, ())
            )
            self._route_cache[kind] = route
        for handler in route:
            try:
                handler(event)
            except Exception:
                log.exception("subscriber failed on %s", kind.__name__)
