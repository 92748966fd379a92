"""The two buffers between devices and the call: ``FrameQueue`` (captured frames waiting
for the call to read them; bounded, the oldest dropped on overload) and
``PlayoutBuffer`` (received audio waiting for the loudspeaker; pre-filled before it
plays, capped so latency cannot grow).

Stdlib only (asyncio); no Qt, so the policies are tested without devices.
"""

from __future__ import annotations

import asyncio
import collections


class FrameQueue:
    """Captured frames for an ``AudioSource.read``; the oldest go when the reader lags.

    A call that stalls (a slow loop turn, a blocked encoder) must not make the
    microphone drift behind real time: when ``max_frames`` are waiting, the oldest is
    dropped and counted in ``dropped``.
    """

    def __init__(self, max_frames: int) -> None:
        if max_frames < 1:
            raise ValueError("the queue must hold at least one frame")
        self.max_frames = max_frames
        self.dropped = 0
        self._frames: collections.deque[bytes] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        return len(self._frames)

    def put(self, frame: bytes) -> None:
        """Queue one frame, dropping the oldest when full; wake a waiting reader."""
        if len(self._frames) >= self.max_frames:
            self._frames.popleft()
            self.dropped += 1
        self._frames.append(frame)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> bytes:
        """The oldest frame, waiting for one if none is queued."""
        while not self._frames:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._frames.popleft()

    def clear(self) -> None:
        """Forget every queued frame (not counted as dropped)."""
        self._frames.clear()


class PlayoutBuffer:
    """Audio bytes on their way to a loudspeaker, with a jitter margin.

    Nothing is handed out until ``prebuffer_ms`` are buffered, so network jitter does
    not turn into clicks; when the device reports that it ran dry (``underrun``) the
    buffer fills up again first. Beyond ``max_ms`` the oldest audio is dropped down to
    the ``prebuffer_ms`` margin: a burst (the far end catching up, a device that
    started late) would otherwise keep the buffer at the cap, and the call that much
    behind, for good. Below the cap, a level that never fell under the margin for a
    whole second of playback is trimmed back to it, so the delay drifts back down
    after a burst. Sizes stay aligned to
    whole sample frames (``frame_bytes``: channels x sample size).
    """

    def __init__(
        self, bytes_per_ms: float, frame_bytes: int, prebuffer_ms: int = 40, max_ms: int = 200
    ) -> None:
        if not 0 <= prebuffer_ms <= max_ms:
            raise ValueError("need 0 <= prebuffer_ms <= max_ms")
        self.frame_bytes = frame_bytes
        self.prebuffer = self._aligned(bytes_per_ms * prebuffer_ms)
        self.capacity = self._aligned(bytes_per_ms * max_ms)
        self.window = self._aligned(bytes_per_ms * 1000)
        self.underruns = 0
        self.dropped_bytes = 0
        self._data = bytearray()
        self._priming = True
        self._window_taken = 0
        self._window_low: int | None = None  # the lowest level seen in this window

    def __len__(self) -> int:
        return len(self._data)

    @property
    def priming(self) -> bool:
        """True while filling up before (re)starting playback."""
        return self._priming

    def push(self, data: bytes) -> None:
        """Append received audio; beyond the cap, drop the oldest down to the margin."""
        self._data += data
        if len(self._data) > self.capacity:
            excess = len(self._data) - max(self.prebuffer, self.frame_bytes)
            excess = -(-excess // self.frame_bytes) * self.frame_bytes
            del self._data[:excess]
            self.dropped_bytes += excess
        if self._priming and len(self._data) >= self.prebuffer:
            self._priming = False

    def take(self, limit: int) -> bytes:
        """Up to ``limit`` bytes for the device (whole sample frames), none while priming."""
        if self._priming:
            return b""
        size = min(self._aligned(limit), len(self._data))
        chunk = bytes(self._data[:size])
        del self._data[:size]
        self._track_level(size)
        return chunk

    def underrun(self) -> None:
        """The device ran dry: count it and fill up again before playing on."""
        self.underruns += 1
        self._priming = len(self._data) < self.prebuffer

    def clear(self) -> None:
        """Forget buffered audio and prime again (a new device)."""
        self._data.clear()
        self._priming = self.prebuffer > 0
        self._window_taken = 0
        self._window_low = None

    def _track_level(self, taken: int) -> None:
        level = len(self._data)
        if self._window_low is None or level < self._window_low:
            self._window_low = level
        self._window_taken += taken
        if self._window_taken < self.window:
            return
        surplus = self._aligned(self._window_low - self.prebuffer)
        if surplus > 0:
            del self._data[:surplus]
            self.dropped_bytes += surplus
        self._window_taken = 0
        self._window_low = None

    def _aligned(self, size: float) -> int:
        return int(size) // self.frame_bytes * self.frame_bytes
