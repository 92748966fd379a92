"""Fixtures for GUI tests: offscreen Qt, one qasync loop per test, the core over fakes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from .fakes import Core, make_core  # noqa: E402


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop over the test's QApplication, set as the current loop."""
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def core(qloop: asyncio.AbstractEventLoop) -> Core:
    """Real core services over in-memory repos and a fake XMPP session factory."""
    return make_core()

