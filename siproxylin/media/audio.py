"""The audio interfaces the call media uses: a source of microphone frames, a sink for
what the other side says. Real devices implement these later (QtMultimedia);
``media/tone.py`` has a generated source and a recording sink for tests.

Frames are 20 ms of signed 16-bit PCM at 48 kHz. Stdlib only.
"""

from __future__ import annotations

from typing import Protocol

SAMPLE_RATE = 48_000
FRAME_SAMPLES = 960  # 20 ms at 48 kHz
FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE
SAMPLE_BYTES = 2  # s16


class AudioSource(Protocol):
    """Where the audio we send comes from (a microphone, a generated tone)."""

    async def read(self) -> bytes:
        """The next 20 ms: ``FRAME_SAMPLES`` mono s16 samples, native byte order.

        The source paces itself (a device returns when it has captured a frame);
        the call sends each frame as soon as it is read.
        """
        ...

    def close(self) -> None:
        """Stop capturing (the call ended)."""
        ...


class AudioSink(Protocol):
    """Where the audio we receive goes (a loudspeaker, a recorder)."""

    def write(self, pcm: bytes, sample_rate: int, channels: int) -> None:
        """One decoded frame: interleaved s16 samples, native byte order."""
        ...

    def close(self) -> None:
        """No more frames will come (the call ended)."""
        ...
