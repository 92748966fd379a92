"""Shared files in the chat view: attach, progress and cancel, download on click, previews.

Driven like a user would over the real core (ChatService, FileService) with a
fake upload server on the fake XMPP session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from siproxylin.core.services.files import FileService
from siproxylin.domain.ids import AccountId
from siproxylin.domain.models import DeliveryState, Direction, TransferState
from siproxylin.gui.file_actions import CardAction
from siproxylin.gui.models.messages import MessageRole
from siproxylin.gui.views.file_card import status_text
from siproxylin.gui.views.main_window import MainWindow
from tests.fakes import Core, account_config

from .file_support import (
    BOB,
    ME,
    FakeUploadServer,
    file_from_bob,
    file_service,
    files_window,
    picture,
)
from .waits import turns, until


@pytest.fixture
def server() -> FakeUploadServer:
    return FakeUploadServer()


@pytest.fixture
def files(core: Core, tmp_path: Path) -> FileService:
    return file_service(core, tmp_path / "data" / "files")


@pytest.fixture
def window(core: Core, files: FileService, qtbot: QtBot) -> MainWindow:
    win = files_window(core, files)
    qtbot.addWidget(win)
    win.resize(900, 640)
    win.show()
    return win


def run(loop: asyncio.AbstractEventLoop, scenario: Coroutine[Any, Any, None]) -> None:
    loop.run_until_complete(asyncio.wait_for(scenario, 20))


async def online(core: Core, window: MainWindow, server: FakeUploadServer) -> AccountId:
    stored = await core.accounts.add_account(account_config(str(ME)), "secret")
    session = core.xmpp(stored.id)
    server.attach(session)
    session.start()
    await until(lambda: window.contacts.model.account_entry(stored.id) is not None)
    window.open_chat(stored.id, BOB)
    return stored.id


def card_button(window: MainWindow, row: int) -> QPoint:
    view = window.chat_view
    index = window.chat.model.index(row, 0)
    rect = view.delegate.card_button_rect(index)
    assert not rect.isEmpty(), "the card has no button"
    return rect.center().toPoint()


def click(qtbot: QtBot, window: MainWindow, pos: QPoint) -> None:
    qtbot.mouseClick(window.chat_view.messages.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_sharing_a_file_shows_progress_and_sends_it_once_uploaded(
    core: Core,
    window: MainWindow,
    server: FakeUploadServer,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        account = await online(core, window, server)
        server.gate = asyncio.Event()
        path = tmp_path / "report.pdf"
        path.write_bytes(b"%PDF" + bytes(200_000))
        window.chat_view.share_files([path])
        model = window.chat.model
        await until(lambda: model.rowCount() == 1)
        await until(
            lambda: (t := model.index(0, 0).data(MessageRole.TRANSFER)) is not None and t.done > 0
        )
        transfer = model.index(0, 0).data(MessageRole.TRANSFER)
        assert transfer.state is TransferState.UPLOADING
        assert status_text(transfer, Direction.OUTGOING).startswith("195.3 KB · uploading")
        assert not core.xmpp(account).sent  # nothing is sent before the upload is done
        server.gate.set()
        await until(
            lambda: model.index(0, 0).data(MessageRole.TRANSFER).state is TransferState.DONE
        )
        await until(lambda: len(core.xmpp(account).sent) == 1)
        sent = core.xmpp(account).sent[0].message
        assert sent.attachment == sent.body
        assert sent.attachment.startswith("https://upload.x.org/")
        assert server.files[sent.attachment] == path.read_bytes()

    run(qloop, scenario())


def test_an_upload_can_be_cancelled_and_retried(
    core: Core,
    window: MainWindow,
    server: FakeUploadServer,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        account = await online(core, window, server)
        server.gate = asyncio.Event()
        path = tmp_path / "big.bin"
        path.write_bytes(bytes(300_000))
        window.chat_view.share_files([path])
        model = window.chat.model
        await until(
            lambda: (
                model.rowCount() == 1
                and (t := model.index(0, 0).data(MessageRole.TRANSFER)) is not None
                and t.done > 0
            )
        )
        await turns()
        click(qtbot, window, card_button(window, 0))  # Cancel
        await until(
            lambda: model.index(0, 0).data(MessageRole.TRANSFER).state is TransferState.CANCELLED
        )
        await until(lambda: model.index(0, 0).data(MessageRole.STATE) is DeliveryState.FAILED)
        assert not core.xmpp(account).sent
        server.gate = None
        await turns()
        click(qtbot, window, card_button(window, 0))  # Retry
        await until(
            lambda: model.index(0, 0).data(MessageRole.TRANSFER).state is TransferState.DONE
        )
        await until(lambda: len(core.xmpp(account).sent) == 1)

    run(qloop, scenario())


def test_a_received_file_waits_for_a_click_then_shows_its_preview(
    core: Core,
    window: MainWindow,
    server: FakeUploadServer,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        account = await online(core, window, server)
        image = picture(tmp_path / "beach.png")
        url = "https://upload.x.org/bob/beach.png"
        server.files[url] = image.read_bytes()
        file_from_bob(core, account, url)
        model = window.chat.model
        await until(lambda: model.rowCount() == 1)
        await until(lambda: model.index(0, 0).data(MessageRole.TRANSFER) is not None)
        offered = model.index(0, 0).data(MessageRole.TRANSFER)
        assert offered.state is TransferState.OFFERED  # nothing fetched unasked
        assert offered.name == "beach.png"
        height_before = window.chat_view.messages.visualRect(model.index(0, 0)).height()
        await turns()
        click(qtbot, window, card_button(window, 0))  # Download
        await until(
            lambda: model.index(0, 0).data(MessageRole.TRANSFER).state is TransferState.DONE
        )
        done = model.index(0, 0).data(MessageRole.TRANSFER)
        assert Path(done.path).read_bytes() == image.read_bytes()
        assert done.image
        # The row grew to show the thumbnail, made from the file on disk.
        await until(
            lambda: (
                window.chat_view.messages.visualRect(model.index(0, 0)).height()
                > height_before + 100
            )
        )
        assert window.chat_view.delegate.thumbnails.get(done.path) is not None

    run(qloop, scenario())


def test_dropping_files_on_the_conversation_shares_them(
    core: Core,
    window: MainWindow,
    server: FakeUploadServer,
    qloop: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        account = await online(core, window, server)
        paths = [tmp_path / "a.txt", tmp_path / "b.txt"]
        for number, path in enumerate(paths):
            path.write_text(f"file {number}")
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        view = window.chat_view
        drop = QDropEvent(
            QPointF(50, 50),
            Qt.DropAction.CopyAction,
            data,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        )
        view.dropEvent(drop)
        await until(lambda: len(core.xmpp(account).sent) == 2)
        assert sorted(m.body.rsplit("/", 1)[-1] for m in core.xmpp(account).sent) == [
            "a.txt",
            "b.txt",
        ]

    run(qloop, scenario())


def test_card_actions_follow_the_state() -> None:
    from siproxylin.domain.models import FileTransfer
    from siproxylin.gui.file_actions import action_for

    def transfer(state: TransferState, path: str = "") -> FileTransfer:
        return FileTransfer(1, "f.bin", 10, "", path, state)

    incoming, outgoing = Direction.INCOMING, Direction.OUTGOING
    assert action_for(transfer(TransferState.OFFERED), incoming) is CardAction.DOWNLOAD
    assert action_for(transfer(TransferState.DOWNLOADING), incoming) is CardAction.CANCEL
    assert action_for(transfer(TransferState.DONE, "/f"), incoming) is CardAction.OPEN
    assert action_for(transfer(TransferState.FAILED), incoming) is CardAction.DOWNLOAD
    assert action_for(transfer(TransferState.UPLOADING), outgoing) is CardAction.CANCEL
    assert action_for(transfer(TransferState.FAILED), outgoing) is CardAction.RETRY
    assert action_for(transfer(TransferState.DONE), outgoing) is None
