"""Reconnect delays: exponential backoff with jitter.

Pure logic, stdlib only. Jitter ("equal jitter") keeps many clients that lost
the same server from all coming back in the same second.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(slots=True)
class Backoff:
    """Delay before the next attempt: base * 2**n, capped, half of it random.

    Attributes:
        base: Delay before the first retry, seconds.
        cap: Longest delay, seconds.
        attempts: Failed attempts so far.
    """

    base: float = 1.0
    cap: float = 120.0
    attempts: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def next_delay(self) -> float:
        """Count one more failure and return how long to wait before retrying."""
        ceiling = min(self.cap, self.base * float(2 ** min(self.attempts, 30)))
        self.attempts += 1
        return ceiling / 2 + self._random.uniform(0, ceiling / 2)

    def reset(self) -> None:
        """Forget past failures (after a successful login)."""
        self.attempts = 0
