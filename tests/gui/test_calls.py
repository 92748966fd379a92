"""Calls in the GUI: the header button, the Call menu, the call window, ringing, history.

Driven over the real core with ``FakeCalls`` standing in for the CallService:
the test pushes call states through the bus, the GUI's commands are recorded.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from siproxylin.domain.call_info import CallState
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind
from siproxylin.gui.call_labels import NOT_RELAYED, RELAYS_ONLY
from siproxylin.gui.views.calls_ui import CallsUi
from siproxylin.gui.views.info_bar import InfoBar
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.media import devices
from tests.calls_api_fakes import LEAKY_DETAILS, RELAY_DETAILS, FakeCalls
from tests.fakes import Core

from .call_support import BOB, INPUTS, OUTPUTS, add_account_with_bob, calls_window
from .waits import turns, until


@pytest.fixture(autouse=True)
def _devices(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(devices, "inputs", lambda: list(INPUTS))
    monkeypatch.setattr(devices, "outputs", lambda: list(OUTPUTS))
    return


@pytest.fixture
def calls(core: Core) -> FakeCalls:
    return FakeCalls(core.bus)


@pytest.fixture
def window(core: Core, calls: FakeCalls, qtbot: QtBot) -> MainWindow:
    win = calls_window(core, calls)
    qtbot.addWidget(win)
    win.resize(900, 600)
    win.show()
    return win


def run(loop: asyncio.AbstractEventLoop, scenario: Coroutine[Any, Any, None]) -> None:
    loop.run_until_complete(scenario)


def ui(window: MainWindow) -> CallsUi:
    assert window.calls is not None
    return window.calls


async def open_bob(core: Core, window: MainWindow, calls: FakeCalls) -> AccountId:
    account = await add_account_with_bob(core, window)
    calls.callable.add((account, BOB))
    window.open_chat(account, BOB)
    await turns()
    return account


# --- the header button and the menu ------------------------------------------------------


def test_without_calls_there_is_no_call_button_or_menu(
    core: Core, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    win = calls_window(core, None)
    qtbot.addWidget(win)
    assert win.calls is None
    titles = [action.text() for action in win.menuBar().actions()]
    assert "&Call" not in titles


def test_call_button_follows_can_call_and_hides_in_rooms(
    core: Core, window: MainWindow, calls: FakeCalls, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        titles = [action.text() for action in window.menuBar().actions()]
        assert titles.index("&Call") == titles.index("&Help") - 1
        account = await add_account_with_bob(core, window)
        button = ui(window).button
        window.open_chat(account, BOB)
        assert button.isVisible()
        assert not button.button.isEnabled()  # can_call says no
        assert not ui(window).menu.call_action.isEnabled()
        calls.callable.add((account, BOB))
        button.refresh()
        assert button.button.isEnabled()
        ui(window).menu.refresh()
        assert ui(window).menu.call_action.isEnabled()
        window.open_chat(account, Jid.parse("room@muc.x.org"), ChatKind.GROUPCHAT)
        assert not button.isVisible()

    run(qloop, scenario())


def test_call_menu_places_a_call_and_hangs_up(
    core: Core, window: MainWindow, calls: FakeCalls, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await open_bob(core, window, calls)
        menu = ui(window).menu
        assert not menu.hang_up_action.isEnabled()
        menu.call_action.trigger()
        assert calls.commands == [("start_call", account, BOB)]
        await turns()
        assert menu.hang_up_action.isEnabled()
        assert not menu.call_action.isEnabled()  # one call at a time
        menu.mute_action.trigger()
        menu.hang_up_action.trigger()
        assert calls.commands[1:] == [("set_muted", "call1", True), ("hang_up", "call1")]

    run(qloop, scenario())


# --- the call window ---------------------------------------------------------------------


def test_outgoing_call_window_goes_through_its_states(
    core: Core, window: MainWindow, calls: FakeCalls, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        await open_bob(core, window, calls)
        qtbot.mouseClick(ui(window).button.button, Qt.MouseButton.LeftButton)
        await turns()
        call_window = ui(window).windows.windows["call1"]
        assert call_window.isVisible()
        assert call_window.peer_label.text() == "Bob"
        assert call_window.state_label.text() == "Calling…"
        assert not ui(window).button.button.isEnabled()  # a call is under way
        calls.update("call1", state=CallState.RINGING)
        await until(lambda: call_window.state_label.text() == "Ringing…")
        calls.update("call1", state=CallState.CONNECTING)
        await until(lambda: call_window.state_label.text() == "Connecting…")
        calls.update("call1", state=CallState.ACTIVE, connected=time.time() - 135)
        await until(lambda: call_window.state_label.text() == "02:15")
        await until(lambda: call_window.state_label.text() == "02:16", seconds=2.5)

        call_window.activateWindow()
        qtbot.keyClick(call_window, Qt.Key.Key_M)
        assert calls.commands[-1] == ("set_muted", "call1", True)
        calls.update("call1", muted=True)
        await until(lambda: call_window.mute_button.text() == "Un&mute")
        assert call_window.mute_button.isChecked()

        qtbot.keyClick(call_window, Qt.Key.Key_Escape)  # Esc does not end a call
        assert call_window.isVisible()
        qtbot.mouseClick(call_window.hang_up_button, Qt.MouseButton.LeftButton)
        assert calls.commands[-1] == ("hang_up", "call1")
        call_window.close_after_ms = 50
        calls.update("call1", state=CallState.ENDED, ended=time.time(), end_text="You hung up")
        await until(lambda: call_window.state_label.text() == "You hung up")
        assert not call_window.hang_up_button.isEnabled()
        await until(lambda: "call1" not in ui(window).windows.windows)
        assert calls.commands[-1] == ("hang_up", "call1")  # closing an ended call sends nothing

    run(qloop, scenario())


def test_details_panel_lists_candidates_and_says_relays_only(
    core: Core, window: MainWindow, calls: FakeCalls, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await open_bob(core, window, calls)
        call_window = ui(window).windows.start_call(account, BOB)
        assert not call_window.details.isVisible()
        call_window.details_button.click()
        assert call_window.details.isVisible()
        calls.update("call1", state=CallState.ACTIVE, connected=time.time(), details=RELAY_DETAILS)
        panel = call_window.details
        await until(lambda: panel.verdict_label.text() == RELAYS_ONLY)
        assert panel.rows() == [
            ("Here", "relay", "udp", "203.0.113.5:50000", "0.0.0.0:9"),
            ("Peer", "relay", "udp", "203.0.113.9:50002", "192.0.2.44:41000"),
            ("Peer", "host", "udp", "10.0.0.12:41000", ""),
        ]
        assert "203.0.113.5:50000" in panel.chosen_label.text()
        assert "turns:turn.x.org:5349" in panel.server_label.text()
        assert panel.codec_label.text() == "opus/48000/2"
        calls.update("call1", details=LEAKY_DETAILS)
        await until(lambda: panel.verdict_label.text() == NOT_RELAYED)

    run(qloop, scenario())


def test_device_combos_list_devices_and_report_the_choice(
    core: Core,
    window: MainWindow,
    calls: FakeCalls,
    monkeypatch: pytest.MonkeyPatch,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    async def scenario() -> None:
        account = await open_bob(core, window, calls)
        box = ui(window).windows.start_call(account, BOB).devices
        inputs = [box.input_combo.itemText(i) for i in range(box.input_combo.count())]
        outputs = [box.output_combo.itemText(i) for i in range(box.output_combo.count())]
        assert inputs == [
            "System default",
            "USB Headset Microphone (default)",
            "Built-in Microphone",
        ]
        assert outputs == ["System default", "USB Headset", "Speakers (default)"]
        box.input_combo.setCurrentIndex(2)
        box.input_combo.activated.emit(2)
        assert calls.commands[-1] == ("set_devices", "mic-int", None)
        # The headset is unplugged: the lists follow, the built-in microphone stays chosen.
        monkeypatch.setattr(devices, "inputs", lambda: [INPUTS[1]])
        assert box.watcher is not None
        box.watcher.changed.emit()
        assert box.input_combo.count() == 2
        assert box.selected() == ("mic-int", None)

    run(qloop, scenario())


# --- incoming calls ----------------------------------------------------------------------


def test_incoming_call_rings_and_enter_accepts(
    core: Core, window: MainWindow, calls: FakeCalls, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await add_account_with_bob(core, window)
        calls.incoming(account, BOB)
        await until(lambda: "in1" in ui(window).windows.ringing)
        dialog = ui(window).windows.ringing["in1"]
        assert dialog.isVisible()
        assert dialog.name_label.text() == "Bob"
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
        assert calls.commands == [("accept", "in1")]
        assert "in1" in ui(window).windows.windows  # the call window opens at once
        calls.update("in1", state=CallState.PROCEEDING)
        await turns()
        assert "in1" not in ui(window).windows.ringing

    run(qloop, scenario())


def test_escape_declines_an_incoming_call(
    core: Core, window: MainWindow, calls: FakeCalls, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await add_account_with_bob(core, window)
        calls.incoming(account, BOB)
        await until(lambda: "in1" in ui(window).windows.ringing)
        qtbot.keyClick(ui(window).windows.ringing["in1"], Qt.Key.Key_Escape)
        assert calls.commands == [("reject", "in1")]
        await until(lambda: "in1" not in ui(window).windows.ringing)
        assert not ui(window).windows.windows

    run(qloop, scenario())


def test_answered_elsewhere_closes_the_ring_and_a_missed_call_leaves_a_note(
    core: Core, window: MainWindow, calls: FakeCalls, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await add_account_with_bob(core, window)
        calls.incoming(account, BOB)
        await until(lambda: "in1" in ui(window).windows.ringing)
        calls.update("in1", state=CallState.ENDED, end_text="Answered on another device")
        await until(lambda: "in1" not in ui(window).windows.ringing)
        assert calls.commands == []  # nothing sent: the ring just stopped
        assert not ui(window).windows.windows

        calls.incoming(account, BOB, "in2")
        await until(lambda: "in2" in ui(window).windows.ringing)
        calls.update("in2", state=CallState.ENDED, missed=True, end_text="Bob hung up")
        await until(lambda: "in2" not in ui(window).windows.ringing)
        bars = window.findChildren(InfoBar)
        texts = [label.text() for bar in bars for label in bar.findChildren(QLabel)]
        assert any(text.startswith("Missed call from Bob · ") for text in texts)

    run(qloop, scenario())


# --- history -----------------------------------------------------------------------------


def test_finished_calls_show_in_the_header(
    core: Core, window: MainWindow, calls: FakeCalls, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await open_bob(core, window, calls)
        button = ui(window).button
        assert button.history_button.text() == "Calls"
        started = time.time() - 200
        calls.start_call(account, BOB)
        calls.update(
            "call1",
            state=CallState.ENDED,
            started=started,
            connected=started + 10,
            ended=started + 143,
            end_text="Bob hung up",
        )
        await until(lambda: button.history_button.text().startswith("Outgoing call · 2:13 · "))
        calls.incoming(account, BOB, "in2")
        calls.update("in2", state=CallState.ENDED, missed=True, end_text="Bob hung up")
        await until(lambda: button.history_button.text().startswith("Missed call · "))
        records = button.records()
        assert [r.call_id for r in records] == ["in2", "call1"]
        button.history_menu.aboutToShow.emit()
        texts = [action.text() for action in button.history_menu.actions()]
        assert texts[0].startswith("Missed call · ")
        assert texts[1].startswith("Outgoing call · 2:13")

    run(qloop, scenario())
