"""CallsUi: the call parts of the main window, and the function that builds them.

``attach_calls`` adds to a window built with a ``CallsApi``: the Call menu
(before Help), the call button in the chat header, the call windows and ringing
dialogs, and an info bar for each missed call ("Open Chat" shows the
conversation). The window keeps the parts in ``MainWindow.calls``. Qt widgets
and the call views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu

from siproxylin.domain.call_info import CallInfo
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.gui.presenters.calls import CallsPresenter
from siproxylin.gui.views.call_button import CallButton
from siproxylin.gui.views.call_menu import CallMenu
from siproxylin.gui.views.call_windows import CallWindows
from siproxylin.gui.views.info_bar import BarKind

if TYPE_CHECKING:
    from siproxylin.gui.views.main_window import MainWindow


@dataclass(frozen=True, slots=True)
class CallsUi:
    """What ``attach_calls`` built."""

    presenter: CallsPresenter
    windows: CallWindows
    menu: CallMenu
    button: CallButton


def attach_calls(
    window: MainWindow,
    presenter: CallsPresenter,
    avatar_of: Callable[[AccountId, Jid], Path | None] | None = None,
    *,
    watch_devices: bool = True,
) -> CallsUi:
    """Build the call menu, button, windows and notes of ``window``."""
    model = window.contacts.model

    def name_of(account: AccountId, jid: Jid) -> str:
        entry = model.contact_at(model.contact_index(account, jid))
        return entry.display_name if entry is not None else str(jid)

    windows = CallWindows(presenter, window, name_of, avatar_of, watch_devices=watch_devices)
    menu = QMenu("&Call", window)
    window.menuBar().insertMenu(window.help_menu.menuAction(), menu)
    call_menu = CallMenu(menu, presenter, window.chat, windows)
    button = CallButton(presenter, window.chat, window.chat_view)
    button.call_requested.connect(windows.start_call)
    window.chat_view.add_header_widget(button)

    def on_note(text: str, call: CallInfo) -> None:
        account, peer = call.account, call.peer.bare
        window.show_bar(
            text,
            BarKind.INFO,
            [("Open Chat", lambda: window.open_chat(account, peer)), ("Dismiss", None)],
        )

    windows.note.connect(on_note)
    ui = CallsUi(presenter, windows, call_menu, button)
    window.calls = ui
    return ui
