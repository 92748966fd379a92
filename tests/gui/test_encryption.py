"""OMEMO in the GUI: the header lock, bubble marks, the encryption dialog, trust questions.

Driven like a user would over the real core (EncryptionService, Decisions) with
the fake XMPP session's device lists.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
import segno
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from siproxylin.core.services.encryption import EncryptionService
from siproxylin.domain.events import EncryptionChanged, MessageErrorReceived
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, Encryption, OmemoDevice, TrustLevel
from siproxylin.gui.models.messages import MessageRole
from siproxylin.gui.qr import QUIET_ZONE, qr_image
from siproxylin.gui.views.chat_view import ENCRYPTED_PLACEHOLDER, PLACEHOLDER
from siproxylin.gui.views.encryption_dialog import OFFLINE, EncryptionDialog
from siproxylin.gui.views.info_bar import InfoBar
from siproxylin.gui.views.main_window import MainWindow
from tests.fakes import Core

from .encryption_support import (
    BOB,
    BOB_LAPTOP,
    BOB_PHONE,
    OLD_DEVICE,
    add_account,
    encrypted_window,
    encryption_service,
    receive,
)
from .waits import turns, until

CAROL = Jid.parse("carol@x.org")


@pytest.fixture
def encryption(core: Core) -> EncryptionService:
    return encryption_service(core)


@pytest.fixture
def window(core: Core, encryption: EncryptionService, qtbot: QtBot) -> MainWindow:
    win = encrypted_window(core, encryption)
    qtbot.addWidget(win)
    win.resize(900, 600)
    win.show()
    return win


def run(loop: asyncio.AbstractEventLoop, scenario: Coroutine[Any, Any, None]) -> None:
    loop.run_until_complete(scenario)


def click(qtbot: QtBot, button: QPushButton | Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def refusing(questions: list[str]) -> Callable[[QWidget, str], bool]:
    """A confirmation that records the question and says no."""

    def confirm(_parent: QWidget, question: str) -> bool:
        questions.append(question)
        return False

    return confirm


# --- the lock --------------------------------------------------------------------------


def test_the_lock_toggles_and_turning_it_off_asks_first(
    core: Core,
    window: MainWindow,
    encryption: EncryptionService,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    async def scenario() -> None:
        account = await add_account(core, window)
        view = window.chat_view
        assert not view.lock_button.isVisible()  # no conversation open
        window.open_chat(account, BOB)
        assert view.lock_button.isVisible()
        assert view.lock_button.text() == "Not encrypted"
        assert view.composer.placeholderText() == PLACEHOLDER

        click(qtbot, view.lock_button)  # on: no question asked
        assert encryption.is_encrypted(account, BOB)
        assert view.lock_button.text() == "Encrypted"
        assert view.composer.placeholderText() == ENCRYPTED_PLACEHOLDER

        questions: list[str] = []
        view.confirm = refusing(questions)
        click(qtbot, view.lock_button)  # off: asked, and the user says no
        assert len(questions) == 1
        assert "unencrypted" in questions[0]
        assert encryption.is_encrypted(account, BOB)
        assert view.lock_button.text() == "Encrypted"

        view.confirm = lambda _parent, _question: True
        click(qtbot, view.lock_button)
        assert not encryption.is_encrypted(account, BOB)
        assert view.lock_button.text() == "Not encrypted"
        assert view.composer.placeholderText() == PLACEHOLDER

    run(qloop, scenario())


def test_an_encrypted_message_turns_the_lock_on(
    core: Core,
    window: MainWindow,
    encryption: EncryptionService,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    async def scenario() -> None:
        account = await add_account(core, window)
        window.open_chat(account, BOB)
        view = window.chat_view
        # Another conversation's change leaves this lock alone.
        core.bus.publish(EncryptionChanged(account, CAROL, True))
        core.bus.publish(EncryptionChanged(AccountId(account + 1), BOB, True))
        await turns()
        assert view.lock_button.text() == "Not encrypted"

        receive(core, account, "secret hello", encryption=Encryption.OMEMO)
        await until(lambda: view.lock_button.text() == "Encrypted")
        assert encryption.is_encrypted(account, BOB)
        assert view.composer.placeholderText() == ENCRYPTED_PLACEHOLDER

    run(qloop, scenario())


def test_a_message_not_sent_says_why(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await add_account(core, window)
        window.open_chat(account, BOB)
        view = window.chat_view
        why = "no trusted OMEMO device of carol@x.org"
        # Another conversation's failure is not shown here.
        core.bus.publish(MessageErrorReceived(account, "o1", CAROL, why))
        await turns()
        assert view.error_label.isHidden()
        core.bus.publish(MessageErrorReceived(account, "o2", BOB, why))
        await until(lambda: not view.error_label.isHidden())
        assert view.error_label.text() == f"Message not sent: {why}."

    run(qloop, scenario())


def test_switching_conversations_shows_each_ones_state(
    core: Core,
    window: MainWindow,
    encryption: EncryptionService,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    async def scenario() -> None:
        account = await add_account(core, window)
        encryption.set_encrypted(account, BOB, True)
        window.open_chat(account, CAROL)
        assert window.chat_view.lock_button.text() == "Not encrypted"
        window.open_chat(account, BOB)
        assert window.chat_view.lock_button.text() == "Encrypted"

    run(qloop, scenario())


def test_a_room_has_the_lock_but_no_device_dialog(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await add_account(core, window)
        window.chat.open(account, Jid.parse("room@muc.x.org"), ChatKind.GROUPCHAT)
        assert window.chat_view.lock_button.isVisible()
        assert not window.chat_view.encryption_button.isVisible()
        assert window.chat_view.show_encryption_dialog() is None
        window.open_chat(account, BOB)
        assert window.chat_view.encryption_button.isVisible()

    run(qloop, scenario())


def test_without_the_service_there_is_no_lock(
    core: Core, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    from siproxylin.gui.window import create_main_window

    win = create_main_window(core.services)
    qtbot.addWidget(win)
    win.show()

    async def scenario() -> None:
        account = await add_account(core, win)
        win.open_chat(account, BOB)
        assert not win.chat_view.lock_button.isVisible()
        assert not win.chat_view.encryption_button.isVisible()
        assert win.chat_view.show_encryption_dialog() is None

    run(qloop, scenario())


# --- bubbles -------------------------------------------------------------------------


def _bubble_image(window: MainWindow, row: int) -> tuple[QImage, QRect]:
    view = window.chat_view.messages
    QApplication.processEvents()
    index = window.chat.model.index(row, 0)
    rect = window.chat_view.delegate.bubble_rect(index).toAlignedRect()
    image = view.viewport().grab().toImage()
    return image, rect


def _count(image: QImage, rect: QRect, near: QColor, tolerance: int = 40) -> int:
    found = 0
    for x in range(max(rect.left(), 0), min(rect.right(), image.width())):
        for y in range(max(rect.top(), 0), min(rect.bottom(), image.height())):
            colour = image.pixelColor(x, y)
            if (
                abs(colour.red() - near.red())
                + abs(colour.green() - near.green())
                + abs(colour.blue() - near.blue())
                < tolerance
            ):
                found += 1
    return found


GREEN_LOCK = QColor("#2e9e44")
AMBER_TEXT = QColor("#a86a00")


def test_bubbles_mark_encryption_and_failed_decryption(
    core: Core,
    window: MainWindow,
    encryption: EncryptionService,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    async def scenario() -> None:
        account = await add_account(core, window)
        window.open_chat(account, BOB)
        receive(core, account, "in clear", number=1)
        receive(core, account, "secret", encryption=Encryption.OMEMO, number=2)
        receive(
            core,
            account,
            "",
            encryption=Encryption.OMEMO,
            error="no session for device 11",
            number=3,
        )
        model = window.chat.model
        await until(lambda: model.rowCount() == 3)
        await asyncio.sleep(0.05)

        image, clear_rect = _bubble_image(window, 0)
        _, secret_rect = _bubble_image(window, 1)
        _, broken_rect = _bubble_image(window, 2)
        assert _count(image, secret_rect, GREEN_LOCK) > 10  # the lock mark
        assert _count(image, clear_rect, GREEN_LOCK) == 0
        # The undecryptable one is an amber bubble; its reason is in the tooltip.
        fill = image.pixelColor(broken_rect.left() + 4, broken_rect.center().y())
        assert fill.red() > fill.blue() + 20
        normal = image.pixelColor(clear_rect.left() + 4, clear_rect.center().y())
        assert abs(normal.red() - normal.blue()) < 10
        tip = model.index(2, 0).data(Qt.ItemDataRole.ToolTipRole)
        assert "no session for device 11" in tip
        assert "⚠" not in model.index(2, 0).data(MessageRole.BODY)
        assert _count(image, broken_rect, GREEN_LOCK) == 0  # not claimed to be encrypted

        # The conversation is encrypted now (an encrypted message came): the clear
        # one is flagged "not encrypted" in amber; the encrypted one is not.
        await until(lambda: window.chat_view.lock_button.text() == "Encrypted")
        await asyncio.sleep(0.05)
        image, clear_rect = _bubble_image(window, 0)
        _, secret_rect = _bubble_image(window, 1)
        assert _count(image, clear_rect, AMBER_TEXT, 60) > 10
        assert _count(image, secret_rect, AMBER_TEXT, 60) == 0
        encryption.set_encrypted(account, BOB, False)
        await until(lambda: window.chat_view.lock_button.text() == "Not encrypted")
        image, clear_rect = _bubble_image(window, 0)
        assert _count(image, clear_rect, AMBER_TEXT, 60) == 0

    run(qloop, scenario())


# --- the dialog ----------------------------------------------------------------------


def _rows(dialog: EncryptionDialog, own: bool = False) -> list[list[str]]:
    table = dialog.own_table if own else dialog.contact_table
    return [
        [table.topLevelItem(r).text(c) for c in range(3)]  # type: ignore[union-attr]
        for r in range(table.topLevelItemCount())
    ]


def two_lines(group: str) -> str:
    """A fingerprint of one repeated group as shown: two lines of four groups."""
    line = " ".join([group] * 4)
    return f"{line}\n{line}"


async def _open_dialog(core: Core, window: MainWindow, online: bool = True) -> EncryptionDialog:
    account = await add_account(core, window, online=online)
    window.open_chat(account, BOB)
    dialog = window.chat_view.show_encryption_dialog()
    assert dialog is not None
    return dialog


def test_the_dialog_lists_devices_and_changes_trust(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        dialog = await _open_dialog(core, window)
        await until(lambda: dialog.devices is not None)
        assert _rows(dialog) == [
            ["Phone", two_lines("11111111"), "Trusted (not verified)"],
            ["Device 12", two_lines("c0ffee00"), "Undecided"],
        ]
        assert _rows(dialog, own=True) == [
            ["Old tablet", two_lines("dededede"), "Trusted (not verified)"]
        ]  # this device itself is shown above, with the QR code
        assert dialog.fingerprint_label.text() == two_lines("abababab")
        assert not dialog.qr_label.pixmap().isNull()
        assert dialog.qr_label.toolTip() == f"xmpp:me@x.org?omemo-sid-100={'ab' * 32}"
        assert not dialog.verify_button.isEnabled()  # nothing selected

        session = core.xmpp(dialog.devices.account)  # type: ignore[union-attr]
        dialog.select_device(dialog.contact_table, BOB_LAPTOP.device_id)
        assert dialog.verify_button.isEnabled()
        click(qtbot, dialog.verify_button)
        await until(lambda: _rows(dialog)[1][2] == "Verified")
        assert session.devices[BOB][12].trust is TrustLevel.VERIFIED

        dialog.select_device(dialog.contact_table, BOB_PHONE.device_id)
        click(qtbot, dialog.distrust_button)
        await until(lambda: _rows(dialog)[0][2] == "Distrusted")
        assert session.devices[BOB][11].trust is TrustLevel.DISTRUSTED
        click(qtbot, dialog.trust_button)
        await until(lambda: _rows(dialog)[0][2] == "Trusted (not verified)")

    run(qloop, scenario())


def test_removing_an_old_device_asks_first(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        dialog = await _open_dialog(core, window)
        await until(lambda: dialog.devices is not None)
        session = core.xmpp(dialog.devices.account)  # type: ignore[union-attr]
        dialog.select_device(dialog.own_table, OLD_DEVICE.device_id)
        questions: list[str] = []
        dialog.confirm = refusing(questions)
        click(qtbot, dialog.remove_button)
        await asyncio.sleep(0.02)
        assert "Old tablet" in questions[0]
        assert OLD_DEVICE.device_id in session.devices[OLD_DEVICE.jid]
        dialog.confirm = lambda _parent, _question: True
        click(qtbot, dialog.remove_button)
        await until(lambda: _rows(dialog, own=True) == [])
        assert OLD_DEVICE.device_id not in session.devices[OLD_DEVICE.jid]

    run(qloop, scenario())


def test_verifying_by_a_scanned_uri(
    core: Core, window: MainWindow, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        dialog = await _open_dialog(core, window)
        await until(lambda: dialog.devices is not None)
        session = core.xmpp(dialog.devices.account)  # type: ignore[union-attr]

        async def check(uri: str) -> str:
            dialog.uri_result.clear()
            dialog.uri_edit.setText(uri)
            click(qtbot, dialog.uri_button)
            await until(lambda: dialog.uri_result.text() != "")
            return dialog.uri_result.text()

        assert await check("https://example.org/") == "Not verified: not an xmpp: URI"
        wrong = await check(f"xmpp:bob@x.org?omemo-sid-11={'99' * 32}")
        assert "does not match" in wrong
        assert session.devices[BOB][11].trust is TrustLevel.BLIND  # unchanged
        assert dialog.uri_result.isVisible()
        unknown = await check(f"xmpp:bob@x.org?omemo-sid-77={'11' * 32}")
        assert unknown.startswith("Not verified")
        assert await check(f"xmpp:bob@x.org?omemo-sid-11={'11' * 32}") == "Verified 1 device."
        assert session.devices[BOB][11].trust is TrustLevel.VERIFIED
        await until(lambda: _rows(dialog)[0][2] == "Verified")
        assert dialog.uri_edit.text() == ""

    run(qloop, scenario())


def test_the_dialog_offline_says_so(
    core: Core, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        dialog = await _open_dialog(core, window, online=False)
        await until(lambda: dialog.status_label.text() == OFFLINE)
        assert dialog.devices is None
        assert _rows(dialog) == []
        assert not dialog.verify_button.isEnabled()
        assert not dialog.remove_button.isEnabled()
        assert not dialog.uri_button.isEnabled()

    run(qloop, scenario())


# --- trust questions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "trust"), [("Trust", TrustLevel.VERIFIED), ("Don't trust", TrustLevel.DISTRUSTED)]
)
def test_a_trust_question_is_answered_from_its_bar(
    core: Core,
    window: MainWindow,
    encryption: EncryptionService,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    answer: str,
    trust: TrustLevel,
) -> None:
    async def scenario() -> None:
        account = await add_account(core, window)
        session = core.xmpp(account)
        session.devices[BOB][11] = OmemoDevice(BOB, 11, "11" * 32, TrustLevel.VERIFIED)
        new = OmemoDevice(BOB, 13, "77" * 32, label="Tablet")
        decided = asyncio.ensure_future(encryption.decide(account, BOB, (new,)))

        def bar() -> InfoBar | None:
            return next(
                (
                    b
                    for b in window.findChildren(InfoBar)
                    if "new device (Tablet)" in b.label.text()
                ),
                None,
            )

        await until(lambda: bar() is not None)
        shown = bar()
        assert shown is not None
        assert "77777777 77777777" in shown.label.text()
        buttons = {b.text(): b for b in shown.findChildren(QPushButton)}
        assert set(buttons) == {"Trust", "Don't trust"}
        click(qtbot, buttons[answer])
        assert await asyncio.wait_for(decided, 2) == {13: trust}
        await until(lambda: bar() is None or not bar().isVisible())  # type: ignore[union-attr]

    run(qloop, scenario())


# --- the QR code ---------------------------------------------------------------------


def test_the_qr_code_is_crisp_and_matches_the_symbol(qapp: QApplication) -> None:
    uri = f"xmpp:me@x.org?omemo-sid-100={'ab' * 32}"
    image = qr_image(uri, 200)
    code = segno.make(uri, error="m", micro=False)
    matrix = list(code.matrix_iter(scale=1, border=QUIET_ZONE))
    modules = len(matrix)
    assert image.width() == image.height()
    assert image.width() % modules == 0
    assert image.width() <= 200
    scale = image.width() // modules
    assert scale >= 2
    greys = {image.pixelColor(x, y).value() for x in range(image.width()) for y in range(40)}
    assert greys <= {0, 255}  # no blurred edges
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            centre = image.pixelColor(x * scale + scale // 2, y * scale + scale // 2)
            assert (centre.value() == 0) == bool(dark), (x, y)
    # The quiet zone is white all round.
    assert all(image.pixelColor(QPoint(i, 0)).value() == 255 for i in range(image.width()))
