"""Notifications in core and GUI tests: the real service over memory settings.

``MemorySettings`` stands in for the settings table (the same typed reads as
``store/settings.py``: text is not read as a number and back); ``notifications``
builds ``NotificationService`` over a core from ``make_core`` and records what
it publishes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from siproxylin.core.services.notifications import NotificationService
from siproxylin.core.services.preferences import PreferencesService
from siproxylin.domain.events import Event
from siproxylin.domain.ids import AccountId
from siproxylin.domain.notifications import NotificationRequested, NotificationWithdrawn
from tests.fakes import Core

Stored = str | int


class MemorySettings:
    """SettingsRepo over a dict (booleans kept as 0/1, like the store)."""

    def __init__(self) -> None:
        self.values: dict[tuple[AccountId | None, str], Stored] = {}

    def get_str(self, key: str, default: str = "", account: AccountId | None = None) -> str:
        value = self.values.get((account, key))
        return value if isinstance(value, str) else default

    def get_int(self, key: str, default: int = 0, account: AccountId | None = None) -> int:
        value = self.values.get((account, key))
        return value if isinstance(value, int) else default

    def get_bool(self, key: str, default: bool = False, account: AccountId | None = None) -> bool:
        value = self.values.get((account, key))
        return bool(value) if isinstance(value, int) else default

    def set(self, key: str, value: str | int | bool, account: AccountId | None = None) -> None:
        self.values[(account, key)] = int(value) if isinstance(value, bool) else value

    def delete(self, key: str, account: AccountId | None = None) -> None:
        self.values.pop((account, key), None)


@dataclass
class Notifications:
    """The service under test, its preferences and what it published."""

    service: NotificationService
    preferences: PreferencesService
    settings: MemorySettings
    requested: list[NotificationRequested] = field(default_factory=list)
    withdrawn: list[NotificationWithdrawn] = field(default_factory=list)

    def record(self, event: Event) -> None:
        if isinstance(event, NotificationRequested):
            self.requested.append(event)
        elif isinstance(event, NotificationWithdrawn):
            self.withdrawn.append(event)

    @property
    def shown(self) -> list[tuple[str, str]]:
        """(title, body) of every request, in order."""
        return [(event.title, event.body) for event in self.requested]


def notifications(core: Core, now: list[float] | None = None) -> Notifications:
    """A NotificationService over ``core`` (``now[0]`` is its clock, when given)."""
    settings = MemorySettings()
    preferences = PreferencesService(core.bus, settings)
    service = NotificationService(
        core.bus,
        preferences,
        roster=core.roster,
        rooms=core.rooms,
        blocking=core.blocking,
        clock=(lambda: now[0]) if now is not None else time.time,
    )
    service.burst_window = 0  # tests of bursts set their own
    result = Notifications(service, preferences, settings)
    core.bus.subscribe(Event, result.record)
    return result
