"""Echo cancellation: livekit's module on a synthetic echo, the fallback without it,
and the source/sink wrappers around it."""

from __future__ import annotations

import array
import logging
import sys

import pytest

from siproxylin.media import echo
from siproxylin.media.audio import FRAME_SAMPLES
from siproxylin.media.echo import (
    CHUNK_BYTES,
    EchoCanceller,
    ProcessedSink,
    ProcessedSource,
    create_echo_canceller,
)
from siproxylin.media.pcm import upmix
from siproxylin.media.tone import RecordingSink
from tests.support.echo_scene import EchoScene, run

FRAME_BYTES = FRAME_SAMPLES * 2


@pytest.fixture(scope="module")
def scene() -> EchoScene:
    return EchoScene.make(seconds=5.0, delay_ms=40, near_from=3.5)


@pytest.fixture
def canceller() -> EchoCanceller:
    made = create_echo_canceller(delay_ms=40)
    if made is None:
        pytest.skip("livekit's audio processing module does not load here")
    return made


def test_cancels_a_delayed_echo_and_keeps_the_near_end(
    canceller: EchoCanceller, scene: EchoScene
) -> None:
    out = run(canceller, scene)
    assert len(out) == len(scene.mic)
    assert canceller.enabled
    assert canceller.far_chunks == canceller.near_chunks == 500
    erle = [scene.erle_db(out, second, second + 0.5) for second in (1.0, 1.5, 2.0, 2.5, 3.0)]
    assert min(erle) > 20, erle
    alone = scene.tone_level_db(scene.near, 3.7, 5.0)
    kept = scene.tone_level_db(out, 3.7, 5.0)
    assert abs(kept - alone) < 3, (alone, kept)


class FakeFrame:
    def __init__(self, data: bytearray, sample_rate: int, channels: int, count: int) -> None:
        assert (sample_rate, channels, count) == (48_000, 1, 480)
        self.data = memoryview(data)


class FakeModule:
    """Halves the near end; remembers what it was given; can be made to fail."""

    def __init__(self) -> None:
        self.far: list[bytes] = []
        self.delays: list[int] = []
        self.fail = False

    def process_reverse_stream(self, frame: FakeFrame) -> None:
        self.far.append(frame.data.tobytes())

    def set_stream_delay_ms(self, delay_ms: int) -> None:
        self.delays.append(delay_ms)

    def process_stream(self, frame: FakeFrame) -> None:
        if self.fail:
            raise RuntimeError("native failure")
        halved = array.array("h", frame.data.tobytes())
        frame.data[:] = array.array("h", (s // 2 for s in halved)).tobytes()


@pytest.fixture
def fake() -> tuple[EchoCanceller, FakeModule]:
    module = FakeModule()
    return EchoCanceller(module, FakeFrame, 60), module  # type: ignore[arg-type]


def test_far_end_is_cut_into_10ms_chunks(fake: tuple[EchoCanceller, FakeModule]) -> None:
    canceller, module = fake
    canceller.process_far(bytes(CHUNK_BYTES * 2 + 10))
    assert len(module.far) == 2
    canceller.process_far(bytes(CHUNK_BYTES - 10))
    assert len(module.far) == 3


def test_near_end_is_processed_with_the_delay_estimate(
    fake: tuple[EchoCanceller, FakeModule],
) -> None:
    canceller, module = fake
    canceller.set_delay_ms(85)
    frame = array.array("h", [1000] * FRAME_SAMPLES).tobytes()
    assert canceller.process_near(frame) == array.array("h", [500] * FRAME_SAMPLES).tobytes()
    assert module.delays == [85, 85]
    assert canceller.process_near(b"\x01\x00" * 7) == b"\x01\x00" * 7  # not 10 ms: untouched


def test_a_native_failure_disables_processing_not_the_call(
    fake: tuple[EchoCanceller, FakeModule], caplog: pytest.LogCaptureFixture
) -> None:
    canceller, module = fake
    module.fail = True
    frame = array.array("h", [1000] * FRAME_SAMPLES).tobytes()
    with caplog.at_level(logging.WARNING):
        assert canceller.process_near(frame) == frame
    assert not canceller.enabled
    assert "goes on without it" in caplog.text
    canceller.process_far(bytes(CHUNK_BYTES))
    assert module.far == []


def test_without_livekit_there_is_no_canceller(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "livekit", None)
    with caplog.at_level(logging.WARNING, logger=echo.__name__):
        assert create_echo_canceller() is None
    assert "no echo cancellation" in caplog.text


class ListSource:
    def __init__(self, frames: list[bytes]) -> None:
        self.frames = frames
        self.closed = False

    async def read(self) -> bytes:
        return self.frames.pop(0)

    def close(self) -> None:
        self.closed = True


async def test_processed_source_cleans_frames_and_mutes_with_silence(
    fake: tuple[EchoCanceller, FakeModule],
) -> None:
    canceller, _ = fake
    loud = array.array("h", [1000] * FRAME_SAMPLES).tobytes()
    inner = ListSource([loud, loud, loud])
    source = ProcessedSource(inner, canceller)
    assert await source.read() == array.array("h", [500] * FRAME_SAMPLES).tobytes()
    source.muted = True
    assert await source.read() == bytes(FRAME_BYTES)
    assert canceller.near_chunks == 4  # processed while muted too
    source.close()
    assert inner.closed
    assert await ProcessedSource(inner, None).read() == loud


def test_processed_sink_analyses_a_mono_copy_and_plays_the_original(
    fake: tuple[EchoCanceller, FakeModule],
) -> None:
    canceller, module = fake
    recorder = RecordingSink()
    sink = ProcessedSink(recorder, canceller)
    mono = array.array("h", range(FRAME_SAMPLES)).tobytes()
    stereo = upmix(mono, 2)
    sink.write(stereo, 48_000, 2)
    assert b"".join(module.far) == mono
    assert recorder.frames[0].pcm == mono  # the recorder keeps the first channel
    sink.write(bytes(320 * 2), 16_000, 1)  # 20 ms at 16 kHz becomes 20 ms at 48 kHz
    assert len(module.far) == 4
    sink.close()
    assert recorder.closed


def test_processed_sink_refreshes_the_delay_hint_once_a_second(
    fake: tuple[EchoCanceller, FakeModule],
) -> None:
    canceller, _ = fake
    delays = iter([110.4, 95.0])
    sink = ProcessedSink(RecordingSink(), canceller, lambda: next(delays))
    for _ in range(50):
        sink.write(bytes(FRAME_BYTES), 48_000, 1)
    assert canceller.delay_ms == 110
    sink.write(bytes(FRAME_BYTES), 48_000, 1)
    assert canceller.delay_ms == 95
