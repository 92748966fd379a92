"""Echo cancellation for calls: libwebrtc's audio processing (AEC3, noise suppression,
high-pass filter, optional gain control) through livekit's ``AudioProcessingModule``,
in process, on 10 ms frames of 48 kHz mono.

``EchoCanceller`` wraps the module; ``ProcessedSource`` and ``ProcessedSink`` put it
between the devices and the call: every received frame is analysed
(``process_far``) before it reaches the loudspeaker, every microphone frame is cleaned
(``process_near``) before the call sends it. When livekit cannot load (no wheel for
the platform, a missing native library) ``create_echo_canceller`` returns None with a
warning and the call runs without echo cancellation. livekit is imported only here,
lazily; nothing in this module opens a connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from siproxylin.media.audio import FRAME_SAMPLES, SAMPLE_BYTES, SAMPLE_RATE, AudioSink, AudioSource
from siproxylin.media.pcm import Framer, Resampler, downmix

if TYPE_CHECKING:
    from livekit.rtc import AudioFrame

log = logging.getLogger(__name__)

CHUNK_SAMPLES = SAMPLE_RATE // 100  # the module works on exactly 10 ms
CHUNK_BYTES = CHUNK_SAMPLES * SAMPLE_BYTES
DEFAULT_DELAY_MS = 60  # loudspeaker buffer + capture buffer, a typical desktop's
_DELAY_UPDATE_FRAMES = 50  # once a second of 20 ms frames
_T = TypeVar("_T")
_LOAD_ERRORS = (ImportError, OSError, RuntimeError, AttributeError, ValueError)


class _Module(Protocol):
    """The part of livekit's ``AudioProcessingModule`` we call."""

    def process_stream(self, data: AudioFrame) -> None: ...
    def process_reverse_stream(self, data: AudioFrame) -> None: ...
    def set_stream_delay_ms(self, delay_ms: int) -> None: ...


class EchoCanceller:
    """One call's audio processing: far-end analysis and near-end cleaning.

    Not thread-safe: both directions run on the event loop thread. A failure of the
    native module disables processing for the rest of the call (audio passes through)
    instead of ending the call.
    """

    def __init__(self, module: _Module, frame_type: type[AudioFrame], delay_ms: int) -> None:
        self._module = module
        self._frame_type = frame_type
        self._far = Framer(CHUNK_BYTES)
        self._delay_ms = delay_ms
        self.enabled = True
        self.far_chunks = 0
        self.near_chunks = 0

    @property
    def delay_ms(self) -> int:
        """The estimated delay from ``process_far`` of a sound to ``process_near`` of its echo."""
        return self._delay_ms

    def set_delay_ms(self, delay_ms: int) -> None:
        """Update the delay estimate (loudspeaker plus microphone buffering)."""
        self._delay_ms = max(0, min(500, int(delay_ms)))

    def process_far(self, mono: bytes) -> None:
        """Analyse far-end audio (48 kHz mono s16, any length) about to be played."""
        if not self.enabled:
            return
        for chunk in self._far.push(mono):
            frame = self._frame(chunk)
            if frame is None:
                return
            self._call(self._module.process_reverse_stream, frame)
            self.far_chunks += 1

    def process_near(self, mono: bytes) -> bytes:
        """Clean captured audio (48 kHz mono s16, a whole number of 10 ms chunks)."""
        if not self.enabled or len(mono) % CHUNK_BYTES:
            return mono
        out = bytearray()
        for start in range(0, len(mono), CHUNK_BYTES):
            frame = self._frame(mono[start : start + CHUNK_BYTES])
            if frame is None:
                return mono
            if not (
                self._call(self._module.set_stream_delay_ms, self._delay_ms)
                and self._call(self._module.process_stream, frame)
            ):
                return mono
            out += frame.data.tobytes()
            self.near_chunks += 1
        return bytes(out)

    def _frame(self, chunk: bytes) -> AudioFrame | None:
        try:
            return self._frame_type(bytearray(chunk), SAMPLE_RATE, 1, CHUNK_SAMPLES)
        except _LOAD_ERRORS as error:
            self._disable(error)
            return None

    def _call(self, method: Callable[[_T], None], argument: _T) -> bool:
        """Call into the module; False (and processing off) if it failed."""
        if not self.enabled:
            return False
        try:
            method(argument)
        except _LOAD_ERRORS as error:
            self._disable(error)
            return False
        return True

    def _disable(self, error: Exception) -> None:
        log.warning("echo cancellation failed, the call goes on without it: %s", error)
        self.enabled = False


def create_echo_canceller(
    *,
    noise_suppression: bool = True,
    high_pass_filter: bool = True,
    auto_gain_control: bool = False,
    delay_ms: int = DEFAULT_DELAY_MS,
) -> EchoCanceller | None:
    """An echo canceller, or None (with a warning) when livekit's module cannot load."""
    try:
        # Imported here: loading the native library is the step that may fail.
        from livekit import rtc  # noqa: PLC0415

        module = rtc.AudioProcessingModule(
            echo_cancellation=True,
            noise_suppression=noise_suppression,
            high_pass_filter=high_pass_filter,
            auto_gain_control=auto_gain_control,
        )
    except _LOAD_ERRORS as error:
        log.warning("no echo cancellation: livekit's audio processing did not load: %s", error)
        return None
    return EchoCanceller(module, rtc.AudioFrame, delay_ms)


class ProcessedSource:
    """An ``AudioSource`` whose frames went through the echo canceller.

    ``muted`` sends silence while the microphone keeps being processed, so the
    canceller stays adapted and the call's timing is unchanged.
    """

    def __init__(self, source: AudioSource, canceller: EchoCanceller | None) -> None:
        self.source = source
        self.canceller = canceller
        self.muted = False

    async def read(self) -> bytes:
        """The next 20 ms, cleaned (or silence while muted)."""
        pcm = await self.source.read()
        if self.canceller is not None:
            pcm = self.canceller.process_near(pcm)
        if self.muted:
            return bytes(FRAME_SAMPLES * SAMPLE_BYTES)
        return pcm

    def close(self) -> None:
        """Close the wrapped source."""
        self.source.close()


class ProcessedSink:
    """An ``AudioSink`` that lets the echo canceller hear each frame before it plays.

    ``delay`` (optional) estimates the echo path in ms (playback plus capture
    buffering); it is read once a second to update the canceller's hint.
    """

    def __init__(
        self,
        sink: AudioSink,
        canceller: EchoCanceller | None,
        delay: Callable[[], float] | None = None,
    ) -> None:
        self.sink = sink
        self.canceller = canceller
        self.delay = delay
        self._resampler: Resampler | None = None
        self._frames = 0

    def write(self, pcm: bytes, sample_rate: int, channels: int) -> None:
        """Analyse one decoded frame, then pass it on unchanged."""
        if self.canceller is not None:
            mono = downmix(pcm, channels)
            if sample_rate != SAMPLE_RATE:
                if self._resampler is None or self._resampler.from_rate != sample_rate:
                    self._resampler = Resampler(sample_rate, SAMPLE_RATE)
                mono = self._resampler.process(mono)
            self.canceller.process_far(mono)
            if self.delay is not None and self._frames % _DELAY_UPDATE_FRAMES == 0:
                self.canceller.set_delay_ms(round(self.delay()))
            self._frames += 1
        self.sink.write(pcm, sample_rate, channels)

    def close(self) -> None:
        """Close the wrapped sink."""
        self.sink.close()
