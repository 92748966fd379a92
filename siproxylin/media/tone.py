"""A generated audio source and a recording sink, for tests and benchmarks.

``ToneSource`` produces a sine tone (continuous, or beeps of a given length per
period) paced in real time and remembers when each beep began; ``RecordingSink``
keeps every received frame with its arrival time. ``frequency`` and ``rms`` read
PCM without numpy. Stdlib only.
"""

from __future__ import annotations

import array
import asyncio
import math
import time
from dataclasses import dataclass, field

from siproxylin.media.audio import FRAME_SAMPLES, FRAME_SECONDS, SAMPLE_RATE


class ToneSource:
    """A sine tone at ``hz``; with ``beep`` (on seconds, period seconds) only in bursts."""

    def __init__(
        self, hz: float = 1000.0, level: float = 0.3, beep: tuple[float, float] | None = None
    ) -> None:
        self.hz = hz
        self.level = level
        self.beep = beep
        self.frames = 0
        self.beep_starts: list[float] = []  # time.monotonic() when a burst's first frame was read
        self._next: float | None = None
        self._closed = False

    async def read(self) -> bytes:
        """The next 20 ms, no earlier than real time allows."""
        now = time.monotonic()
        if self._next is None:
            self._next = now
        elif self._next > now:
            await asyncio.sleep(self._next - now)
        self._next += FRAME_SECONDS
        start = self.frames * FRAME_SAMPLES
        self.frames += 1
        if self.beep is not None:
            on, period = self.beep
            phase = (start / SAMPLE_RATE) % period
            if phase >= on:
                return bytes(FRAME_SAMPLES * 2)
            if phase < FRAME_SECONDS / 2:
                self.beep_starts.append(time.monotonic())
        amplitude = self.level * 32767
        step = 2 * math.pi * self.hz / SAMPLE_RATE
        samples = array.array(
            "h", (int(amplitude * math.sin(step * (start + i))) for i in range(FRAME_SAMPLES))
        )
        return samples.tobytes()

    def close(self) -> None:
        """Nothing to release."""
        self._closed = True


@dataclass(slots=True)
class ReceivedFrame:
    """One frame as the sink got it: mono s16 (the first channel) and when."""

    at: float
    pcm: bytes
    sample_rate: int


@dataclass(slots=True)
class RecordingSink:
    """Keeps every received frame (first channel only) with its arrival time."""

    frames: list[ReceivedFrame] = field(default_factory=list)
    closed: bool = False
    first_frame: asyncio.Event = field(default_factory=asyncio.Event)

    def write(self, pcm: bytes, sample_rate: int, channels: int) -> None:
        """Record one frame."""
        samples = array.array("h")
        samples.frombytes(pcm)
        mono = samples[::channels] if channels > 1 else samples
        self.frames.append(ReceivedFrame(time.monotonic(), mono.tobytes(), sample_rate))
        self.first_frame.set()

    def close(self) -> None:
        """Mark the end of the call."""
        self.closed = True

    def loud_frames(self, threshold: float = 1000.0) -> list[ReceivedFrame]:
        """The frames whose level is above ``threshold`` (s16 RMS)."""
        return [f for f in self.frames if rms(f.pcm) > threshold]


def rms(pcm: bytes) -> float:
    """Root mean square of mono s16 samples."""
    samples = array.array("h")
    samples.frombytes(pcm)
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples))


def frequency(pcm: bytes, sample_rate: int = SAMPLE_RATE) -> float:
    """The frequency of a tone in mono s16 samples, from its rising zero crossings."""
    samples = array.array("h")
    samples.frombytes(pcm)
    crossings: list[float] = []
    for i in range(1, len(samples)):
        before, after = samples[i - 1], samples[i]
        if before < 0 <= after:
            crossings.append(i - 1 + (-before) / (after - before))
    if len(crossings) < 2:
        return 0.0
    periods = (crossings[-1] - crossings[0]) / (len(crossings) - 1)
    return sample_rate / periods
