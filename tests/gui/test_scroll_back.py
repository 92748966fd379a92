"""Scrolling back: stored messages first, then the server archive, notes above the list;
and a 1,000-occupant room joining through the real core into the occupant list."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from siproxylin.domain.events import (
    HistorySyncStateChanged,
    OccupantsReceived,
    RoomJoined,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, OccupantChange, Role
from siproxylin.gui.presenters.chat import BEGINNING, LOADING_OLDER, SYNCING
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.window import create_main_window
from tests.unit.core.test_history import FakeArchive

from .room_support import RoomCore, make_room_core, occupant, online, settle
from .waits import until

ROOM = Jid.parse("lobby@conference.x.org")
ALICE = Jid.parse("alice@x.org")
PAGE = 20


@pytest.fixture
def room_core(tmp_path: Path, qloop: asyncio.AbstractEventLoop) -> Iterator[RoomCore]:
    core = make_room_core(tmp_path / "siproxylin.db", page_size=PAGE)
    yield core
    qloop.run_until_complete(core.accounts.shutdown())
    core.db.close()


@pytest.fixture
def window(room_core: RoomCore, qtbot: QtBot) -> MainWindow:
    win = create_main_window(room_core.services)
    qtbot.addWidget(win)
    win.resize(900, 600)
    win.show()
    return win


def run(loop: asyncio.AbstractEventLoop, scenario: Coroutine[Any, Any, None]) -> None:
    loop.run_until_complete(scenario)


class GatedArchive(FakeArchive):
    """A fake archive whose answers wait until ``gate`` is open."""

    def __init__(self, account: AccountId, own: Jid) -> None:
        super().__init__(account, own)
        self.gate = asyncio.Event()
        self.gate.set()

    async def query(self, archive: Jid | None, **kwargs: Any) -> Any:
        await self.gate.wait()
        return await super().query(archive, **kwargs)


def bodies(window: MainWindow) -> list[str]:
    return [message.body for message in window.chat.model.messages()]


async def room_with_archive(
    core: RoomCore, count: int, live: int
) -> tuple[AccountId, GatedArchive]:
    """A room whose archive holds ``count`` messages; the newest ``live`` arrived live."""
    account = await online(core)
    archive = GatedArchive(account, Jid.parse("me@x.org"))
    items = [archive.add(ROOM, f"message {n}", archive=ROOM) for n in range(count)]
    core.xmpp(account).archive = archive
    for item in items[-live:]:
        core.bus.publish(archive._event(item, ROOM))
    await settle()
    return account, archive


def test_scrolling_back_pages_the_archive_until_its_beginning(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account, archive = await room_with_archive(room_core, 45, live=10)
        window.open_chat(account, ROOM, ChatKind.GROUPCHAT)
        await settle()
        assert bodies(window) == [f"message {n}" for n in range(35, 45)]
        view = window.chat_view
        assert not view.history_label.isVisible()
        archive.gate.clear()
        view.request_older()
        await until(lambda: view.history_label.text() == LOADING_OLDER)
        assert view.history_label.isVisible()
        view.request_older()  # already loading: no second query
        archive.gate.set()
        await until(lambda: not window.chat.loading_older)
        await until(lambda: len(bodies(window)) == 30)
        assert bodies(window) == [f"message {n}" for n in range(15, 45)]  # in time order
        assert archive.queries[-1].before == "A00036"
        assert len(archive.queries) == 1  # the second request while loading asked nothing
        view.request_older()
        await until(lambda: len(bodies(window)) == 45)
        await until(lambda: not window.chat.loading_older)
        assert bodies(window)[:3] == ["message 0", "message 1", "message 2"]
        asked = len(archive.queries)
        view.request_older()  # the archive said it was complete: nothing more is asked
        await until(lambda: view.history_label.text() == BEGINNING)
        assert len(archive.queries) == asked
        view.request_older()
        await settle()
        assert len(archive.queries) == asked

    run(qloop, scenario())


def test_stored_older_messages_come_before_the_archive(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        xmpp = room_core.xmpp(account)
        for n in range(230):
            xmpp.receive_message("alice@x.org/r", f"line {n}", 1_700_000_000.0 + n)
        await settle()
        window.open_chat(account, ALICE)
        await settle()
        assert len(bodies(window)) == 200
        assert await window.chat.load_older() == 30
        assert bodies(window)[0] == "line 0"
        assert len(bodies(window)) == 230
        # Nothing older stored and no archive: the load fails and says so.
        assert await window.chat.load_older() == 0
        assert window.chat_view.history_label.text().startswith("Older messages not loaded")

    run(qloop, scenario())


def test_scrolling_to_the_top_asks_for_older_messages(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account, archive = await room_with_archive(room_core, 80, live=40)
        window.open_chat(account, ROOM, ChatKind.GROUPCHAT)
        await asyncio.sleep(0.05)
        bar = window.chat_view.messages.verticalScrollBar()
        await until(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
        assert archive.queries == []
        bar.setValue(bar.minimum())
        await until(lambda: len(bodies(window)) == 60)
        assert archive.queries[-1].before == "A00041"
        # The rows on screen stay where they were: the view is not at the top any more.
        await until(lambda: bar.value() > bar.minimum())

    run(qloop, scenario())


def test_a_catch_up_shows_syncing_history(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        room_core.xmpp(account).receive_message("alice@x.org/r", "hi")
        window.open_chat(account, ALICE)
        await settle()
        label = window.chat_view.history_label
        room_core.bus.publish(HistorySyncStateChanged(account, ROOM, syncing=True))
        await settle()
        assert not label.isVisible()  # another archive
        room_core.bus.publish(HistorySyncStateChanged(account, Jid.parse("me@x.org"), True))
        await until(lambda: label.text() == SYNCING)
        room_core.bus.publish(
            HistorySyncStateChanged(account, Jid.parse("me@x.org"), False, 3, True)
        )
        await until(lambda: not label.isVisible())

    run(qloop, scenario())


def test_a_thousand_occupants_join_as_one_model_reset(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        await room_core.rooms.join(account, ROOM, "me")
        window.open_chat(account, ROOM, ChatKind.GROUPCHAT)
        await settle()
        assert window.rooms is not None
        model = window.rooms.occupants
        counts = {"resets": 0, "inserts": 0}
        model.modelReset.connect(lambda: counts.__setitem__("resets", counts["resets"] + 1))
        model.rowsInserted.connect(lambda *_: counts.__setitem__("inserts", counts["inserts"] + 1))
        crowd = [
            OccupantChange(f"user{n:04d}", occupant(f"user{n:04d}", Role.PARTICIPANT))
            for n in range(999)
        ]
        crowd.append(OccupantChange("me", occupant("me", Role.MODERATOR, own=True)))
        room_core.bus.publish(OccupantsReceived(account, ROOM, tuple(crowd), complete=True))
        room_core.bus.publish(RoomJoined(account, ROOM, "me"))
        await until(lambda: model.count() == 1000)
        await settle()
        assert counts == {"resets": 1, "inserts": 0}
        assert model.rowCount() == 1002
        occupants = window.chat_view.occupant_list
        assert occupants is not None
        occupants.scrollToBottom()
        assert occupants.grab().width() > 0  # paints without error
        assert "1000 participants" in window.chat_view.status_label.text()
        # Ten more arrive in one live batch: a single insert, no reset.
        later = [OccupantChange(f"zz{n}", occupant(f"zz{n}", Role.PARTICIPANT)) for n in range(10)]
        room_core.bus.publish(OccupantsReceived(account, ROOM, tuple(later)))
        await until(lambda: model.count() == 1010)
        assert counts == {"resets": 1, "inserts": 1}

    run(qloop, scenario())


def test_switching_between_long_conversations_asks_the_archive_nothing(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account, archive = await room_with_archive(room_core, 80, live=60)
        xmpp = room_core.xmpp(account)
        for n in range(60):
            xmpp.receive_message("alice@x.org/r", f"line {n}", 1_700_000_000.0 + n)
        await settle()
        for _ in range(3):
            window.open_chat(account, ROOM, ChatKind.GROUPCHAT)
            await asyncio.sleep(0.05)
            window.open_chat(account, ALICE)
            await asyncio.sleep(0.05)
        assert [q for q in archive.queries if q.archive == ROOM] == []
        assert len(bodies(window)) == 60

    run(qloop, scenario())
