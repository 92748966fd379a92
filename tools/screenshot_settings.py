"""Save screenshots of per-account proxies: the settings dialog and the main window (offscreen).

A manual harness, not a test. Over the GUI tests' fakes (tests/fakes.py) it
builds the window of ``screenshot_main.py`` (one account online via SOCKS5, one
whose proxy is unreachable, selected), then opens Account Settings for the
first account and grabs its Connection and Privacy tabs, and an Add Account
dialog with a proxy host name (which shows the lookup hint).

    .venv/bin/python tools/screenshot_settings.py [output-folder]

Writes siproxylin-proxies.png, siproxylin-settings-connection.png,
siproxylin-settings-privacy.png and siproxylin-add-account.png (default /tmp).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import qasync
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from siproxylin.domain.config import ProxyKind
from siproxylin.gui.views.account_settings_dialog import (
    CONNECTION_TAB,
    PRIVACY_TAB,
    AccountSettingsDialog,
)
from siproxylin.gui.views.add_account_dialog import AddAccountDialog
from siproxylin.gui.views.proxy_form import KINDS
from siproxylin.gui.window import create_main_window
from tests.fakes import make_core
from tools.screenshot_main import populate


def save(widget: QWidget, path: Path) -> None:
    """Grab a widget after letting Qt lay it out."""
    QApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(path)


def main() -> None:
    """Build the window, then grab it and the dialogs."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp")
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    core = make_core()
    window = create_main_window(core.services)
    window.resize(1000, 650)
    window.show()
    loop.run_until_complete(populate(core, window))
    me, work = (config.id for config in core.accounts.accounts())
    window.select_account(work)
    save(window, out / "siproxylin-proxies.png")

    window.select_account(me)
    window.account_menu.settings_action.trigger()
    settings = window.findChild(AccountSettingsDialog)
    assert settings is not None
    settings.tabs.setCurrentIndex(CONNECTION_TAB)
    settings.adjustSize()
    save(settings, out / "siproxylin-settings-connection.png")
    settings.tabs.setCurrentIndex(PRIVACY_TAB)
    save(settings, out / "siproxylin-settings-privacy.png")
    settings.reject()

    window.add_account_action.trigger()
    add = window.findChild(AddAccountDialog)
    assert add is not None
    add.jid_edit.setText("new@example.net")
    add.proxy_form.kind_combo.setCurrentIndex(KINDS.index(ProxyKind.HTTP))
    add.proxy_form.host_edit.setText("proxy.lan")
    add.proxy_form.port_edit.setText("3128")
    add.adjustSize()
    save(add, out / "siproxylin-add-account.png")
    add.reject()

    window.close()
    loop.run_until_complete(core.accounts.shutdown())


if __name__ == "__main__":
    main()
