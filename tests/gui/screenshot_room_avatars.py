"""Save a screenshot of room avatars: the contact list with rooms and the room's header.

A manual harness, not a test: the group chat scene of ``screenshot_rooms.py``
(a joined room with occupants and messages, a second joined room, one that
refused us) with profiles over fakes; the lobby and the refused room have
avatars, the other room and a contact show initials or bubbles, Alice a picture.

    .venv/bin/python tests/gui/screenshot_room_avatars.py [window.png]

Default: docs/screenshots/room-avatars-light.png.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import qasync
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from siproxylin.core.services.profiles import ProfileService
from siproxylin.domain.events import AvatarAnnounced
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind
from siproxylin.domain.profiles import AvatarSource
from siproxylin.gui.window import create_main_window
from tests.gui.profile_support import gradient_png
from tests.gui.room_support import RoomCore, make_room_core, settle
from tests.gui.screenshot_rooms import LOBBY, PRIVATE, populate
from tests.gui.waits import until
from tests.profile_fakes import MemoryAvatarFiles, MemoryAvatarRepo

ALICE = Jid.parse("alice@x.org")


async def announce(core: RoomCore, account: AccountId) -> None:
    """Avatars for the lobby, the refused room and Alice."""
    xmpp = core.xmpp(account)
    for jid, hue, source in (
        (LOBBY, (210, 120, 40), AvatarSource.VCARD),
        (PRIVATE, (90, 60, 170), AvatarSource.VCARD),
        (ALICE, (52, 120, 190), AvatarSource.PEP),
    ):
        digest = xmpp.profiles.serve(gradient_png(96, hue))
        core.bus.publish(AvatarAnnounced(account, jid, digest, source))
    await settle(10)


def main() -> None:
    """Build, populate and grab."""
    shots = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    window_out = sys.argv[1] if len(sys.argv) > 1 else str(shots / "room-avatars-light.png")
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="siproxylin-shot-") as folder:
        core = make_room_core(Path(folder) / "siproxylin.db")
        profiles = ProfileService(
            core.bus, core.accounts, MemoryAvatarRepo(), MemoryAvatarFiles(Path(folder) / "a")
        )
        window = create_main_window(replace(core.services, profiles=profiles))
        window.resize(1100, 680)
        window.show()
        account = loop.run_until_complete(populate(core))
        loop.run_until_complete(announce(core, account))
        model = window.contacts.model

        def shown() -> bool:
            entry = model.contact(account, LOBBY)
            return entry is not None and bool(entry.avatar)

        loop.run_until_complete(until(shown))
        window.open_chat(account, LOBBY, ChatKind.GROUPCHAT)
        loop.run_until_complete(settle(10))
        app.processEvents()
        if not window.grab().save(window_out):
            raise SystemExit(f"could not write {window_out}")
        print(window_out)
        window.close()
        loop.run_until_complete(core.accounts.shutdown())
        core.db.close()


if __name__ == "__main__":
    main()
