"""A typed front for ``qasync.asyncSlot``: run a coroutine method from a Qt signal.

qasync ships no type information, so this module is the one place that casts it.
The task's failure goes to ``sys.excepthook`` (qasync's behaviour); slots catch
the errors they can explain to the user themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, cast

import qasync

P = ParamSpec("P")
_Decorator = Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, asyncio.Task[None]]]


def async_slot(
    fn: Callable[P, Coroutine[Any, Any, None]],
) -> Callable[P, asyncio.Task[None]]:
    """Decorate a coroutine function so calling it schedules a task on the loop."""
    decorate = cast("_Decorator[P]", qasync.asyncSlot())
    return decorate(fn)
