"""Avatars and nicknames in the window, and the profile dialogs, over the fake session."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from siproxylin.domain.profiles import VCard
from siproxylin.gui.avatars import initials, scaled_avatar
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.views.profile_dialog import ContactProfileDialog, OwnProfileDialog
from siproxylin.gui.window import create_main_window
from tests.fakes import Core

from .profile_support import ALICE, BOB, CAROL, gradient_png, populate, wait_avatar, with_profiles
from .waits import until


def test_contact_rows_show_avatars_and_nicknames(
    core: Core, qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    services, _profiles = with_profiles(core, tmp_path)
    window: MainWindow = create_main_window(services)
    qtbot.addWidget(window)
    window.show()

    async def scenario() -> None:
        account = await populate(core)
        await wait_avatar(window.contacts, account, ALICE)
        model = window.contacts.model
        alice, bob, carol = (model.contact(account, j) for j in (ALICE, BOB, CAROL))
        assert alice is not None
        assert bob is not None
        assert carol is not None
        assert Path(alice.avatar).is_file()
        assert alice.display_name == "Alice Martin"  # the roster name wins
        await until(lambda: (model.contact(account, BOB) or bob).display_name == "Bobby Tables")
        assert carol.avatar == ""
        icon = model.data(model.contact_index(account, ALICE), Qt.ItemDataRole.DecorationRole)
        assert not icon.isNull()
        window.open_chat(account, ALICE)
        await until(lambda: window.chat_view.avatar_label.isVisibleTo(window))

    qloop.run_until_complete(scenario())


def test_own_profile_dialog_collects_changes(qtbot: QtBot, tmp_path: Path) -> None:
    picture = tmp_path / "me.png"
    picture.write_bytes(gradient_png(400, (200, 90, 40)))
    dialog = OwnProfileDialog("me@x.org", None, "Me", VCard(full_name="Me Myself"))
    qtbot.addWidget(dialog)
    dialog.pick_file(picture)
    assert dialog.new_avatar is not None
    data, width, height = dialog.new_avatar
    assert (width, height) == (192, 192)
    assert data.startswith(b"\x89PNG")
    dialog.nickname_edit.setText("Myself")
    assert dialog.nickname() == "Myself"
    assert dialog.vcard_changed()  # the nickname is a vCard field too
    dialog.pick_file(tmp_path / "missing.png")
    assert dialog.error_label.isVisibleTo(dialog)


def test_contact_profile_shows_plain_text(qtbot: QtBot) -> None:
    card = VCard(full_name="Alice", note="<b>not bold</b>", url="https://alice.example")
    dialog = ContactProfileDialog("alice@x.org", "Alice", None, card)
    qtbot.addWidget(dialog)
    note = dialog.fields["About:"]
    assert note.textFormat() == Qt.TextFormat.PlainText
    assert note.text() == "<b>not bold</b>"


def test_scaling_and_initials(qapp: QApplication) -> None:
    data, width, height = scaled_avatar(gradient_png(64, (1, 2, 3)))
    assert (width, height) == (64, 64)  # small pictures are not enlarged
    assert data.startswith(b"\x89PNG")
    assert initials("Alice Liddell") == "AL"
    assert initials("bob@x.org") == "B"
    assert initials("") == "?"
