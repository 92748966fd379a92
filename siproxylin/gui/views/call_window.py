"""CallWindow: one call on screen: who, where it stands, mute, hang up, devices, details.

The state line reads "Calling…", "Ringing…", "Connecting…", then the running
duration (mm:ss) once media flows, then why the call ended; an ended call's
window closes itself after a few seconds. M mutes, Ctrl+W hangs up, Esc closes
only an ended call; closing the window of a call under way hangs it up (a call
with no window would be out of the user's reach). "Details" opens the connection
panel. Follows ``CallsPresenter.changed`` for its call. Qt widgets, the
presenter, ``gui.call_labels`` and the views it is built of.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from siproxylin.domain.call_info import CallInfo, CallState
from siproxylin.gui.call_labels import state_text
from siproxylin.gui.presenters.calls import CallsPresenter
from siproxylin.gui.theme import set_tone
from siproxylin.gui.views.audio_devices import AudioDevicesBox
from siproxylin.gui.views.call_details import CallDetailsPanel

CLOSE_AFTER_MS = 4000  # an ended call's window stays this long
AVATAR = 64  # pixels


class CallWindow(QWidget):
    """The window of one call."""

    def __init__(
        self,
        presenter: CallsPresenter,
        call: CallInfo,
        name: str,
        avatar: QPixmap | None = None,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.time,
        watch_devices: bool = True,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._presenter = presenter
        self._clock = clock
        self.call = call
        self.close_after_ms = CLOSE_AFTER_MS
        self.setWindowTitle(f"Call with {name}")
        self._build(name, avatar, watch_devices)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_state)
        self._closing = QTimer(self)
        self._closing.setSingleShot(True)
        self._closing.timeout.connect(self.close)
        presenter.changed.connect(self._on_changed)
        self.mute_button.toggled.connect(self._on_mute_toggled)
        self.hang_up_button.clicked.connect(self.hang_up)
        self.details_button.toggled.connect(self._on_details_toggled)
        self.devices.chosen.connect(presenter.set_devices)
        QShortcut(QKeySequence(Qt.Key.Key_M), self, self.mute_button.toggle)
        QShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_W), self, self.hang_up)
        self.show_call(call)

    def _build(self, name: str, avatar: QPixmap | None, watch_devices: bool) -> None:
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 16, 16, 12)
        top = QHBoxLayout()
        self.avatar_label = QLabel(self)
        if avatar is not None:
            self.avatar_label.setPixmap(avatar)
        self.avatar_label.setVisible(avatar is not None)
        top.addWidget(self.avatar_label)
        names = QVBoxLayout()
        self.peer_label = QLabel(name, self)
        self.peer_label.setObjectName("callPeer")
        font = QFont(self.peer_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.peer_label.setFont(font)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("callState")
        state_font = QFont(self.state_label.font())
        state_font.setPointSizeF(state_font.pointSizeF() * 1.15)
        self.state_label.setFont(state_font)
        names.addWidget(self.peer_label)
        names.addWidget(self.state_label)
        top.addLayout(names, 1)
        column.addLayout(top)
        buttons = QHBoxLayout()
        self.mute_button = QPushButton("&Mute", self)
        self.mute_button.setCheckable(True)
        self.mute_button.setToolTip("Mute your microphone (M)")
        self.hang_up_button = QPushButton("&Hang Up", self)
        self.hang_up_button.setToolTip("End the call (Ctrl+W)")
        set_tone(self.hang_up_button, "failed")
        buttons.addWidget(self.mute_button)
        buttons.addStretch(1)
        buttons.addWidget(self.hang_up_button)
        column.addLayout(buttons)
        self.devices = AudioDevicesBox(self, watch=watch_devices)
        column.addWidget(self.devices)
        self.details_button = QToolButton(self)
        self.details_button.setText("Details")
        self.details_button.setCheckable(True)
        self.details_button.setAutoRaise(True)
        self.details_button.setArrowType(Qt.ArrowType.RightArrow)
        self.details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        column.addWidget(self.details_button)
        self.details = CallDetailsPanel(self)
        self.details.hide()
        column.addWidget(self.details)
        column.addStretch(1)

    # --- state -----------------------------------------------------------------------

    @property
    def ended(self) -> bool:
        """True once the call is over."""
        return self.call.state is CallState.ENDED

    def show_call(self, call: CallInfo) -> None:
        """Show ``call``'s state (it is this window's call)."""
        self.call = call
        ended = call.state is CallState.ENDED
        self.mute_button.blockSignals(True)
        self.mute_button.setChecked(call.muted)
        self.mute_button.setText("Un&mute" if call.muted else "&Mute")
        self.mute_button.blockSignals(False)
        self.mute_button.setEnabled(not ended)
        self.hang_up_button.setEnabled(not ended)
        self.details.show_details(call.details)
        if call.state is CallState.ACTIVE:
            self._tick.start()
        else:
            self._tick.stop()
        if ended and not self._closing.isActive():
            self._closing.start(self.close_after_ms)
        self._show_state()

    def _show_state(self) -> None:
        call = self.call
        self.state_label.setText(state_text(call, self._clock()))
        tone = None
        if call.state is CallState.ENDED:
            tone = "failed" if call.missed else "muted"
        elif call.state is CallState.ACTIVE:
            tone = "success"
        set_tone(self.state_label, tone)

    # --- commands --------------------------------------------------------------------

    def hang_up(self) -> None:
        """End the call (closes the window if it has ended already)."""
        if self.ended:
            self.close()
            return
        self._presenter.hang_up(self.call.call_id)

    def _on_mute_toggled(self, muted: bool) -> None:
        if not self.ended:
            self._presenter.set_muted(self.call.call_id, muted)

    def _on_details_toggled(self, shown: bool) -> None:
        self.details_button.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )
        self.details.setVisible(shown)
        self.adjustSize()

    def _on_changed(self, call: CallInfo) -> None:
        if call.call_id == self.call.call_id:
            self.show_call(call)

    # --- Qt virtuals -----------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            if self.ended:
                self.close()
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.ended:
            self._presenter.hang_up(self.call.call_id)
        self._tick.stop()
        self._closing.stop()
        super().closeEvent(event)
