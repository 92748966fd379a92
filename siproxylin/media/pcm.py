"""PCM conversions between what aiortc decodes, what the call sends and what a device
plays or captures: downmix, upmix, linear resampling and fixed-size framing, all on
signed 16-bit samples in native byte order.

Pure functions and small stateful helpers over ``bytes`` and the stdlib ``array``
module; no Qt, no aiortc, no numpy.
"""

from __future__ import annotations

import array

from siproxylin.media.audio import SAMPLE_BYTES


def samples(pcm: bytes) -> array.array[int]:
    """The s16 samples of ``pcm`` (a trailing odd byte is ignored)."""
    out = array.array("h")
    out.frombytes(pcm[: len(pcm) - len(pcm) % SAMPLE_BYTES])
    return out


def downmix(pcm: bytes, channels: int) -> bytes:
    """Interleaved ``channels``-channel s16 to mono: the mean of the channels."""
    if channels == 1:
        return pcm
    data = samples(pcm)
    frames = len(data) // channels
    if channels == 2:
        left, right = data[0 : frames * 2 : 2], data[1 : frames * 2 : 2]
        return array.array("h", ((a + b) >> 1 for a, b in zip(left, right, strict=True))).tobytes()
    mono = array.array(
        "h", (sum(data[i * channels : (i + 1) * channels]) // channels for i in range(frames))
    )
    return mono.tobytes()


def upmix(pcm: bytes, channels: int) -> bytes:
    """Mono s16 to ``channels`` interleaved copies of each sample."""
    if channels == 1:
        return pcm
    mono = samples(pcm)
    out = array.array("h", bytes(len(mono) * channels * SAMPLE_BYTES))
    for channel in range(channels):
        out[channel::channels] = mono
    return out.tobytes()


def remix(pcm: bytes, channels: int, to_channels: int) -> bytes:
    """``channels`` to ``to_channels``, through mono when they differ."""
    if channels == to_channels:
        return pcm
    return upmix(downmix(pcm, channels), to_channels)


class Resampler:
    """Linear-interpolation resampler for a mono s16 stream, continuous across chunks.

    Good enough for speech between common device rates (44.1/48/16 kHz); the
    Opus path itself is always 48 kHz, so this only runs when a device insists on
    another rate.
    """

    def __init__(self, from_rate: int, to_rate: int) -> None:
        if from_rate <= 0 or to_rate <= 0:
            raise ValueError("sample rates must be positive")
        self.from_rate = from_rate
        self.to_rate = to_rate
        self._step = from_rate / to_rate  # input samples per output sample
        self._position = 0.0  # of the next output sample, relative to ``_last``
        self._last: int | None = None  # the previous chunk's final sample

    def process(self, pcm: bytes) -> bytes:
        """Resample one chunk of mono s16; the output length follows the rate ratio."""
        if self.from_rate == self.to_rate:
            return pcm
        data = samples(pcm)
        if not data:
            return b""
        # Index 0 is the previous chunk's last sample, so interpolation spans chunks.
        source = array.array("h", [data[0] if self._last is None else self._last])
        source.extend(data)
        out = array.array("h")
        position = self._position
        end = len(source) - 1
        step = self._step
        while position < end:
            index = int(position)
            fraction = position - index
            a = source[index]
            out.append(int(a + (source[index + 1] - a) * fraction))
            position += step
        self._position = position - end
        self._last = source[end]
        return out.tobytes()


class Framer:
    """Cuts a byte stream into chunks of exactly ``frame_bytes``."""

    def __init__(self, frame_bytes: int) -> None:
        if frame_bytes <= 0:
            raise ValueError("frame size must be positive")
        self.frame_bytes = frame_bytes
        self._pending = bytearray()

    @property
    def pending(self) -> int:
        """Bytes waiting for the rest of their frame."""
        return len(self._pending)

    def push(self, data: bytes) -> list[bytes]:
        """Add ``data``; return every frame now complete, oldest first."""
        self._pending += data
        size = self.frame_bytes
        count = len(self._pending) // size
        frames = [bytes(self._pending[i * size : (i + 1) * size]) for i in range(count)]
        del self._pending[: count * size]
        return frames

    def clear(self) -> None:
        """Forget a partial frame (the device changed)."""
        self._pending.clear()
