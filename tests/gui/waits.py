"""Waiting inside a test's coroutine while the qasync loop (and so Qt) runs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(predicate: Callable[[], object], seconds: float = 3.0) -> None:
    """Let the loop run until ``predicate()`` is true; fail after ``seconds``."""
    try:
        async with asyncio.timeout(seconds):
            while not predicate():  # noqa: ASYNC110 - polls Qt state
                await asyncio.sleep(0.005)
    except TimeoutError:
        raise AssertionError("condition not met in time") from None


async def turns(count: int = 3) -> None:
    """Let the loop run a few turns (so the bridge drains)."""
    for _ in range(count):
        await asyncio.sleep(0)
