"""aiortc tracks around our audio interfaces: an outgoing track fed by an ``AudioSource``
(silence while muted) and a pump that feeds received frames to an ``AudioSink``.

Uses aiortc and PyAV; nothing here opens a connection.
"""

from __future__ import annotations

import fractions
import logging

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from siproxylin.media.audio import FRAME_SAMPLES, SAMPLE_BYTES, SAMPLE_RATE, AudioSink, AudioSource

log = logging.getLogger(__name__)
_TIME_BASE = fractions.Fraction(1, SAMPLE_RATE)
_SILENCE = bytes(FRAME_SAMPLES * SAMPLE_BYTES)


class SourceTrack(MediaStreamTrack):
    """The audio we send: 20 ms mono frames from ``source``, silence while muted."""

    kind = "audio"

    def __init__(self, source: AudioSource) -> None:
        super().__init__()
        self._source = source
        self._pts = 0
        self.muted = False

    async def recv(self) -> av.AudioFrame:
        """The next frame for the Opus encoder."""
        if self.readyState != "live":
            raise MediaStreamError
        pcm = await self._source.read()
        if self.muted or len(pcm) != len(_SILENCE):
            pcm = _SILENCE
        frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME_SAMPLES)
        frame.planes[0].update(pcm)
        frame.sample_rate = SAMPLE_RATE
        frame.time_base = _TIME_BASE
        frame.pts = self._pts
        self._pts += FRAME_SAMPLES
        return frame

    def stop(self) -> None:
        """End the track and the source."""
        super().stop()
        self._source.close()


async def pump(track: MediaStreamTrack, sink: AudioSink) -> None:
    """Write every frame of the remote ``track`` to ``sink`` until the track ends."""
    try:
        while True:
            frame = await track.recv()
            if not isinstance(frame, av.AudioFrame):
                continue
            channels = len(frame.layout.channels)
            size = frame.samples * channels * SAMPLE_BYTES
            sink.write(bytes(frame.planes[0])[:size], frame.sample_rate, channels)
    except MediaStreamError:
        log.debug("remote audio track ended")
    finally:
        sink.close()
