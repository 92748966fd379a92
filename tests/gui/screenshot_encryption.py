"""Save screenshots of OMEMO in the GUI: the header lock, an undecryptable message, the dialog.

A manual harness, not a test: drives the main window over the core (fake XMPP
session with device lists) and grabs it.

    .venv/bin/python tests/gui/screenshot_encryption.py [header.png] [chat.png] [dialog.png]

Defaults: /tmp/siproxylin-lock.png, /tmp/siproxylin-undecryptable.png and
/tmp/siproxylin-encryption-dialog.png.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import qasync
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from siproxylin.domain.models import Availability, Encryption
from tests.fakes import make_core, roster_item
from tests.gui.encryption_support import (
    BOB,
    add_account,
    encrypted_window,
    encryption_service,
    receive,
)
from tests.gui.waits import until


def save(widget_grab: object, out: str) -> None:
    if not widget_grab.save(out):  # type: ignore[attr-defined]
        raise SystemExit(f"could not write {out}")
    print(out)


async def shoot(header_out: str, chat_out: str, dialog_out: str) -> None:
    core = make_core()
    encryption = encryption_service(core)
    window = encrypted_window(core, encryption)
    window.resize(1000, 560)
    window.show()
    account = await add_account(core, window)
    session = core.xmpp(account)
    session.receive_roster(roster_item(str(BOB), "Bob"))
    session.receive_presence("bob@x.org/phone", Availability.ONLINE)
    await until(lambda: window.contacts.model.contact_index(account, BOB).isValid())
    window.open_chat(account, BOB)
    receive(core, account, "Hi! Is this thing on?", number=1)
    receive(core, account, "Now it is encrypted 🔒", encryption=Encryption.OMEMO, number=2)
    receive(
        core,
        account,
        "This message was encrypted for a device of yours that is not this one.",
        encryption=Encryption.OMEMO,
        error="not encrypted for this device (id 100)",
        number=3,
    )
    await until(lambda: window.chat.model.rowCount() == 3)
    await until(lambda: window.chat_view.lock_button.text() == "Encrypted")
    await asyncio.sleep(0.2)
    save(window.chat_view.lock_button.parentWidget().grab(), header_out)
    save(window.grab(), chat_out)
    dialog = window.chat_view.show_encryption_dialog()
    assert dialog is not None
    await until(lambda: dialog.devices is not None)
    dialog.select_device(dialog.contact_table, 12)
    dialog.resize(720, dialog.sizeHint().height())
    await asyncio.sleep(0.2)
    save(dialog.grab(), dialog_out)
    window.close()


def main() -> None:
    args = sys.argv[1:] + [""] * 3
    header_out = args[0] or "/tmp/siproxylin-lock.png"
    chat_out = args[1] or "/tmp/siproxylin-undecryptable.png"
    dialog_out = args[2] or "/tmp/siproxylin-encryption-dialog.png"
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(shoot(header_out, chat_out, dialog_out))


if __name__ == "__main__":
    main()
