"""A whole headless Siproxylin (store, core, XMPP adapter) for one account, for tests.

Records every bus event and lets a test wait for the one it expects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from siproxylin.app.bootstrap import Application, build_application
from siproxylin.app.logs import LogSettings
from siproxylin.app.paths import resolve_paths
from siproxylin.domain.config import AccountConfig, LogLevel, TlsPolicy
from siproxylin.domain.events import AccountStateChanged, Event
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ConnectionState

E = TypeVar("E", bound=Event)


@dataclass
class EventLog:
    """Every event published on a bus, with waiting."""

    events: list[Event] = field(default_factory=list)
    _waiters: list[tuple[Callable[[Event], bool], asyncio.Future[Event]]] = field(
        default_factory=list
    )

    def record(self, event: Event) -> None:
        self.events.append(event)
        for waiter in list(self._waiters):
            predicate, future = waiter
            if not future.done() and predicate(event):
                future.set_result(event)
                self._waiters.remove(waiter)

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait(
        self,
        kind: type[E],
        where: Callable[[E], bool] = lambda _e: True,
        timeout: float = 15.0,
        since: int = 0,
    ) -> E:
        """The first ``kind`` event (from index ``since``) matching ``where``."""
        for event in self.events[since:]:
            if isinstance(event, kind) and where(event):
                return event
        future: asyncio.Future[Event] = asyncio.get_running_loop().create_future()
        self._waiters.append((lambda e: isinstance(e, kind) and where(e), future))  # type: ignore[arg-type]
        try:
            return await asyncio.wait_for(future, timeout)  # type: ignore[return-value]
        except TimeoutError:
            raise AssertionError(
                f"no {kind.__name__} within {timeout}s; last events: {self.events[-8:]}"
            ) from None

    def mark(self) -> int:
        return len(self.events)


@dataclass
class Client:
    """One running client with one account."""

    app: Application
    log: EventLog
    account: AccountId
    config: AccountConfig

    @property
    def jid(self) -> Jid:
        return self.config.jid

    async def wait_state(
        self, state: ConnectionState, timeout: float = 15.0
    ) -> AccountStateChanged:
        if self.app.accounts.status(self.account).state is state:
            return AccountStateChanged(self.account, self.app.accounts.status(self.account))
        return await self.log.wait(
            AccountStateChanged, lambda e: e.status.state is state, timeout, since=self.log.mark()
        )

    async def stop(self) -> None:
        await self.app.stop()

    @property
    def stream(self) -> Any:
        session = self.app.accounts.session(self.account)
        assert session is not None
        assert session.xmpp is not None
        return session.xmpp.stream  # type: ignore[attr-defined]


async def start_client(
    root: Path,
    jid: str,
    password: str,
    host: str,
    port: int,
    ca_file: str | None,
    *,
    resource: str = "siproxylin",
    wait_online: bool = True,
    app_options: dict[str, Any] | None = None,
    **overrides: Any,
) -> Client:
    """Build an application in ``root`` and add (and connect) one account.

    ``app_options`` go to ``build_application`` (call media, call timeouts).
    """
    paths = resolve_paths(data_dir=root)
    app = build_application(
        paths,
        LogSettings(LogLevel.DEBUG, protocol=True),
        backoff_base=0.2,
        **(app_options or {}),
    )
    log = EventLog()
    app.bus.subscribe(Event, log.record)
    config = AccountConfig(
        id=AccountId(0),
        jid=Jid.parse(jid),
        resource=resource,
        server_host=host,
        server_port=port,
        tls=TlsPolicy(ca_file=ca_file or ""),
    )
    config = replace(config, **overrides)
    stored = await app.accounts.add_account(config, password)
    client = Client(app, log, stored.id, stored)
    if wait_online:
        await log.wait(AccountStateChanged, lambda e: e.status.state is ConnectionState.ONLINE)
    return client
