"""Save screenshots of message bubbles with every feature (styling, replies, reactions...).

A manual harness, not a test: it shows sample rows in the real message list and
delegate and grabs them, then drives the main window over the core (fake XMPP
session): a conversation with a reply, reactions, a correction, the reply bar
and "Bob is typing…".

    .venv/bin/python tests/gui/screenshot_messages.py [chat.png] [room.png] [window.png]

Defaults: /tmp/siproxylin-messages.png, /tmp/siproxylin-room.png and
/tmp/siproxylin-chat-window.png.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QListView

from siproxylin.domain.config import PrivacyOptions
from siproxylin.domain.events import ChatStateReceived, ReactionsReceived
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import ChatMessage, ChatState
from siproxylin.gui.models.messages import MessageListModel
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.views.message_delegate import MessageDelegate
from siproxylin.gui.window import create_main_window
from tests.fakes import Core, account_config, make_core, roster_item
from tests.gui.message_samples import chat_samples, room_samples
from tests.gui.waits import until


def grab(messages: list[ChatMessage], out: str, size: tuple[int, int]) -> None:
    model = MessageListModel()
    model.set_names("Bob", "me")
    model.set_messages(messages)
    view = QListView()
    view.setModel(model)
    view.setItemDelegate(MessageDelegate(view))
    view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.resize(*size)
    view.show()
    QApplication.processEvents()
    if not view.grab().save(out):
        raise SystemExit(f"could not write {out}")
    print(out)


async def converse(core: Core, window: MainWindow) -> None:
    """Bob and me: questions, a reply, reactions, a correction, Bob typing, a reply bar."""
    config = replace(account_config("me@example.org"), privacy=PrivacyOptions(chat_states=True))
    stored = await core.accounts.add_account(config, "pw")
    account = stored.id
    xmpp = core.xmpp(account)
    xmpp.start()
    xmpp.receive_roster(roster_item("bob@example.org", "Bob"), roster_item("carol@example.org"))
    bob = Jid.parse("bob@example.org")
    first = xmpp.receive_message("bob@example.org/phone", "Did the *proxy* change land?")
    xmpp.receive_message("carol@example.org/pc", "Unread, for the contact list")
    await until(lambda: window.contacts.model.contact(account, bob) is not None)
    window.open_chat(account, bob)
    await until(lambda: window.chat.model.rowCount() == 1)
    chat = window.chat
    chat.start_reply(chat.model.message(0))
    chat.send("Yes: `AccountNetwork` decides the credentials now.")
    chat.send("Tests are gren")
    await until(lambda: chat.model.rowCount() == 3)
    chat.correct_last()
    chat.send("Tests are _green_")
    core.bus.publish(
        ReactionsReceived(
            account,
            Jid.parse("bob@example.org/phone"),
            config.jid,
            chat.model.message(1).origin_id,
            ("🎉", "👍"),
        )
    )
    chat.toggle_reaction(chat.model.message(0).id, "👍")
    xmpp.receive_message("bob@example.org/phone", "/me does a little dance")
    del first
    await until(lambda: chat.model.rowCount() == 4)
    core.bus.publish(
        ChatStateReceived(account, Jid.parse("bob@example.org/phone"), ChatState.COMPOSING)
    )
    chat.start_reply(chat.model.message(3))
    for _ in range(10):
        await asyncio.sleep(0.01)


def main() -> None:
    chat_out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/siproxylin-messages.png"
    room_out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/siproxylin-room.png"
    window_out = sys.argv[3] if len(sys.argv) > 3 else "/tmp/siproxylin-chat-window.png"
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    grab(chat_samples(), chat_out, (620, 760))
    grab(room_samples(), room_out, (620, 400))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    core = make_core()
    window = create_main_window(core.services)
    window.resize(1000, 650)
    window.show()
    loop.run_until_complete(converse(core, window))
    app.processEvents()
    if not window.grab().save(window_out):
        raise SystemExit(f"could not write {window_out}")
    print(window_out)
    window.close()
    loop.run_until_complete(core.accounts.shutdown())


if __name__ == "__main__":
    main()
