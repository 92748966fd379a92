"""Questions the core asks the user, and their answers.

The core never holds a GUI callback: it publishes ``DecisionRequested`` and awaits
a future; the GUI (or a policy, or a test) calls ``resolve``. Imports ``domain``
and ``core.bus`` only.
"""

from __future__ import annotations

import asyncio
import itertools
import logging

from siproxylin.core.bus import EventBus
from siproxylin.domain.events import DecisionClosed, DecisionRequested
from siproxylin.domain.ids import AccountId
from siproxylin.domain.models import DecisionKind

log = logging.getLogger(__name__)


class Decisions:
    """Keeps the open questions; each one is answered once, with True or False."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._ids = itertools.count(1)
        self._open: dict[int, asyncio.Future[bool]] = {}
        self._requests: dict[int, DecisionRequested] = {}

    def ask(
        self, account: AccountId, kind: DecisionKind, subject: str, text: str
    ) -> asyncio.Future[bool]:
        """Publish a question and return the future its answer will complete.

        Args:
            account: The account concerned.
            kind: What kind of question it is.
            subject: What it is about (an address, a fingerprint).
            text: The question as shown to the user.

        Returns:
            A future resolved by ``resolve``; cancelled by ``cancel_account``.
        """
        decision_id = next(self._ids)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._open[decision_id] = future
        request = DecisionRequested(account, decision_id, kind, subject, text)
        self._requests[decision_id] = request
        future.add_done_callback(lambda _f: self._forget(decision_id))
        self._bus.publish(request)
        return future

    def pending(self) -> list[DecisionRequested]:
        """Questions not answered yet, oldest first."""
        return list(self._requests.values())

    def resolve(self, decision_id: int, answer: bool) -> bool:
        """Answer a question; returns False when it was already answered or unknown."""
        future = self._open.get(decision_id)
        if future is None or future.done():
            return False
        future.set_result(answer)
        return True

    def cancel_account(self, account: AccountId) -> None:
        """Drop the open questions of an account (it was disabled or removed)."""
        for decision_id, request in list(self._requests.items()):
            if request.account == account:
                self._open[decision_id].cancel()

    def _forget(self, decision_id: int) -> None:
        self._open.pop(decision_id, None)
        request = self._requests.pop(decision_id, None)
        if request is not None:
            self._bus.publish(DecisionClosed(request.account, decision_id))
