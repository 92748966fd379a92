"""Save screenshots of group chats: the contact list with rooms, a room, the join dialog.

A manual harness, not a test (its name does not start with ``test_``): it builds
the core over a real SQLite store in a temporary folder (``room_support``), an
account with contacts and three rooms (one joined with occupants, a subject and
messages, one joining, one that refused us), grabs the main window, then opens
File > Join Group Chat…, lets a room refuse the join and grabs the dialog.

    .venv/bin/python tests/gui/screenshot_rooms.py [window.png] [dialog.png]

Defaults: /tmp/siproxylin-rooms.png and /tmp/siproxylin-join-error.png.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import qasync
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from siproxylin.domain.errors import RoomError
from siproxylin.domain.events import RoomNotice
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Affiliation, Availability, ChatKind, Role
from siproxylin.gui.views.join_room_dialog import JoinRoomDialog
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.window import create_main_window
from tests.fakes import roster_item
from tests.gui.room_support import (
    RoomCore,
    enter,
    make_room_core,
    occupant,
    online,
    refuse,
    say,
    settle,
)
from tests.gui.waits import until

LOBBY = Jid.parse("lobby@conference.x.org")
DEVS = Jid.parse("devs@conference.x.org")
PRIVATE = Jid.parse("board@conference.x.org")


async def populate(core: RoomCore) -> AccountId:
    """An account with two contacts and three rooms."""
    account = await online(core)
    xmpp = core.xmpp(account)
    xmpp.receive_roster(roster_item("alice@x.org", "Alice Martin"), roster_item("bob@x.org", "Bob"))
    xmpp.receive_presence("alice@x.org/laptop", Availability.ONLINE)
    others = [
        occupant("alice", Role.MODERATOR, Affiliation.OWNER, jid="alice@x.org/laptop"),
        occupant("carol", Role.MODERATOR, Affiliation.ADMIN),
        occupant("dave", Role.PARTICIPANT, Affiliation.MEMBER, availability=Availability.AWAY),
        occupant("erin", Role.PARTICIPANT, Affiliation.MEMBER),
        occupant("frank", Role.PARTICIPANT),
        occupant("grace", Role.PARTICIPANT, availability=Availability.DND),
        occupant("heidi", Role.VISITOR),
        occupant("ivan", Role.VISITOR, availability=Availability.XA),
    ]
    own = occupant("me", Role.MODERATOR, Affiliation.MEMBER, own=True)
    await enter(
        core,
        account,
        LOBBY,
        own,
        others,
        subject="Release 0.4 planning — notes at https://x.org/wiki/0.4, call on Thursday 15:00",
    )
    now = time.time()
    lines = [
        ("alice", "Morning all! The room is archived now, so scroll back works."),
        ("carol", "Great. Did anyone try the new proxy settings?"),
        ("dave", "Yes, Tor with isolated circuits, no leaks on the canary."),
        ("alice", "Then let's ship it on Thursday."),
        ("frank", "👍"),
    ]
    for n, (nick, body) in enumerate(lines):
        say(core, account, LOBBY, nick, body, now - 600 + n * 60)
    core.chat.send_message(account, LOBBY, "I'll write the release notes.", ChatKind.GROUPCHAT)
    say(core, account, DEVS, "zoe", "CI is red again", now - 30)
    await core.rooms.join(account, DEVS, "me")
    await core.rooms.join(account, PRIVATE, "me")
    refuse(core, account, PRIVATE, "me", RoomError.MEMBERS_ONLY)
    core.bus.publish(RoomNotice(account, LOBBY, "The room's configuration changed."))
    await settle(10)
    return account


async def join_with_error(window: MainWindow, core: RoomCore, account: AccountId) -> JoinRoomDialog:
    dialog = window.show_join_room()
    assert dialog is not None
    dialog.address_edit.setText("secret@conference.x.org")
    dialog.nick_edit.setText("me")
    dialog.accept()
    await settle(10)
    refuse(core, account, Jid.parse("secret@conference.x.org"), "me", RoomError.PASSWORD_REQUIRED)
    await until(lambda: bool(dialog.error_text))
    await asyncio.sleep(0.05)
    return dialog


def main() -> None:
    """Build, populate and grab."""
    window_out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/siproxylin-rooms.png"
    dialog_out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/siproxylin-join-error.png"
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="siproxylin-shot-") as folder:
        core = make_room_core(Path(folder) / "siproxylin.db")
        window = create_main_window(core.services)
        window.resize(1100, 680)
        window.show()
        account = loop.run_until_complete(populate(core))
        window.open_chat(account, LOBBY, ChatKind.GROUPCHAT)
        loop.run_until_complete(settle(10))
        app.processEvents()
        if not window.grab().save(window_out):
            raise SystemExit(f"could not write {window_out}")
        dialog = loop.run_until_complete(join_with_error(window, core, account))
        app.processEvents()
        if not dialog.grab().save(dialog_out):
            raise SystemExit(f"could not write {dialog_out}")
        print(window_out)
        print(dialog_out)
        window.close()
        loop.run_until_complete(core.accounts.shutdown())
        core.db.close()


if __name__ == "__main__":
    main()
