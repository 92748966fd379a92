"""GUI test fixtures: offscreen Qt, a qasync loop per test, the core over fakes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from tests.fakes import Core, make_core


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
