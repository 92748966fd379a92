"""Save screenshots of every theme: a conversation in light, dark and high contrast, a room.

A manual harness, not a test: it drives the main window over the core (fake XMPP
sessions) into a conversation with Bob (incoming and outgoing messages, a reply,
reactions, OMEMO locks, an undecryptable message, a warning and a question bar),
then switches View > Theme live and grabs the window once per theme; then it
fills a busy group chat (``screenshot_rooms``) and grabs it in light and dark.

    .venv/bin/python tests/gui/screenshot_themes.py [folder]

Default folder: docs/screenshots (main-light.png, main-dark.png,
main-high-contrast.png, room-light.png, room-dark.png).
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

from siproxylin.domain.events import ReactionsReceived
from siproxylin.domain.ids import AccountId
from siproxylin.domain.models import Availability, ChatKind, Encryption
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.window import create_main_window
from tests.fakes import Core, make_core, roster_item
from tests.gui.encryption_support import (
    BOB,
    ME,
    add_account,
    encrypted_window,
    encryption_service,
    receive,
)
from tests.gui.room_support import RoomCore, make_room_core, say, settle
from tests.gui.screenshot_rooms import LOBBY, populate
from tests.gui.waits import until

MAIN_THEMES = ("light", "dark", "high-contrast")
ROOM_THEMES = ("light", "dark")


def shoot(window: MainWindow, theme: str, out: Path) -> None:
    """Switch ``window`` to ``theme`` the way View > Theme does and grab it."""
    assert window.theme_menu is not None
    window.theme_menu.actions[theme].trigger()
    QApplication.processEvents()
    window.chat_view.messages.scrollToBottom()
    QApplication.processEvents()
    if not window.grab().save(str(out)):
        raise SystemExit(f"could not write {out}")
    print(out)


async def conversation(core: Core, window: MainWindow) -> None:
    """Bob and me, encrypted: a reply, reactions, locks, an undecryptable message, bars."""
    account = await add_account(core, window)
    session = core.xmpp(account)
    session.receive_roster(roster_item(str(BOB), "Bob"), roster_item("carol@x.org", "Carol"))
    session.receive_presence("bob@x.org/phone", Availability.ONLINE)
    session.request_subscription("dave@x.org")
    await until(lambda: window.contacts.model.contact_index(account, BOB).isValid())
    window.open_chat(account, BOB)
    receive(core, account, "Hi! Did the *proxy* change land?", number=1)
    receive(core, account, "Now we talk over OMEMO 🔒", encryption=Encryption.OMEMO, number=2)
    await until(lambda: window.chat.model.rowCount() == 2)
    await until(lambda: window.chat_view.lock_button.text() == "Encrypted")
    chat = window.chat
    chat.start_reply(chat.model.message(0))
    chat.send("Yes: `AccountNetwork` decides the credentials now.")
    chat.send("Tests are _green_, see the CI page")
    await until(lambda: chat.model.rowCount() == 4)
    core.bus.publish(
        ReactionsReceived(
            account, BOB.with_resource("phone"), ME, chat.model.message(2).origin_id, ("🎉", "👍")
        )
    )
    chat.toggle_reaction(chat.model.message(1).id, "👍")
    receive(
        core,
        account,
        "This message was encrypted for another device of yours.",
        encryption=Encryption.OMEMO,
        error="not encrypted for this device (id 100)",
        number=3,
    )
    await until(lambda: chat.model.rowCount() == 5)
    await asyncio.sleep(0.2)


async def busy_room(core: RoomCore) -> AccountId:
    """The lobby of ``screenshot_rooms`` with more talk."""
    account = await populate(core)
    now = time.time()
    more = [
        ("carol", "Release notes draft: https://x.org/wiki/0.4/notes"),
        ("erin", "/me is testing the dark theme at 2 am"),
        ("grace", "Can we keep the *high contrast* one too? My eyes thank you."),
        ("ivan", "late to the party, what did I miss?"),
    ]
    for n, (nick, body) in enumerate(more):
        say(core, account, LOBBY, nick, body, now - 60 + n * 10)
    await settle(10)
    return account


def main() -> None:
    """Build both scenes and grab them in every theme."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    core = make_core(secure=False)  # no keyring: the warning bar shows
    window = encrypted_window(core, encryption_service(core))
    window.resize(1000, 620)
    window.show()
    loop.run_until_complete(conversation(core, window))
    for theme in MAIN_THEMES:
        shoot(window, theme, folder / f"main-{theme}.png")
    window.close()
    loop.run_until_complete(core.accounts.shutdown())
    with tempfile.TemporaryDirectory(prefix="siproxylin-shot-") as temp:
        rooms = make_room_core(Path(temp) / "siproxylin.db")
        window = create_main_window(rooms.services)
        window.resize(1100, 680)
        window.show()
        account = loop.run_until_complete(busy_room(rooms))
        window.open_chat(account, LOBBY, ChatKind.GROUPCHAT)
        loop.run_until_complete(settle(10))
        for theme in ROOM_THEMES:
            shoot(window, theme, folder / f"room-{theme}.png")
        window.close()
        loop.run_until_complete(rooms.accounts.shutdown())
        rooms.db.close()


if __name__ == "__main__":
    main()
