"""A room's avatar in the contact list and the chat header, and the chat title of a
contact known by its nickname only, over the real core with fake sessions."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from siproxylin.core.services.profiles import ProfileService
from siproxylin.domain.events import AvatarAnnounced, NicknameReceived
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import Affiliation, ChatKind, Role
from siproxylin.domain.profiles import AvatarSource
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.window import create_main_window
from tests.fakes import roster_item
from tests.profile_fakes import MemoryAvatarFiles, MemoryAvatarRepo

from .profile_support import gradient_png
from .room_support import RoomCore, enter, make_room_core, occupant, online
from .waits import until

LOBBY = Jid.parse("lobby@conference.x.org")
DAVE = Jid.parse("dave@x.org")


@pytest.fixture
def room_core(tmp_path: Path, qloop: asyncio.AbstractEventLoop) -> Iterator[RoomCore]:
    core = make_room_core(tmp_path / "siproxylin.db")
    yield core
    qloop.run_until_complete(core.accounts.shutdown())
    core.db.close()


@pytest.fixture
def window(room_core: RoomCore, qtbot: QtBot, tmp_path: Path) -> MainWindow:
    profiles = ProfileService(
        room_core.bus,
        room_core.accounts,
        MemoryAvatarRepo(),
        MemoryAvatarFiles(tmp_path / "avatars"),
    )
    win = create_main_window(replace(room_core.services, profiles=profiles))
    qtbot.addWidget(win)
    win.show()
    return win


def test_room_row_and_header_show_the_rooms_avatar(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        own = occupant("me", Role.PARTICIPANT, Affiliation.MEMBER, own=True)
        await enter(room_core, account, LOBBY, own, [occupant("alice", Role.MODERATOR)])
        model = window.contacts.model
        await until(lambda: model.contact(account, LOBBY) is not None)
        plain = model.data(model.contact_index(account, LOBBY), Qt.ItemDataRole.DecorationRole)
        digest = room_core.xmpp(account).profiles.serve(gradient_png(48, (200, 120, 30)))
        room_core.bus.publish(AvatarAnnounced(account, LOBBY, digest, AvatarSource.VCARD))

        def has_avatar() -> bool:
            entry = model.contact(account, LOBBY)
            return entry is not None and entry.avatar.endswith(digest)

        await until(has_avatar)
        index = model.contact_index(account, LOBBY)
        icon = model.data(index, Qt.ItemDataRole.DecorationRole)
        assert not icon.isNull()
        assert icon.cacheKey() != plain.cacheKey()  # no longer the plain bubbles
        # The row keeps its room state text after the avatar arrived.
        entry = model.contact(account, LOBBY)
        assert entry is not None
        assert entry.is_room
        assert entry.status == "joined"
        window.open_chat(account, LOBBY, ChatKind.GROUPCHAT)
        await until(lambda: window.chat_view.avatar_label.isVisibleTo(window))

    qloop.run_until_complete(scenario())


def test_room_without_avatar_has_no_header_picture(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        own = occupant("me", own=True)
        await enter(room_core, account, LOBBY, own, [occupant("alice")])
        window.open_chat(account, LOBBY, ChatKind.GROUPCHAT)
        await until(lambda: window.chat_view.peer_label.text() == "lobby")
        assert not window.chat_view.avatar_label.isVisibleTo(window)

    qloop.run_until_complete(scenario())


def test_chat_title_is_roster_name_else_nickname_else_address(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        xmpp = room_core.xmpp(account)
        xmpp.receive_roster(roster_item("dave@x.org"))
        window.open_chat(account, DAVE)
        await until(lambda: window.chat.peer_name == "dave@x.org")
        room_core.bus.publish(NicknameReceived(account, DAVE, "Dave the Brave"))
        await until(lambda: window.chat.peer_name == "Dave the Brave")
        await until(lambda: window.chat_view.peer_label.text() == "Dave the Brave")
        xmpp.receive_roster(roster_item("dave@x.org", "David"), complete=False)
        await until(lambda: window.chat.peer_name == "David")

    qloop.run_until_complete(scenario())
