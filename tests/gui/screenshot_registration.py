"""Save screenshots of the Create Account wizard: server and proxy, the form, an error.

A manual harness, not a test: it drives the wizard over the fake service of
``registration_support`` and grabs each page.

    .venv/bin/python tests/gui/screenshot_registration.py [folder]

Default folder: docs/screenshots (registration-server.png, registration-form.png,
registration-error.png).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import qasync
from PySide6.QtWidgets import QApplication

from siproxylin.domain.config import ProxyKind
from siproxylin.gui.theme_control import ThemeController
from siproxylin.gui.views.proxy_form import KINDS
from siproxylin.gui.views.registration_wizard import RegistrationWizard
from tests.gui.registration_support import FakeRegistration


async def shoot(folder: Path) -> None:
    wizard = RegistrationWizard(FakeRegistration())  # type: ignore[arg-type]
    wizard.resize(560, 640)
    wizard.show()
    wizard.server_edit.setText("example.test")
    wizard.proxy_form.kind_combo.setCurrentIndex(KINDS.index(ProxyKind.SOCKS5))
    wizard.proxy_form.host_edit.setText("127.0.0.1")
    wizard.proxy_form.port_edit.setText("9050")
    await asyncio.sleep(0.05)
    wizard.grab().save(str(folder / "registration-server.png"))
    wizard.next_button.click()
    assert wizard.task is not None
    await wizard.task
    view = wizard.form_view
    assert view is not None
    view.set_text("username", "newbie")
    view.set_text("password", "correct horse")
    view.set_text("ocr", "k7x")
    await asyncio.sleep(0.05)
    wizard.grab().save(str(folder / "registration-form.png"))
    view.set_text("ocr", "wrong")
    wizard.next_button.click()
    await wizard.task
    await asyncio.sleep(0.05)
    wizard.grab().save(str(folder / "registration-error.png"))
    wizard.close()
    # The form again, in the dark theme.
    ThemeController(None).choose("dark")
    dark = RegistrationWizard(FakeRegistration())  # type: ignore[arg-type]
    dark.resize(560, 640)
    dark.show()
    dark.server_edit.setText("example.test")
    dark.next_button.click()
    assert dark.task is not None
    await dark.task
    assert dark.form_view is not None
    dark.form_view.set_text("username", "newbie")
    await asyncio.sleep(0.05)
    dark.grab().save(str(folder / "registration-form-dark.png"))
    dark.close()


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(shoot(folder))


if __name__ == "__main__":
    main()
