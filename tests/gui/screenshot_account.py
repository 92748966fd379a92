"""Save screenshots of the account settings dialog (connection and privacy tabs), light and dark.

A manual harness, not a test: an account behind a SOCKS5 proxy over the core with
a fake XMPP session; the dialog's tabs are grabbed in each theme.

    .venv/bin/python tests/gui/screenshot_account.py [out-dir]

Default: docs/screenshots/ (account-connection-{light,dark}.png,
account-privacy-{light,dark}.png).
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import qasync
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from siproxylin.domain.config import PrivacyOptions, ProxyConfig, ProxyKind, TlsPolicy
from siproxylin.gui.views.account_settings_dialog import (
    CONNECTION_TAB,
    PRIVACY_TAB,
    AccountSettingsDialog,
)
from siproxylin.gui.window import create_main_window
from tests.fakes import account_config, make_core
from tests.gui.waits import until

ROOT = Path(__file__).resolve().parents[2]


async def shoot(out: Path) -> None:
    core = make_core()
    window = create_main_window(core.services)
    window.resize(1000, 640)
    window.show()
    config = replace(
        account_config("alice@example.org"),
        resource="desk",
        nickname="Alice",
        proxy=ProxyConfig(ProxyKind.SOCKS5, "127.0.0.1", 9050, isolate=True),
        tls=TlsPolicy(direct_tls=True),
        privacy=PrivacyOptions(read_markers=True, auto_download_max=5 * 1024 * 1024),
    )
    stored = await core.accounts.add_account(config, "secret")
    await until(lambda: window.contacts.model.account_entry(stored.id) is not None)
    window.select_account(stored.id)
    assert window.theme_menu is not None
    for theme in ("light", "dark"):
        window.theme_menu.actions[theme].trigger()
        window.account_menu.settings_action.trigger()
        await asyncio.sleep(0.1)
        (dialog,) = [d for d in window.findChildren(AccountSettingsDialog) if d.isVisible()]
        dialog.resize(620, dialog.sizeHint().height())
        for tab, name in ((CONNECTION_TAB, "connection"), (PRIVACY_TAB, "privacy")):
            dialog.tabs.setCurrentIndex(tab)
            await asyncio.sleep(0.1)
            path = out / f"account-{name}-{theme}.png"
            if not dialog.grab().save(str(path)):
                raise SystemExit(f"could not write {path}")
            print(path)
        dialog.reject()
        await asyncio.sleep(0.1)
    window.close()


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(shoot(out))


if __name__ == "__main__":
    main()
