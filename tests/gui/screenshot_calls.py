"""Save screenshots of a call: the call window (active, details open) and the ringing dialog.

A manual harness, not a test: drives the main window over the core with
``FakeCalls`` (and made-up audio devices), switches View > Theme and grabs.

    .venv/bin/python tests/gui/screenshot_calls.py [folder]

Default folder: docs/screenshots (call-light.png, call-dark.png, ringing-light.png).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import qasync
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from siproxylin.domain.call_info import CallState
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.media import devices
from tests.calls_api_fakes import RELAY_DETAILS, FakeCalls
from tests.fakes import make_core
from tests.gui.call_support import BOB, INPUTS, OUTPUTS, add_account_with_bob, calls_window
from tests.gui.waits import until


def theme(window: MainWindow, name: str) -> None:
    """Switch the theme the way View > Theme does."""
    assert window.theme_menu is not None
    window.theme_menu.actions[name].trigger()
    QApplication.processEvents()


def save(widget: QWidget, out: Path) -> None:
    QApplication.processEvents()
    if not widget.grab().save(str(out)):
        raise SystemExit(f"could not write {out}")
    print(out)


async def shoot(folder: Path) -> None:
    core = make_core()
    calls = FakeCalls(core.bus)
    window = calls_window(core, calls)
    window.resize(900, 560)
    window.show()
    account = await add_account_with_bob(core, window)
    calls.callable.add((account, BOB))
    window.open_chat(account, BOB)
    assert window.calls is not None
    call_window = window.calls.windows.start_call(account, BOB)
    call_window.devices.watcher = None
    calls.update(
        "call1",
        state=CallState.ACTIVE,
        connected=time.time() - 134,
        details=RELAY_DETAILS,
    )
    await until(lambda: call_window.state_label.text() == "02:14")
    call_window.details_button.setChecked(True)
    call_window.resize(620, call_window.sizeHint().height())
    for name in ("light", "dark"):
        theme(window, name)
        await asyncio.sleep(0.1)
        save(call_window, folder / f"call-{name}.png")
    theme(window, "light")
    calls.incoming(account, BOB, "in1")
    await until(lambda: "in1" in window.calls.windows.ringing)
    dialog = window.calls.windows.ringing["in1"]
    dialog.resize(380, dialog.sizeHint().height())
    await asyncio.sleep(0.1)
    save(dialog, folder / "ringing-light.png")
    window.close()
    await core.accounts.shutdown()


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    devices.inputs = lambda: list(INPUTS)  # type: ignore[assignment]
    devices.outputs = lambda: list(OUTPUTS)  # type: ignore[assignment]
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    loop.run_until_complete(shoot(folder))


if __name__ == "__main__":
    main()
