"""Help > About: version, licence, folders, and the XEP and RFC tables from doap.xml."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from siproxylin import __version__
from siproxylin.gui.views.about_dialog import AboutDialog
from siproxylin.gui.window import create_main_window
from tests.fakes import Core

pytestmark = pytest.mark.gui


def label_texts(dialog: AboutDialog) -> str:
    return "\n".join(label.text() for label in dialog.findChildren(QLabel))


def test_shows_version_licence_and_folders(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(data_dir=tmp_path / "data", logs_dir=tmp_path / "logs")
    qtbot.addWidget(dialog)
    text = label_texts(dialog)
    assert f"Siproxylin {__version__}" in text
    assert "GPL-3.0-or-later" in text
    assert str(tmp_path / "data") in text
    assert str(tmp_path / "logs") in text


def test_lists_the_supported_xeps_sorted(qtbot: QtBot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    names = dialog.xep_names()
    for name in ("XEP-0384", "XEP-0363", "XEP-0198", "XEP-0313", "XEP-0045"):
        assert name in names
    assert names == sorted(names)
    assert dialog.tabs.tabText(0) == f"XEPs ({len(names)})"
    dialog.xep_table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert dialog.xep_names() == sorted(names, reverse=True)
    rfcs = [dialog.rfc_table.item(row, 0).text() for row in range(dialog.rfc_table.rowCount())]
    assert "RFC 6120" in rfcs
    assert rfcs.index("RFC 1928") < rfcs.index("RFC 6120") < rfcs.index("RFC 9110")


def test_addresses_are_copied_not_opened(qtbot: QtBot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    row = dialog.xep_names().index("XEP-0384")
    dialog.xep_table.selectRow(row)
    assert dialog.selected_address() == "https://xmpp.org/extensions/xep-0384.html"
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == "https://xmpp.org/extensions/xep-0384.html"
    assert all(not label.openExternalLinks() for label in dialog.findChildren(QLabel))


def test_help_menu_opens_it(core: Core, qtbot: QtBot, tmp_path: Path) -> None:
    services = dataclasses.replace(core.services, data_dir=tmp_path)
    window = create_main_window(services)
    qtbot.addWidget(window)
    window.about_action.trigger()
    about = window.info_windows.about
    assert about is not None
    assert about.isVisible()
    assert str(tmp_path) in label_texts(about)
    about.close()
