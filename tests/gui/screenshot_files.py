"""Save a screenshot of shared files in a conversation: cards, progress, a preview.

A manual harness, not a test: drives the main window over the core (fake XMPP
session with a fake upload server) and grabs it.

    .venv/bin/python tests/gui/screenshot_files.py [out.png]

Default: docs/screenshots/files-light.png.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import qasync
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from siproxylin.domain.models import Availability, TransferState
from siproxylin.gui.models.messages import MessageRole
from tests.fakes import account_config, make_core, roster_item
from tests.gui.file_support import (
    BOB,
    ME,
    FakeUploadServer,
    file_from_bob,
    file_service,
    files_window,
    picture,
)
from tests.gui.waits import until

ROOT = Path(__file__).resolve().parents[2]


async def shoot(out: str) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="siproxylin-files-shot-"))
    core = make_core()
    files = file_service(core, scratch / "files")
    window = files_window(core, files)
    window.resize(1000, 700)
    window.show()
    server = FakeUploadServer()
    stored = await core.accounts.add_account(account_config(str(ME)), "secret")
    account = stored.id
    session = core.xmpp(account)
    server.attach(session)
    session.start()
    session.receive_roster(roster_item(str(BOB), "Bob"))
    session.receive_presence("bob@x.org/phone", Availability.ONLINE)
    await until(lambda: window.contacts.model.contact_index(account, BOB).isValid())
    window.open_chat(account, BOB)
    model = window.chat.model

    beach = picture(scratch / "beach at noon.png")
    server.files["https://upload.x.org/bob/beach%20at%20noon.png"] = beach.read_bytes()
    file_from_bob(core, account, "https://upload.x.org/bob/beach%20at%20noon.png", 1)
    await until(lambda: model.rowCount() == 1)
    files.download(account, model.message(0).id)
    await until(lambda: files.transfer(model.message(0).id).state is TransferState.DONE)

    server.files["https://upload.x.org/bob/minutes-2026-11.pdf"] = bytes(1_340_000)
    file_from_bob(core, account, "https://upload.x.org/bob/minutes-2026-11.pdf", 2)
    report = scratch / "quarterly report.ods"
    report.write_bytes(bytes(420_000))
    window.chat_view.share_files([report])
    await until(lambda: model.rowCount() == 3)
    await until(lambda: files.transfer(model.message(2).id).state is TransferState.DONE)

    server.gate = asyncio.Event()
    video = scratch / "holiday video.mp4"
    video.write_bytes(bytes(8_000_000))
    window.chat_view.share_files([video])
    await until(lambda: model.rowCount() == 4)
    await until(lambda: model.index(3, 0).data(MessageRole.TRANSFER).done > 0)
    await asyncio.sleep(0.3)
    window.chat_view.messages.scrollToBottom()
    await asyncio.sleep(0.2)
    if not window.grab().save(out):
        raise SystemExit(f"could not write {out}")
    print(out)
    server.gate.set()
    window.close()


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "docs/screenshots/files-light.png")
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(shoot(out))


if __name__ == "__main__":
    main()
