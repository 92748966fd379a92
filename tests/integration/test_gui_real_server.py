"""The whole client, GUI included (offscreen), against the real Prosody.

A user adds an account through the dialog, adds a contact who comes online, receives
a message and answers it by typing Enter. A screenshot of the result is saved to
``$SIPROXYLIN_SCREENSHOT_DIR`` (default: the test's tmp dir) for a person to look at.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from siproxylin.app.bootstrap import build_application
from siproxylin.app.paths import resolve_paths
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import Availability, ConnectionState
from siproxylin.gui.models.messages import MessageRole
from siproxylin.gui.services import GuiServices
from siproxylin.gui.views.add_account_dialog import AddAccountDialog
from siproxylin.gui.window import create_main_window
from tests.support.prosody import ProsodyServer
from tests.support.xmpp import online


async def until(predicate: object, seconds: float = 15.0) -> None:
    async with asyncio.timeout(seconds):
        while not predicate():  # type: ignore[operator]  # noqa: ASYNC110 - polls Qt state
            await asyncio.sleep(0.01)


def test_add_account_chat_both_ways(
    prosody: ProsodyServer, tmp_path: Path, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    (a_jid, a_pw), (p_jid, p_pw) = prosody.new_account("alice"), prosody.new_account("peer")
    app = build_application(resolve_paths(data_dir=tmp_path / "alice"))
    window = create_main_window(
        GuiServices(app.bus, app.accounts, app.chat, app.roster, app.decisions, app.search)
    )
    qtbot.addWidget(window)
    window.resize(1000, 650)
    window.show()
    peer_jid = Jid.parse(p_jid)

    async def scenario() -> None:
        await app.start()
        window.add_account_action.trigger()
        dialog = window.findChild(AddAccountDialog)
        assert dialog is not None
        qtbot.keyClicks(dialog.jid_edit, a_jid)
        qtbot.keyClicks(dialog.password_edit, a_pw)
        qtbot.keyClicks(dialog.host_edit, "127.0.0.1")
        dialog.port_spin.setValue(prosody.c2s_port)
        qtbot.keyClicks(dialog.ca_edit, str(prosody.ca_file))
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        await until(lambda: len(app.accounts.accounts()) == 1)
        (account,) = app.accounts.accounts()
        await until(lambda: app.accounts.status(account.id).state is ConnectionState.ONLINE)
        await until(lambda: "online" in window.status_label.text())

        # The peer (another client) accepts our request and comes online.
        async with online(prosody, p_jid, p_pw) as peer:
            received: list[str] = []
            peer.add_event_handler("message", lambda m: received.append(str(m["body"])))
            app.roster.add_contact(account.id, peer_jid, "Peer")
            model = window.contacts.model
            await until(lambda: model.contact_index(account.id, peer_jid).isValid())
            await until(
                lambda: app.roster.availability(account.id, peer_jid)[0] is Availability.ONLINE
            )
            window.open_chat(account.id, peer_jid)
            peer.send_message(mto=a_jid, mbody="Hello from the real server", mtype="chat")
            messages = window.chat.model
            await until(lambda: messages.rowCount() == 1)
            index = messages.index(0, 0)
            assert index.data(MessageRole.BODY) == "Hello from the real server"

            qtbot.keyClicks(window.chat_view.composer, "And hello back")
            qtbot.keyClick(window.chat_view.composer, Qt.Key.Key_Return)
            await until(lambda: received == ["And hello back"])
            await until(lambda: messages.rowCount() == 2)
            await asyncio.sleep(0.3)  # the ack mark arrives
            shots = Path(os.environ.get("SIPROXYLIN_SCREENSHOT_DIR", str(tmp_path)))
            shots.mkdir(parents=True, exist_ok=True)
            assert window.grab().save(str(shots / "gui-real-server.png"))
        await app.stop()

    qloop.run_until_complete(scenario())
