"""CallWindows: which call windows and ringing dialogs are open.

Opens a ``RingingDialog`` for each incoming call that rings here and closes it
when the call stops ringing (answered on another device, retracted, ended);
opens a ``CallWindow`` for a call we place or accept; reports a missed call
through ``note`` (the main window shows it as an info bar). Names and avatars
come from functions the composition root hands in (the contact list, the
profile cache). Qt widgets and the call views.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QWidget

from siproxylin.domain.call_info import CallInfo, CallState
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.gui import avatars
from siproxylin.gui.labels import message_time
from siproxylin.gui.presenters.calls import CallsPresenter
from siproxylin.gui.views.call_window import AVATAR, CallWindow
from siproxylin.gui.views.ringing_dialog import RingingDialog

NameOf = Callable[[AccountId, Jid], str]
AvatarOf = Callable[[AccountId, Jid], Path | None]


def missed_text(name: str, call: CallInfo) -> str:
    """The note a missed call leaves: "Missed call from Bob · 14:02"."""
    return f"Missed call from {name} · {message_time(call.started)}"


class CallWindows(QObject):
    """The call windows and ringing dialogs of the application."""

    note = Signal(str, object)  # text, CallInfo: a missed call to tell the user about

    def __init__(
        self,
        presenter: CallsPresenter,
        parent_window: QWidget,
        name_of: NameOf,
        avatar_of: AvatarOf | None = None,
        *,
        watch_devices: bool = True,
    ) -> None:
        super().__init__(parent_window)
        self._presenter = presenter
        self._parent_window = parent_window
        self._name_of = name_of
        self._avatar_of = avatar_of
        self._watch_devices = watch_devices
        self.windows: dict[str, CallWindow] = {}
        self.ringing: dict[str, RingingDialog] = {}
        presenter.ringing.connect(self._on_ringing)
        presenter.ring_stopped.connect(self._on_ring_stopped)
        presenter.missed.connect(self._on_missed)

    def name(self, call: CallInfo) -> str:
        """How the other side is called on screen."""
        return self._name_of(call.account, call.peer.bare) or str(call.peer.bare)

    def start_call(self, account: AccountId, peer: Jid) -> CallWindow:
        """Call ``peer`` and show the call's window."""
        return self.show_call(self._presenter.start_call(account, peer))

    def show_call(self, call: CallInfo) -> CallWindow:
        """Show (or raise) the window of ``call``."""
        window = self.windows.get(call.call_id)
        if window is None:
            window = CallWindow(
                self._presenter,
                call,
                self.name(call),
                self._avatar(call),
                self._parent_window,
                watch_devices=self._watch_devices,
            )
            self.windows[call.call_id] = window
            call_id = call.call_id
            window.destroyed.connect(lambda: self.windows.pop(call_id, None))
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def current_window(self) -> CallWindow | None:
        """The window of the call under way, if any."""
        current = self._presenter.current()
        return self.windows.get(current.call_id) if current is not None else None

    def _avatar(self, call: CallInfo) -> QPixmap:
        """The peer's picture, else its initials on its colour."""
        lookup = self._avatar_of
        path = lookup(call.account, call.peer.bare) if lookup is not None else None
        name = self.name(call)
        return avatars.avatar_pixmap(
            "" if path is None else str(path), name, str(call.peer.bare), AVATAR
        )

    def _on_ringing(self, call: CallInfo) -> None:
        if call.call_id in self.ringing:
            return
        dialog = RingingDialog(
            self._presenter, call, self.name(call), self._avatar(call), self._parent_window
        )
        self.ringing[call.call_id] = dialog
        call_id = call.call_id
        dialog.destroyed.connect(lambda: self.ringing.pop(call_id, None))
        dialog.accepted.connect(lambda: self.show_call(self._presenter.call(call_id) or call))
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _on_ring_stopped(self, call: CallInfo) -> None:
        dialog = self.ringing.pop(call.call_id, None)
        if dialog is not None and dialog.answered is None:
            dialog.dismiss()
        if call.state is not CallState.ENDED and call.call_id not in self.windows:
            self.show_call(call)  # answered here some other way (the menu)

    def _on_missed(self, call: CallInfo) -> None:
        self.note.emit(missed_text(self.name(call), call), call)
