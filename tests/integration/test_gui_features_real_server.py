"""The whole GUI driven like a user would, against the real Prosody, through a real proxy.

alice uses the application with its window (offscreen): she adds her account with a
SOCKS5 proxy in the Add Account dialog, chats with bob (a second whole
application, headless), replies, corrects, reacts, joins a group chat through the
Join dialog, verifies bob's OMEMO fingerprint in the Encryption dialog and opens
the log viewer on her log files. What bob's application stores is what alice did.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from siproxylin.app.bootstrap import Application, build_application
from siproxylin.app.paths import resolve_paths
from siproxylin.domain.config import AccountConfig, ProxyKind, TlsPolicy
from siproxylin.domain.events import MessageStored
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ConnectionState, TrustLevel
from siproxylin.gui.services import GuiServices
from siproxylin.gui.views.add_account_dialog import AddAccountDialog
from siproxylin.gui.window import create_main_window
from tests.support.prosody import ProsodyServer

pytestmark = pytest.mark.gui


async def until(predicate: Any, seconds: float = 20.0) -> None:
    async with asyncio.timeout(seconds):
        while not predicate():  # noqa: ASYNC110 - polls Qt and store state
            await asyncio.sleep(0.02)


def services(app: Application) -> GuiServices:
    return GuiServices(
        app.bus,
        app.accounts,
        app.chat,
        app.roster,
        app.decisions,
        app.search,
        rooms=app.rooms,
        history=app.history,
        encryption=app.encryption,
        files=app.files,
        preferences=app.preferences,
        logs_dir=app.paths.logs,
        data_dir=app.paths.data,
    )


def test_a_user_chats_reacts_joins_verifies_and_reads_logs_through_a_proxy(
    prosody: ProsodyServer,
    socks_proxy: Any,
    tmp_path: Path,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account("alice"), prosody.new_account("bob")
    alice = build_application(resolve_paths(data_dir=tmp_path / "alice"))
    bob = build_application(resolve_paths(data_dir=tmp_path / "bob"))
    window = create_main_window(services(alice))
    qtbot.addWidget(window)
    window.resize(1000, 650)
    window.show()
    alice_jid, bob_jid = Jid.parse(a_jid), Jid.parse(b_jid)
    bob_stored: list[str] = []
    bob.bus.subscribe(MessageStored, lambda e: bob_stored.append(e.message.body))

    async def scenario() -> None:
        await alice.start()
        await bob.start()
        bob_config = AccountConfig(
            AccountId(0),
            bob_jid,
            server_host="127.0.0.1",
            server_port=prosody.c2s_port,
            tls=TlsPolicy(ca_file=str(prosody.ca_file)),
        )
        bob_account = (await bob.accounts.add_account(bob_config, b_pw)).id

        # Add Account, with the proxy: the XMPP domain resolves only at the proxy.
        window.add_account_action.trigger()
        dialog = window.findChild(AddAccountDialog)
        assert dialog is not None
        qtbot.keyClicks(dialog.jid_edit, a_jid)
        qtbot.keyClicks(dialog.password_edit, a_pw)
        qtbot.keyClicks(dialog.host_edit, prosody.domain)
        dialog.port_spin.setValue(prosody.c2s_port)
        qtbot.keyClicks(dialog.ca_edit, str(prosody.ca_file))
        form = dialog.proxy_form
        form.kind_combo.setCurrentIndex(
            next(
                i for i in range(form.kind_combo.count()) if "SOCKS" in form.kind_combo.itemText(i)
            )
        )
        form.host_edit.setText(socks_proxy.host)
        form.port_edit.setText(str(socks_proxy.port))
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        await until(lambda: len(alice.accounts.accounts()) == 1)
        (account,) = alice.accounts.accounts()
        assert account.proxy.kind is ProxyKind.SOCKS5
        await until(lambda: alice.accounts.status(account.id).state is ConnectionState.ONLINE)
        await until(lambda: bob.accounts.status(bob_account).state is ConnectionState.ONLINE)

        # Chat: a message, a reply to bob's answer, a correction, a reaction.
        alice.roster.add_contact(account.id, bob_jid, "Bob")
        window.open_chat(account.id, bob_jid)
        view = window.chat_view
        qtbot.keyClicks(view.composer, "Hi Bob, are you there?")
        qtbot.keyClick(view.composer, Qt.Key.Key_Return)
        await until(lambda: "Hi Bob, are you there?" in bob_stored)
        bob.chat.send_message(bob_account, alice_jid, "Yes, here!")
        model = window.chat.model
        await until(lambda: model.rowCount() == 2)
        answer = model.message(1)
        window.chat.start_reply(answer)
        qtbot.keyClicks(view.composer, "Great, lunch at noon?")
        qtbot.keyClick(view.composer, Qt.Key.Key_Return)
        await until(lambda: any("lunch at noon" in body for body in bob_stored))
        qtbot.keyClick(view.composer, Qt.Key.Key_Up)  # edit the last message
        assert window.chat.editing is not None
        view.composer.clear()
        qtbot.keyClicks(view.composer, "Great, lunch at one?")
        qtbot.keyClick(view.composer, Qt.Key.Key_Return)
        bob_history = lambda: bob.chat.history(bob_account, alice_jid)  # noqa: E731
        await until(lambda: any(m.body == "Great, lunch at one?" for m in bob_history()))
        reply = next(m for m in bob_history() if m.body == "Great, lunch at one?")
        assert reply.edited
        assert reply.reply_to  # the reply still names bob's message
        window.chat_view.menu.react(answer.id, "👍")
        await until(
            lambda: any(
                r.emoji == "👍"
                for m in bob_history()
                if m.body == "Yes, here!"
                for r in m.reactions
            )
        )

        # Join a group chat through the dialog.
        room = Jid.parse(f"lunch@{prosody.muc_domain}")
        join = window.show_join_room()
        assert join is not None
        join.address_edit.setText(str(room))
        join.nick_edit.setText("Alice")
        join.ok_button.click()
        await until(lambda: window.chat.conversation == (account.id, room))

        # Verify bob's fingerprint in the Encryption dialog.
        window.open_chat(account.id, bob_jid)
        encryption = view.show_encryption_dialog()
        assert encryption is not None
        await until(lambda: encryption.devices is not None and encryption.devices.contact)
        device = encryption.devices.contact[0]
        encryption.select_device(encryption.contact_table, device.device_id)
        encryption.verify_button.click()
        session: Any = alice.accounts.xmpp(account.id)
        for _ in range(100):
            devices = await session.omemo_devices(bob_jid)
            if any(d.trust is TrustLevel.VERIFIED for d in devices):
                break
            await asyncio.sleep(0.1)
        assert [d.trust for d in devices if d.device_id == device.device_id] == [
            TrustLevel.VERIFIED
        ]
        encryption.close()

        # The log viewer shows the account's log files.
        window.info_windows.log_viewer_action.trigger()
        viewer = window.info_windows.log_viewer
        assert viewer is not None
        names = [viewer.file_list.item(i).text() for i in range(viewer.file_list.count())]
        assert any("main.log" in name for name in names)
        await until(lambda: viewer.model.rowCount() > 0)
        viewer.close()

        await alice.stop()
        await bob.stop()

    qloop.run_until_complete(asyncio.wait_for(scenario(), 120))
