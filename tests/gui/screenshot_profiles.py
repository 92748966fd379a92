"""Save screenshots of avatars: the contact list and chat header, and our profile dialog.

A manual harness, not a test: the core over fakes (``profile_support``), an
account whose contacts have an avatar, a nickname only, or nothing (initials).

    .venv/bin/python tests/gui/screenshot_profiles.py [window.png] [dialog.png]

Defaults: docs/screenshots/avatars-light.png and docs/screenshots/profile-dialog.png.
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

from siproxylin.domain.profiles import VCard
from siproxylin.gui.views.profile_dialog import OwnProfileDialog
from siproxylin.gui.window import create_main_window
from tests.fakes import make_core
from tests.gui.profile_support import ALICE, gradient_png, populate, wait_avatar, with_profiles
from tests.gui.waits import turns


def main() -> None:
    """Build, populate and grab."""
    shots = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    window_out = sys.argv[1] if len(sys.argv) > 1 else str(shots / "avatars-light.png")
    dialog_out = sys.argv[2] if len(sys.argv) > 2 else str(shots / "profile-dialog.png")
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="siproxylin-shot-") as folder:
        core = make_core()
        services, profiles = with_profiles(core, Path(folder))
        window = create_main_window(services)
        window.resize(900, 520)
        window.show()
        account = loop.run_until_complete(populate(core, nice_pictures=True))
        loop.run_until_complete(wait_avatar(window.contacts, account, ALICE))
        window.open_chat(account, ALICE)
        loop.run_until_complete(turns(10))
        app.processEvents()
        if not window.grab().save(window_out):
            raise SystemExit(f"could not write {window_out}")
        picture = Path(folder) / "me.png"
        picture.write_bytes(gradient_png(300, (120, 60, 160)))
        dialog = OwnProfileDialog(
            "me@x.org",
            None,
            "Me",
            VCard(full_name="Morgan Example", url="https://me.example", note="Hi there."),
            window,
        )
        dialog.pick_file(picture)
        dialog.show()
        app.processEvents()
        if not dialog.grab().save(dialog_out):
            raise SystemExit(f"could not write {dialog_out}")
        print(window_out)
        print(dialog_out)
        del profiles
        window.close()
        loop.run_until_complete(core.accounts.shutdown())


if __name__ == "__main__":
    main()
