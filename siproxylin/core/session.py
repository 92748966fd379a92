"""One account at run time: its XMPP session, its connection state machine, its tasks.

States: disabled -> connecting -> online -> reconnecting(backoff) -> failed(reason).
Authentication, certificate and conflict failures stop the account (no reconnect
storm); network and proxy failures are retried with backoff and jitter. Imports
``domain`` and ``core`` only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from siproxylin.core.backoff import Backoff
from siproxylin.core.bus import EventBus
from siproxylin.core.ports import XmppSession, XmppSessionFactory
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.errors import FailureReason
from siproxylin.domain.events import AccountStateChanged, SessionEnded, SessionStarted
from siproxylin.domain.models import AccountStatus, ConnectionState

log = logging.getLogger(__name__)

_FAILURE_TEXT = {
    FailureReason.AUTH: "The server refused the password for this account.",
    FailureReason.TLS: "The server's certificate is not trusted; the connection was refused.",
    FailureReason.CONFLICT: "Another client took over this account's resource.",
    FailureReason.CONFIG: "The account's settings are incomplete.",
    FailureReason.PROXY_AUTH: "The proxy refused the user name or password.",
}


class AccountSession:
    """Drives one account's connection; published state is always the truth."""

    def __init__(
        self,
        config: AccountConfig,
        password: str | None,
        factory: XmppSessionFactory,
        bus: EventBus,
        backoff: Backoff | None = None,
    ) -> None:
        self.config = config
        self._password = password
        self._factory = factory
        self._bus = bus
        self._backoff = backoff or Backoff()
        self._xmpp: XmppSession | None = None
        self._status = AccountStatus(ConnectionState.DISABLED)
        self._retry: asyncio.TimerHandle | None = None
        self.proxy_note = ""  # set when the proxy's name had to be looked up locally
        self._tasks: set[asyncio.Task[Any]] = set()
        self.log = logging.LoggerAdapter(
            logging.getLogger(f"siproxylin.account.{config.id}"), {"account": config.id}
        )

    @property
    def status(self) -> AccountStatus:
        """The current state."""
        return self._status

    @property
    def xmpp(self) -> XmppSession | None:
        """The XMPP session while the account is enabled."""
        return self._xmpp

    @property
    def online(self) -> bool:
        """True while the account has an authenticated stream."""
        return self._status.state is ConnectionState.ONLINE

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` as one of this account's tasks (cancelled on disable)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    async def enable(self) -> None:
        """Create the XMPP session and start connecting."""
        if self._xmpp is not None:
            return
        if not self._password:
            self._set(
                AccountStatus(
                    ConnectionState.FAILED,
                    FailureReason.CONFIG,
                    "No password is stored for this account.",
                )
            )
            return
        self._xmpp = self._factory(self.config, self._password, self._bus)
        self._backoff.reset()
        await self._connect(ConnectionState.CONNECTING)

    async def disable(self) -> None:
        """Disconnect, cancel every task of the account, and mark it disabled."""
        self._cancel_retry()
        xmpp, self._xmpp = self._xmpp, None
        self._set(AccountStatus(ConnectionState.DISABLED))
        if xmpp is not None:
            await xmpp.disconnect()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def reconnect_now(self) -> None:
        """Retry at once (user asked, or a failed account was fixed)."""
        if self._xmpp is None:
            await self.enable()
            return
        self._cancel_retry()
        self._backoff.reset()
        await self._connect(ConnectionState.CONNECTING)

    def update_password(self, password: str) -> None:
        """Use ``password`` from the next session on."""
        self._password = password

    def on_session_started(self, event: SessionStarted) -> None:
        """The stream is up: online, and the backoff starts over."""
        if self._xmpp is None:
            return
        self._cancel_retry()
        self._backoff.reset()
        self.log.info("online as %s (resumed=%s)", event.bound, event.resumed)
        self._set(AccountStatus(ConnectionState.ONLINE))

    def on_session_ended(self, event: SessionEnded) -> None:
        """The stream is gone: retry later, or stop for good on a fatal reason."""
        if self._xmpp is None or self._status.state is ConnectionState.DISABLED:
            return
        if self._status.state is ConnectionState.FAILED:
            return  # a fatal reason was already reported for this attempt
        if not event.reason.retryable:
            self._cancel_retry()
            detail = event.detail or _FAILURE_TEXT.get(event.reason, "")
            self.log.warning("stopped: %s: %s", event.reason.value, detail)
            self._set(AccountStatus(ConnectionState.FAILED, event.reason, detail))
            return
        if self._retry is not None:
            return  # already waiting
        delay = self._backoff.next_delay()
        self.log.info(
            "connection lost (%s: %s); retry in %.1f s", event.reason.value, event.detail, delay
        )
        self._set(
            AccountStatus(
                ConnectionState.RECONNECTING,
                event.reason,
                event.detail,
                retry_in=delay,
                retry_at=time.time() + delay,
            )
        )
        loop = asyncio.get_running_loop()
        self._retry = loop.call_later(delay, self._retry_due)

    def _retry_due(self) -> None:
        self._retry = None
        if self._xmpp is not None:
            self.spawn(self._connect(ConnectionState.RECONNECTING))

    async def _connect(self, state: ConnectionState) -> None:
        assert self._xmpp is not None
        if state is ConnectionState.CONNECTING:
            self._set(AccountStatus(ConnectionState.CONNECTING))
        await self._xmpp.connect()

    def _cancel_retry(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None

    def _set(self, status: AccountStatus) -> None:
        if status == self._status:
            return
        self._status = status
        self._bus.publish(AccountStateChanged(self.config.id, status))

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.log.error("account task failed", exc_info=task.exception())


SessionLookup = Callable[[int], AccountSession | None]
