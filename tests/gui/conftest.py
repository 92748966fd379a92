"""GUI test fixtures: offscreen Qt, a qasync loop per test, the core over fakes."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qasync
from PySide6.QtCore import QEvent
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


@pytest.fixture(autouse=True)
def _collect_qt_objects(qapp: QApplication) -> Iterator[None]:
    """After each test: delete what it left behind now, between events.

    Left to Python's cyclic collector, a test's widgets and models can be freed
    in the middle of a later test's event processing, with a timer of theirs
    still queued: the process crashes far from the test that left them.
    """
    yield
    gc.collect()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    QApplication.processEvents()
