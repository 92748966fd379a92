"""Waiting inside a test's coroutine while the qasync loop (and so Qt) runs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(predicate: Callable[[], object], timeout: float = 3.0) -> None:
    """Let the loop run until ``predicate()`` is true; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


async def turns(count: int = 3) -> None:
    """Let the loop run a few turns (so the bridge drains)."""
    for _ in range(count):
        await asyncio.sleep(0)
