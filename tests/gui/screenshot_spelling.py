"""Save a screenshot of spell checking: a misspelled word underlined, its menu open.

A manual harness, not a test: the main window over the core (fake XMPP
session), a conversation with Bob, a draft with a misspelled word and the
context menu of that word (suggestions, Add to Dictionary, Ignore, Spelling)
painted where it opens.

    .venv/bin/python tests/gui/screenshot_spelling.py [docs/screenshots/spelling.png]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import qasync
from PySide6.QtCore import QPoint
from PySide6.QtGui import QFont, QPainter, QTextCursor
from PySide6.QtWidgets import QApplication

from siproxylin.core.services.preferences import PreferencesService
from siproxylin.domain.ids import Jid
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.views.spelling_menu import SPELLING
from siproxylin.gui.window import create_main_window
from tests.fakes import Core, account_config, make_core, roster_item
from tests.gui.spelling_support import MemorySettings, submenu
from tests.gui.waits import until

DRAFT = "Sure, the proxy setting is realy helpful: https://exmaple.org/notes"
WORD = "realy"


async def converse(core: Core, window: MainWindow) -> None:
    stored = await core.accounts.add_account(account_config("me@example.org"), "pw")
    xmpp = core.xmpp(stored.id)
    xmpp.start()
    xmpp.receive_roster(roster_item("bob@example.org", "Bob"))
    bob = Jid.parse("bob@example.org")
    xmpp.receive_message("bob@example.org/phone", "Did the proxy change help?")
    await until(lambda: window.contacts.model.contact(stored.id, bob) is not None)
    window.open_chat(stored.id, bob)
    await until(lambda: window.chat.model.rowCount() == 1)
    window.chat_view.composer.set_text(DRAFT)
    for _ in range(5):
        await asyncio.sleep(0.01)


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots/spelling.png"
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    core = make_core()
    personal = Path(tempfile.mkdtemp()) / "personal.dic"
    services = replace(
        core.services,
        preferences=PreferencesService(core.bus, MemorySettings()),
        personal_dictionary=personal,
    )
    window = create_main_window(services)
    window.resize(900, 720)
    window.show()
    loop.run_until_complete(converse(core, window))
    composer = window.chat_view.composer
    menus = window.chat_view.spelling_menu
    assert menus is not None
    cursor = QTextCursor(composer.document())
    cursor.setPosition(DRAFT.index(WORD) + 2)
    menu = menus.menu_for(cursor)
    # Above the input, as near a screen's bottom edge, so the draft and its
    # underline stay visible; the Spelling submenu open beside it, also above.
    start = QTextCursor(composer.document())
    start.setPosition(DRAFT.index(WORD))
    left = composer.viewport().mapToGlobal(composer.cursorRect(start).topLeft()).x()
    top = composer.mapToGlobal(QPoint(0, 0)).y()
    languages = submenu(menu, SPELLING)
    languages_top = top - languages.sizeHint().height() - 8
    menu.popup(QPoint(left - 30, top))
    app.processEvents()
    item = menu.actionGeometry(languages.menuAction())
    menu.move(left - 30, languages_top - item.top())
    app.processEvents()
    languages.popup(QPoint(menu.geometry().right() - 2, languages_top))
    menu.setActiveAction(languages.menuAction())
    app.processEvents()
    image = window.grab().toImage()
    painter = QPainter(image)
    for popup in (menu, languages):
        painter.drawPixmap(window.mapFromGlobal(popup.geometry().topLeft()), popup.grab())
    painter.end()
    if not image.save(out):
        raise SystemExit(f"could not write {out}")
    print(out)
    languages.close()
    menu.close()
    window.close()
    loop.run_until_complete(core.accounts.shutdown())


if __name__ == "__main__":
    main()
