"""The log viewer: files listed, filters, live tail, rotation, and a big file opened by its tail."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import pytest
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from siproxylin.gui.log_lines import Level
from siproxylin.gui.models.log_entries import Column
from siproxylin.gui.views.log_viewer import LogViewerWindow
from siproxylin.gui.window import create_main_window
from tests.fakes import Core

pytestmark = pytest.mark.gui

MAIN = """\
2026-03-01 10:00:00,001 INFO    siproxylin.app.bootstrap: started
2026-03-01 10:00:01,002 DEBUG   siproxylin.account.1: connecting through the proxy
2026-03-01 10:00:02,003 WARNING siproxylin.account.2.xmpp: proxy refused the login
2026-03-01 10:00:03,004 ERROR   siproxylin.account.1.xmpp: stream failed
Traceback (most recent call last):
  File "connect.py", line 10, in open
ConnectionResetError: reset by peer
2026-03-01 10:00:04,005 INFO    siproxylin.gui.window: window shown
"""
ACCOUNT = "2026-03-01 10:00:05,000 INFO    siproxylin.core.session: online\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "main.log").write_text(MAIN, encoding="utf-8")
    (tmp_path / "account-1-app.log").write_text(ACCOUNT, encoding="utf-8")
    (tmp_path / "account-2-app.log").write_text(ACCOUNT, encoding="utf-8")
    (tmp_path / "xmpp-protocol.log").write_text("", encoding="utf-8")
    return tmp_path


def viewer(qtbot: QtBot, folder: Path, **options: int) -> LogViewerWindow:
    window = LogViewerWindow(folder, poll_ms=20, **options)
    qtbot.addWidget(window)
    window.show()
    return window


def messages(window: LogViewerWindow) -> list[str]:
    model = window.model
    return [
        str(model.index(row, Column.MESSAGE).data())
        for row in range(model.rowCount())
        if model.first_row_of(row)
    ]


def test_lists_the_files_and_shows_main_log(qtbot: QtBot, folder: Path) -> None:
    window = viewer(qtbot, folder)
    QAbstractItemModelTester(window.model)
    names = [window.file_list.item(row).text().split("\n")[0] for row in range(4)]
    assert names == ["main.log", "account-1-app.log", "account-2-app.log", "xmpp-protocol.log"]
    assert window.current_path() == folder / "main.log"
    assert window.model.rowCount() == 8  # five records, the traceback's three lines
    assert window.model.index(4, Column.MESSAGE).data() == "Traceback (most recent call last):"
    assert window.model.index(4, Column.LEVEL).data() == ""
    assert window.note_label.text() == ""
    assert "5 of 5 entries" in window.count_label.text()


def test_level_account_and_text_filters(qtbot: QtBot, folder: Path) -> None:
    window = viewer(qtbot, folder)
    window.level_box.setCurrentIndex(window.level_box.findData(Level.WARNING))
    assert messages(window) == ["proxy refused the login", "stream failed"]
    window.level_box.setCurrentIndex(window.level_box.findData(None))
    window.account_box.setCurrentIndex(window.account_box.findData(1))
    assert messages(window) == ["connecting through the proxy", "stream failed"]
    hidden = [window.file_list.item(row).isHidden() for row in range(4)]
    assert hidden == [False, False, True, False]  # account 2's file is not offered
    window.account_box.setCurrentIndex(0)
    window.text_edit.setText("RESET BY")
    window.apply_filter()  # what the typing pause would do
    assert messages(window) == ["stream failed"]


def test_selecting_a_line_shows_its_whole_entry(qtbot: QtBot, folder: Path) -> None:
    window = viewer(qtbot, folder)
    window.table.selectRow(5)  # inside the traceback
    assert window.detail.toPlainText().endswith("ConnectionResetError: reset by peer")
    assert window.detail.toPlainText().startswith("2026-03-01 10:00:03,004 ERROR")


def test_an_account_file_belongs_to_its_account(qtbot: QtBot, folder: Path) -> None:
    window = viewer(qtbot, folder)
    assert window.select_file("account-2-app.log")
    window.account_box.setCurrentIndex(window.account_box.findData(2))
    assert messages(window) == ["online"]


def test_new_lines_appear_and_are_followed(qtbot: QtBot, folder: Path) -> None:
    window = viewer(qtbot, folder)
    QAbstractItemModelTester(window.model)
    with (folder / "main.log").open("a", encoding="utf-8") as log:
        log.write("2026-03-01 10:01:00,000 WARNING siproxylin.account.1: late line\n")
    qtbot.waitUntil(lambda: "late line" in messages(window), timeout=3000)
    bar = window.table.verticalScrollBar()
    assert bar.value() == bar.maximum()


def test_rotation_and_truncation_are_followed(qtbot: QtBot, folder: Path) -> None:
    window = viewer(qtbot, folder)
    path = folder / "main.log"
    os.rename(path, folder / "main.log.1")
    path.write_text("2026-03-01 11:00:00,000 INFO    x: after rotation\n", encoding="utf-8")
    qtbot.waitUntil(lambda: "after rotation" in messages(window), timeout=3000)
    assert "rotated" in window.note_label.text()
    path.write_text("2026-03-01 12:00:00,000 INFO    x: fresh\n", encoding="utf-8")
    qtbot.waitUntil(lambda: messages(window) == ["fresh"], timeout=3000)
    assert "emptied" in window.note_label.text()
    qtbot.waitUntil(lambda: window.file_list.count() == 5, timeout=3000)  # main.log.1 listed


def test_a_big_file_opens_quickly_at_its_tail(qtbot: QtBot, tmp_path: Path) -> None:
    line = "2026-03-01 10:00:00,001 DEBUG   slixmpp.xmlstream.xmlstream: RECV: <presence/>"
    chunk = "\n".join(f"{line} {n}" for n in range(10_000)) + "\n"
    with (tmp_path / "xmpp-protocol.log").open("w", encoding="utf-8") as log:
        while log.tell() < 50 * 1024 * 1024:
            log.write(chunk)
    started = time.perf_counter()
    window = viewer(qtbot, tmp_path)
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0, elapsed
    assert "Showing the last 2.0 MB of 50." in window.note_label.text()
    assert 0 < window.model.rowCount() < 30_000
    bar = window.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum(), timeout=3000)
    assert str(window.model.index(window.model.rowCount() - 1, Column.MESSAGE).data()).endswith(
        " 9999"
    )


def test_view_menu_opens_one_viewer_over_the_logs_folder(
    core: Core, qtbot: QtBot, folder: Path
) -> None:
    services = dataclasses.replace(core.services, logs_dir=folder, data_dir=folder)
    window = create_main_window(services)
    qtbot.addWidget(window)
    assert window.info_windows.log_viewer_action.isEnabled()
    window.info_windows.log_viewer_action.trigger()
    opened = window.info_windows.log_viewer
    assert opened is not None
    assert opened.isVisible()
    assert not opened.isModal()
    window.info_windows.log_viewer_action.trigger()
    assert window.info_windows.log_viewer is opened
    opened.close()


def test_without_a_logs_folder_the_viewer_is_disabled(core: Core, qtbot: QtBot) -> None:
    window = create_main_window(core.services)
    qtbot.addWidget(window)
    assert not window.info_windows.log_viewer_action.isEnabled()
