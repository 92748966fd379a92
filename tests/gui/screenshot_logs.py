"""Save screenshots of the log viewer and of Help > About.

A manual harness, not a test (its name does not start with ``test_``): it writes
a small log folder in a temporary directory (application log with a traceback,
two account logs, a protocol log), opens the viewer on it with a line selected,
then opens the About dialog.

    .venv/bin/python tests/gui/screenshot_logs.py [log-viewer.png] [about.png]

Defaults: docs/screenshots/log-viewer.png and docs/screenshots/about.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from siproxylin.gui.views.about_dialog import AboutDialog
from siproxylin.gui.views.log_viewer import LogViewerWindow

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

MAIN = """\
2026-03-01 09:59:58,101 INFO    siproxylin.app.bootstrap: data folder ready (dev layout)
2026-03-01 09:59:58,230 INFO    siproxylin.core.accounts: 2 accounts loaded
2026-03-01 09:59:58,231 DEBUG   siproxylin.account.1: connecting through socks5 127.0.0.1:9050
2026-03-01 09:59:58,232 DEBUG   siproxylin.account.2: connecting through http 10.0.0.2:3128
2026-03-01 09:59:58,611 INFO    siproxylin.account.1.xmpp: TLS verified for example.org
2026-03-01 09:59:58,702 INFO    siproxylin.account.1: online (stream resumed: no)
2026-03-01 09:59:59,015 WARNING siproxylin.account.2.xmpp: proxy refused the connection
2026-03-01 09:59:59,016 INFO    siproxylin.account.2: reconnecting in 2.4 s
2026-03-01 10:00:01,420 ERROR   siproxylin.core.services.files: upload failed
Traceback (most recent call last):
  File "siproxylin/core/services/files.py", line 212, in _upload
    await self._http.put(slot.put_url, data)
siproxylin.domain.errors.ProxyTimedOut: the proxy did not answer in 30 s
2026-03-01 10:00:01,421 INFO    siproxylin.core.services.files: retried after the next login
2026-03-01 10:00:02,130 DEBUG   siproxylin.account.1.xmpp: carbons enabled
2026-03-01 10:00:02,560 INFO    siproxylin.account.2: online (stream resumed: no)
2026-03-01 10:00:03,002 DEBUG   siproxylin.account.1.xmpp: archive page of 50 messages
2026-03-01 10:00:03,118 INFO    siproxylin.gui.window: window shown
"""
PROTOCOL = (
    "2026-03-01 10:00:00,001 DEBUG   slixmpp.xmlstream.xmlstream: SEND: <auth"
    " xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>[redacted]</auth>\n"
)


def write_folder(folder: Path) -> None:
    """A log folder like the application leaves it."""
    older = "2026-03-01 09:00:00,000 DEBUG   siproxylin.account.1.xmpp: keepalive answered\n"
    # Older lines first: the file is larger than what the viewer reads (its tail note shows).
    (folder / "main.log").write_text(older * 40_000 + MAIN, encoding="utf-8")
    (folder / "main.log.1").write_text(MAIN[:400], encoding="utf-8")
    for account in (1, 2):
        lines = [line for line in MAIN.splitlines() if f"account.{account}" in line]
        (folder / f"account-{account}-app.log").write_text("\n".join(lines) + "\n", "utf-8")
    (folder / "xmpp-protocol.log").write_text(PROTOCOL * 40, encoding="utf-8")


def main() -> None:
    """Grab both windows."""
    viewer_png = Path(sys.argv[1]) if len(sys.argv) > 1 else SHOTS / "log-viewer.png"
    about_png = Path(sys.argv[2]) if len(sys.argv) > 2 else SHOTS / "about.png"
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "logs"
        folder.mkdir()
        write_folder(folder)
        viewer = LogViewerWindow(folder)
        viewer.resize(1100, 640)
        viewer.show()
        app.processEvents()
        viewer.table.selectRow(viewer.model.rowCount() - 9)  # inside the traceback
        app.processEvents()
        viewer.grab().save(str(viewer_png))
        about = AboutDialog(data_dir=Path.home() / ".siproxylin/data", logs_dir=folder)
        about.show()
        about.xep_table.selectRow(0)
        app.processEvents()
        about.grab().save(str(about_png))
        viewer.close()
    print(viewer_png, about_png)


if __name__ == "__main__":
    main()
