"""Real audio devices for calls through QtMultimedia (PulseAudio or PipeWire underneath):
``MicrophoneSource`` (an ``AudioSource`` over ``QAudioSource``) and ``SpeakerSink``
(an ``AudioSink`` over ``QAudioSink`` in push mode).

Both run on the Qt thread, which under qasync is the event loop's thread, so no
locks are needed. Each converts between the call's format (48 kHz mono s16 captured;
whatever aiortc decodes, normally 48 kHz stereo, played) and the device's, and can
move to another device mid-call (``set_device``). Imports PySide6 only; echo
cancellation is layered on top (``media/echo.py``).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QIODevice, QTimer
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSink, QAudioSource, QtAudio

from siproxylin.media.audio import FRAME_SAMPLES, SAMPLE_BYTES, SAMPLE_RATE
from siproxylin.media.buffers import FrameQueue, PlayoutBuffer
from siproxylin.media.devices import device_id, find_input, find_output
from siproxylin.media.pcm import Framer, Resampler, downmix, remix, upmix

log = logging.getLogger(__name__)

FRAME_BYTES = FRAME_SAMPLES * SAMPLE_BYTES
_SILENCE = bytes(FRAME_BYTES)
_FRAME_MS = 1000 * FRAME_SAMPLES // SAMPLE_RATE
CAPTURE_BUFFER_MS = 2 * _FRAME_MS  # the microphone's device buffer


def device_format(device: QAudioDevice) -> QAudioFormat | None:
    """48 kHz mono s16 if the device takes it, else s16 at its own rate and channels."""
    wanted = QAudioFormat()
    wanted.setSampleRate(SAMPLE_RATE)
    wanted.setChannelCount(1)
    wanted.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    if device.isFormatSupported(wanted):
        return wanted
    preferred = device.preferredFormat()
    fallback = QAudioFormat()
    fallback.setSampleRate(preferred.sampleRate())
    fallback.setChannelCount(preferred.channelCount())
    fallback.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    if fallback.sampleRate() > 0 and device.isFormatSupported(fallback):
        return fallback
    return None


class MicrophoneSource:
    """Captured 20 ms frames (48 kHz mono s16), paced by the device.

    Frames wait in a bounded queue (``max_frames``); when the call reads too slowly the
    oldest are dropped and counted (``dropped``), so latency stays bounded. ``muted``
    yields silence frames at the same pace. Without a usable device a timer produces
    silence, so the call's timing never depends on the hardware.
    """

    def __init__(self, device: str | None = None, *, max_frames: int = 10) -> None:
        self.muted = False
        self._queue = FrameQueue(max_frames)
        self._framer = Framer(FRAME_BYTES)
        self._resampler: Resampler | None = None
        self._channels = 1
        self._audio: QAudioSource | None = None
        self._io: QIODevice | None = None
        self._device_id: str | None = None
        self._closed = False
        self._silence = QTimer()
        self._silence.setInterval(_FRAME_MS)
        self._silence.timeout.connect(self._on_silence_tick)
        self._open(device)

    @property
    def dropped(self) -> int:
        """Frames dropped because the call did not read them in time."""
        return self._queue.dropped

    @property
    def device_id(self) -> str | None:
        """The id of the device capturing now; None when there is none."""
        return self._device_id

    async def read(self) -> bytes:
        """The next 20 ms of microphone audio (silence while muted)."""
        frame = await self._queue.get()
        return _SILENCE if self.muted else frame

    def set_device(self, device: str | None) -> None:
        """Capture from another device (None: the system default) from now on."""
        if self._closed:
            return
        self._stop()
        self._open(device)

    def close(self) -> None:
        """Stop capturing; a pending ``read`` gets a last silence frame."""
        if self._closed:
            return
        self._closed = True
        self._stop()
        self._queue.put(_SILENCE)

    def _open(self, wanted: str | None) -> None:
        device = find_input(wanted)
        fmt = None if device.isNull() else device_format(device)
        if fmt is None:
            log.warning("no usable microphone (%s); sending silence", wanted or "default")
            self._silence.start()
            return
        self._channels = fmt.channelCount()
        rate = fmt.sampleRate()
        self._resampler = None if rate == SAMPLE_RATE else Resampler(rate, SAMPLE_RATE)
        self._framer.clear()
        self._audio = QAudioSource(device, fmt)
        # Small device buffer: captured audio should reach the call (and the echo
        # canceller) soon after it was spoken.
        self._audio.setBufferSize(fmt.bytesForDuration(CAPTURE_BUFFER_MS * 1000))
        self._audio.stateChanged.connect(self._on_state_changed)
        io: QIODevice | None = self._audio.start()  # None when the device refuses
        self._io = io
        if io is None:
            log.warning("microphone %s did not start; sending silence", device.description())
            self._audio = None
            self._silence.start()
            return
        io.readyRead.connect(self._on_ready_read)
        self._device_id = device_id(device)
        log.info("capturing from %s (%s)", device.description(), self._device_id)

    def _stop(self) -> None:
        self._silence.stop()
        if self._audio is not None:
            self._audio.stateChanged.disconnect(self._on_state_changed)
            self._audio.stop()
        self._audio = None
        self._io = None
        self._device_id = None

    def _on_ready_read(self) -> None:
        if self._io is None:
            return
        data = self._io.readAll().data()
        pcm = downmix(bytes(data), self._channels)
        if self._resampler is not None:
            pcm = self._resampler.process(pcm)
        for frame in self._framer.push(pcm):
            self._queue.put(frame)

    def _on_silence_tick(self) -> None:
        self._queue.put(_SILENCE)

    def _on_state_changed(self) -> None:
        # No parameter: PySide6 6.11 cannot convert an annotated QtAudio.State argument.
        if self._audio is not None and self._audio.error() != QtAudio.Error.NoError:
            log.warning("microphone: %s (%s)", self._audio.error().name, self._audio.state().name)


class SpeakerSink:
    """Received audio to a loudspeaker: converted to the device's format, pre-filled by
    ``prebuffer_ms`` against network jitter and capped at ``max_ms`` of extra delay.

    ``underruns`` counts the times the device ran dry, ``dropped_bytes`` what the cap
    threw away (device format). ``latency_ms`` estimates how long a written frame takes
    to reach the loudspeaker, for the echo canceller's delay.
    """

    def __init__(
        self,
        device: str | None = None,
        *,
        prebuffer_ms: int = 40,
        max_ms: int = 200,
        device_buffer_ms: int = 60,
    ) -> None:
        self.prebuffer_ms = prebuffer_ms
        self.max_ms = max_ms
        self.device_buffer_ms = device_buffer_ms
        self._audio: QAudioSink | None = None
        self._io: QIODevice | None = None
        self._device_id: str | None = None
        self._format: QAudioFormat | None = None
        self._buffer = PlayoutBuffer(SAMPLE_RATE * SAMPLE_BYTES / 1000, SAMPLE_BYTES)
        self._resampler: Resampler | None = None
        self._underruns = 0
        self._dropped = 0
        self._closed = False
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._flush)
        self._open(device)

    @property
    def device_id(self) -> str | None:
        """The id of the device playing now; None when there is none."""
        return self._device_id

    @property
    def underruns(self) -> int:
        """Times the device ran out of audio during the call."""
        return self._underruns + self._buffer.underruns

    @property
    def dropped_bytes(self) -> int:
        """Audio dropped to keep the delay bounded (device-format bytes)."""
        return self._dropped + self._buffer.dropped_bytes

    def latency_ms(self) -> float:
        """Audio written but not yet played: our buffer plus the device's."""
        if self._audio is None or self._format is None:
            return 0.0
        queued = len(self._buffer) + self._audio.bufferSize() - self._audio.bytesFree()
        return self._format.durationForBytes(queued) / 1000

    def write(self, pcm: bytes, sample_rate: int, channels: int) -> None:
        """Queue one decoded frame for playback."""
        if self._format is None:
            return
        self._buffer.push(self._convert(pcm, sample_rate, channels))
        self._flush()

    def set_device(self, device: str | None) -> None:
        """Play on another device (None: the system default) from now on."""
        if self._closed:
            return
        self._stop()
        self._open(device)

    def close(self) -> None:
        """Stop playing; what is still buffered is dropped."""
        self._closed = True
        self._stop()

    def _open(self, wanted: str | None) -> None:
        device = find_output(wanted)
        fmt = None if device.isNull() else device_format(device)
        if fmt is None:
            log.warning("no usable loudspeaker (%s); received audio is dropped", wanted)
            return
        self._format = fmt
        self._resampler = None
        frame_bytes = fmt.bytesPerFrame()
        self._buffer = PlayoutBuffer(
            fmt.bytesForDuration(1_000_000) / 1000, frame_bytes, self.prebuffer_ms, self.max_ms
        )
        self._audio = QAudioSink(device, fmt)
        self._audio.setBufferSize(fmt.bytesForDuration(self.device_buffer_ms * 1000))
        self._audio.stateChanged.connect(self._on_state_changed)
        io: QIODevice | None = self._audio.start()  # None when the device refuses
        self._io = io
        if io is None:
            log.warning("loudspeaker %s did not start", device.description())
            self._audio = None
            return
        self._device_id = device_id(device)
        self._timer.start()
        log.info("playing on %s (%s)", device.description(), self._device_id)

    def _stop(self) -> None:
        self._timer.stop()
        self._underruns += self._buffer.underruns
        self._dropped += self._buffer.dropped_bytes
        self._buffer.underruns = self._buffer.dropped_bytes = 0
        self._buffer.clear()
        if self._audio is not None:
            self._audio.stateChanged.disconnect(self._on_state_changed)
            self._audio.stop()
        self._audio = None
        self._io = None
        self._format = None
        self._device_id = None

    def _convert(self, pcm: bytes, sample_rate: int, channels: int) -> bytes:
        assert self._format is not None
        rate, to_channels = self._format.sampleRate(), self._format.channelCount()
        if sample_rate == rate:
            return remix(pcm, channels, to_channels)
        if self._resampler is None or self._resampler.from_rate != sample_rate:
            self._resampler = Resampler(sample_rate, rate)
        return upmix(self._resampler.process(downmix(pcm, channels)), to_channels)

    def _flush(self) -> None:
        if self._audio is None or self._io is None:
            return
        chunk = self._buffer.take(self._audio.bytesFree())
        if chunk:
            self._io.write(chunk)

    def _on_state_changed(self) -> None:
        # No parameter: PySide6 6.11 cannot convert an annotated QtAudio.State argument.
        if self._audio is None:
            return
        error, state = self._audio.error(), self._audio.state()
        if state == QtAudio.State.IdleState and error == QtAudio.Error.UnderrunError:
            self._buffer.underrun()
        elif error not in {QtAudio.Error.NoError, QtAudio.Error.UnderrunError}:
            log.warning("loudspeaker: %s (%s)", error.name, state.name)
