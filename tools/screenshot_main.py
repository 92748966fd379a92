"""Save a screenshot of a populated main window to /tmp/siproxylin-main.png (offscreen).

A manual harness, not a test: it builds the real core over the GUI tests' fakes
(tests/fakes.py), adds an account online through a SOCKS5 proxy with three
contacts in different presences and an open chat with messages both ways, and
a second account whose proxy is unreachable, then grabs the window.

    .venv/bin/python tools/screenshot_main.py [output.png]
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import qasync
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from siproxylin.domain.config import TOR_PRESET, ProxyConfig, ProxyKind
from siproxylin.domain.errors import FailureReason
from siproxylin.domain.events import MessageReceived
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import Availability
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.window import create_main_window
from tests.fakes import Core, account_config, make_core, roster_item

ALICE = "alice@example.org"
WORK_PROXY = ProxyConfig(ProxyKind.SOCKS5, "10.8.0.1", 1080, isolate=False)


async def populate(core: Core, window: MainWindow) -> None:
    """An account online via Tor with roster, presence and a conversation; one proxy down."""
    me_config = replace(account_config("me@example.org"), proxy=TOR_PRESET)
    me = await core.accounts.add_account(me_config, "pw")
    xmpp = core.xmpp(me.id)
    xmpp.start()
    xmpp.receive_roster(
        roster_item(ALICE, "Alice Martin"),
        roster_item("bob@example.org", "Bob"),
        roster_item("carol@example.net", "Carol"),
    )
    xmpp.receive_presence(f"{ALICE}/laptop", Availability.ONLINE, "At my desk")
    xmpp.receive_presence("bob@example.org/phone", Availability.AWAY, "Lunch")
    work_config = replace(account_config("me@work.example"), proxy=WORK_PROXY)
    work = await core.accounts.add_account(work_config, "pw")
    core.xmpp(work.id).end(
        FailureReason.PROXY, "SOCKS5 proxy 10.8.0.1:1080 is unreachable (Connection refused)"
    )

    now = time.time()
    xmpp.receive_message(
        f"{ALICE}/laptop", "Hi! Are we still on for the review this afternoon?", now - 1500
    )
    core.bus.publish(
        MessageReceived(
            me.id,
            sender=Jid.parse("me@example.org/desktop"),
            recipient=Jid.parse(ALICE),
            body="Yes, 3 pm works for me.",
            message_id="c1",
            origin_id="carbon-1",
            stanza_id="s-carbon-1",
            timestamp=now - 1380,
            outgoing=True,
        )
    )
    xmpp.receive_message(
        f"{ALICE}/laptop",
        "Great. I'll bring the proxy test results: every connection went through"
        " the SOCKS5 proxy this time, and the DNS canary stayed silent.\n"
        "Second line, after a newline.",
        now - 900,
    )
    sent = core.chat.send_message(me.id, Jid.parse(ALICE), "Perfect, see you then.")
    xmpp.ack(sent.origin_id)
    core.chat.send_message(me.id, Jid.parse(ALICE), "I'll book the small room.")
    xmpp.receive_message("bob@example.org/phone", "Did you see the new build?", now - 60)
    xmpp.receive_message("bob@example.org/phone", "It starts twice as fast.", now - 30)
    for _ in range(5):
        await asyncio.sleep(0.01)
    window.open_chat(me.id, Jid.parse(ALICE))
    for _ in range(10):
        await asyncio.sleep(0.01)


def main() -> None:
    """Build, populate and grab the window."""
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/siproxylin-main.png"
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    core = make_core()
    window = create_main_window(core.services)
    window.resize(1000, 650)
    window.show()
    loop.run_until_complete(populate(core, window))
    window.chat_view.composer.setPlainText("")
    app.processEvents()
    if not window.grab().save(out):
        raise SystemExit(f"could not write {out}")
    print(out)
    window.close()
    loop.run_until_complete(core.accounts.shutdown())


if __name__ == "__main__":
    main()
