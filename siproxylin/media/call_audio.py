"""One call's audio on real devices, assembled: microphone -> echo canceller -> call,
call -> echo canceller (analysis) -> loudspeaker, with mute and device switching.

``CallAudio.open(input_id, output_id)`` gives the ``source`` and ``sink`` to hand to
``RelayPeer``. This is the only place that knows how the pieces of ``qt_audio`` and
``echo`` fit together; the GUI chooses the devices (``media/devices.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from siproxylin.media.echo import (
    EchoCanceller,
    ProcessedSink,
    ProcessedSource,
    create_echo_canceller,
)
from siproxylin.media.qt_audio import CAPTURE_BUFFER_MS, MicrophoneSource, SpeakerSink


@dataclass(slots=True)
class CallAudio:
    """The devices and processing of one call; ``close`` is done by the call's tracks."""

    microphone: MicrophoneSource
    speaker: SpeakerSink
    canceller: EchoCanceller | None
    source: ProcessedSource
    sink: ProcessedSink

    @classmethod
    def open(
        cls,
        input_id: str | None = None,
        output_id: str | None = None,
        *,
        echo_cancellation: bool = True,
        noise_suppression: bool = True,
        auto_gain_control: bool = False,
    ) -> CallAudio:
        """Open both devices (None: the system default) and the echo canceller."""
        canceller = (
            create_echo_canceller(
                noise_suppression=noise_suppression, auto_gain_control=auto_gain_control
            )
            if echo_cancellation
            else None
        )
        microphone = MicrophoneSource(input_id)
        speaker = SpeakerSink(output_id)

        def delay() -> float:
            return speaker.latency_ms() + CAPTURE_BUFFER_MS

        return cls(
            microphone,
            speaker,
            canceller,
            ProcessedSource(microphone, canceller),
            ProcessedSink(speaker, canceller, delay),
        )

    @property
    def muted(self) -> bool:
        """Whether silence is sent instead of the microphone."""
        return self.source.muted

    @muted.setter
    def muted(self, value: bool) -> None:
        self.source.muted = value

    def set_input(self, device_id: str | None) -> None:
        """Capture from another device from now on."""
        self.microphone.set_device(device_id)

    def set_output(self, device_id: str | None) -> None:
        """Play on another device from now on."""
        self.speaker.set_device(device_id)

    def close(self) -> None:
        """Close both devices (the call's tracks normally do this)."""
        self.source.close()
        self.sink.close()
