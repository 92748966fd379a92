"""The machine's audio inputs and outputs, from QtMultimedia's ``QMediaDevices``: stable
ids, human names, the system default marked, and a signal when the list changes (a
headset plugged in or out).

Ids are the backend's device ids (PulseAudio/PipeWire node names), stable across runs,
so a chosen device can be kept in settings. Used by ``media/qt_audio.py`` and by the
GUI's device choosers; nothing here captures or plays.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QObject, Signal
from PySide6.QtMultimedia import QAudioDevice, QMediaDevices


class Direction(Enum):
    """Whether a device captures or plays."""

    INPUT = "input"
    OUTPUT = "output"


@dataclass(frozen=True, slots=True)
class AudioDevice:
    """One input or output as the user chooses it."""

    id: str
    name: str
    direction: Direction
    is_default: bool


def device_id(device: QAudioDevice) -> str:
    """The stable id of a Qt audio device."""
    return bytes(device.id().data()).decode("utf-8", "replace")


def describe(device: QAudioDevice, direction: Direction) -> AudioDevice:
    """The plain description of a Qt audio device."""
    return AudioDevice(device_id(device), device.description(), direction, device.isDefault())


def inputs() -> list[AudioDevice]:
    """Every capture device, the system default first."""
    return _sorted([describe(d, Direction.INPUT) for d in QMediaDevices.audioInputs()])


def outputs() -> list[AudioDevice]:
    """Every playback device, the system default first."""
    return _sorted([describe(d, Direction.OUTPUT) for d in QMediaDevices.audioOutputs()])


def find_input(wanted: str | None) -> QAudioDevice:
    """The input with id ``wanted``, else the system default (which may be null)."""
    for device in QMediaDevices.audioInputs():
        if wanted is not None and device_id(device) == wanted:
            return device
    return QMediaDevices.defaultAudioInput()


def find_output(wanted: str | None) -> QAudioDevice:
    """The output with id ``wanted``, else the system default (which may be null)."""
    for device in QMediaDevices.audioOutputs():
        if wanted is not None and device_id(device) == wanted:
            return device
    return QMediaDevices.defaultAudioOutput()


def _sorted(devices: list[AudioDevice]) -> list[AudioDevice]:
    return sorted(devices, key=lambda d: (not d.is_default, d.name.casefold(), d.id))


class DeviceWatcher(QObject):
    """Emits ``changed`` when inputs or outputs (or the defaults) change.

    Keep one alive for as long as the lists are shown; Qt only reports changes to a
    living ``QMediaDevices``.
    """

    changed = Signal()
    inputs_changed = Signal()
    outputs_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._media = QMediaDevices(self)
        self._media.audioInputsChanged.connect(self._on_inputs_changed)
        self._media.audioOutputsChanged.connect(self._on_outputs_changed)

    def _on_inputs_changed(self) -> None:
        self.inputs_changed.emit()
        self.changed.emit()

    def _on_outputs_changed(self) -> None:
        self.outputs_changed.emit()
        self.changed.emit()
