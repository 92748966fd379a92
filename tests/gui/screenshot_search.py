"""Save screenshots of Edit > Find… with hits, and of a hit opened in its conversation.

A manual harness, not a test (its name does not start with ``test_``): it builds
the core over a real SQLite store in a temporary folder (``search_support``),
two accounts with a few conversations, types a query into the search dialog,
grabs it, then opens a hit and grabs the main window with the message
highlighted.

    .venv/bin/python tests/gui/screenshot_search.py [dialog.png] [window.png]

Defaults: /tmp/siproxylin-search.png and /tmp/siproxylin-search-open.png.
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

from siproxylin.domain.ids import Jid
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.views.search_dialog import SearchDialog
from siproxylin.gui.window import create_main_window
from tests.fakes import account_config, roster_item
from tests.gui.search_support import StoreCore, make_store_core
from tests.gui.waits import until

QUERY = "proxy"


async def populate(core: StoreCore) -> None:
    """Two accounts, a long conversation with Alice and a few short ones."""
    me = await core.accounts.add_account(account_config("me@example.org"), "pw")
    work = await core.accounts.add_account(account_config("me@work.example"), "pw")
    xmpp, office = core.xmpp(me.id), core.xmpp(work.id)
    xmpp.start()
    office.start()
    xmpp.receive_roster(
        roster_item("alice@example.org", "Alice Martin"), roster_item("bob@example.org", "Bob")
    )
    office.receive_roster(roster_item("dana@work.example", "Dana (ops)"))
    now = time.time()
    day = 86400.0
    chatter = [
        "Morning! Coffee later?",
        "Sure, at ten.",
        "Did the build pass?",
        "Yes, all green.",
        "Great, thanks.",
    ]
    for i in range(240):
        stamp = now - 20 * day + i * 3600
        if i == 40:
            body = "Is the SOCKS5 proxy on the office router still at 10.8.0.1?"
        elif i == 120:
            body = (
                "I switched the account to Tor: every connection now goes through the proxy"
                " and the DNS canary stayed silent."
            )
        else:
            body = chatter[i % len(chatter)]
        xmpp.receive_message("alice@example.org/laptop", body, stamp)
    xmpp.receive_message(
        "bob@example.org/phone", "The proxy settings moved to the account dialog.", now - 3 * day
    )
    core.chat.send_message(me.id, Jid.parse("bob@example.org"), "Thanks, found them!")
    office.receive_message(
        "dana@work.example/pc",
        "Reminder: the HTTP proxy at proxy.work.example:3128 needs the new password from Monday.",
        now - 2 * day,
    )
    office.receive_message(
        "dana@work.example/pc", "Proxies: both gateways are patched now.", now - 3600
    )
    for _ in range(5):
        await asyncio.sleep(0.01)


async def search_and_open(window: MainWindow, dialog: SearchDialog, dialog_out: str) -> None:
    for char in QUERY:
        dialog.query_edit.insert(char)
        await asyncio.sleep(0.03)
    await until(lambda: not dialog.presenter.pending and dialog.presenter.model.rowCount())
    await asyncio.sleep(0.05)
    # The oldest hit (Alice) is selected, as if the user had pressed Down three times.
    dialog.results.setCurrentIndex(dialog.presenter.model.index(3, 0))
    await asyncio.sleep(0.05)
    if not dialog.grab().save(dialog_out):
        raise SystemExit(f"could not write {dialog_out}")
    dialog.open_row(dialog.results.currentIndex().row())
    for _ in range(10):
        await asyncio.sleep(0.01)


def main() -> None:
    """Build, populate, search and grab."""
    dialog_out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/siproxylin-search.png"
    window_out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/siproxylin-search-open.png"
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="siproxylin-shot-") as folder:
        core = make_store_core(Path(folder) / "siproxylin.db")
        window = create_main_window(core.services)
        window.resize(1000, 650)
        window.show()
        loop.run_until_complete(populate(core))
        dialog = window.show_search()
        assert dialog is not None
        loop.run_until_complete(search_and_open(window, dialog, dialog_out))
        app.processEvents()
        if not window.grab().save(window_out):
            raise SystemExit(f"could not write {window_out}")
        print(dialog_out)
        print(window_out)
        window.close()
        loop.run_until_complete(core.accounts.shutdown())
        core.db.close()


if __name__ == "__main__":
    main()
