"""AudioDevicesBox: the microphone and speaker choice of the call window.

Two combo boxes filled from ``media.devices`` (the system default first, marked
"(default)"), kept current by a ``DeviceWatcher`` (a headset plugged in or out
keeps the choice when the device is still there, else falls back to the
default). A choice made by the user is reported through ``chosen`` with the two
device ids, None standing for the system default. Qt widgets and ``media.devices``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QWidget

if TYPE_CHECKING:  # QtMultimedia loads with the first call window, not at start
    from siproxylin.media.devices import AudioDevice, DeviceWatcher

DEFAULT_ID = ""  # the combo's data for "whatever the system default is"


def device_label(device: AudioDevice) -> str:
    """A device's name, with "(default)" after the system default."""
    return f"{device.name} (default)" if device.is_default else device.name


class AudioDevicesBox(QWidget):
    """Input and output choosers."""

    chosen = Signal(object, object)  # input id | None, output id | None

    def __init__(self, parent: QWidget | None = None, *, watch: bool = True) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.input_combo = QComboBox(self)
        self.input_combo.setObjectName("inputDevice")
        self.output_combo = QComboBox(self)
        self.output_combo.setObjectName("outputDevice")
        for combo in (self.input_combo, self.output_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(24)
        form.addRow("&Microphone:", self.input_combo)
        form.addRow("&Speaker:", self.output_combo)
        from siproxylin.media.devices import DeviceWatcher  # noqa: PLC0415 - see above

        self.watcher: DeviceWatcher | None = DeviceWatcher(self) if watch else None
        self.refresh()
        self.input_combo.activated.connect(self._on_activated)
        self.output_combo.activated.connect(self._on_activated)
        if self.watcher is not None:
            self.watcher.changed.connect(self.refresh)

    def refresh(self) -> None:
        """Fill both lists again from the system, keeping what is chosen if it is there."""
        from siproxylin.media import devices  # noqa: PLC0415 - QtMultimedia, on first use

        _fill(self.input_combo, devices.inputs())
        _fill(self.output_combo, devices.outputs())

    def selected(self) -> tuple[str | None, str | None]:
        """The chosen input and output ids (None: the system default)."""
        return _chosen(self.input_combo), _chosen(self.output_combo)

    def _on_activated(self, _index: int) -> None:
        self.chosen.emit(*self.selected())


def _chosen(combo: QComboBox) -> str | None:
    value = combo.currentData()
    return value if isinstance(value, str) and value != DEFAULT_ID else None


def _fill(combo: QComboBox, found: list[AudioDevice]) -> None:
    kept = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem("System default", DEFAULT_ID)
    for device in found:
        combo.addItem(device_label(device), device.id)
    index = combo.findData(kept) if isinstance(kept, str) else -1
    combo.setCurrentIndex(max(index, 0))
    combo.setEnabled(bool(found))
    combo.blockSignals(False)
