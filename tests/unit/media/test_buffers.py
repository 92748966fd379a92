"""The capture queue's overload policy and the playout buffer's jitter margin and cap."""

from __future__ import annotations

import asyncio

import pytest

from siproxylin.media.buffers import FrameQueue, PlayoutBuffer


async def test_frame_queue_drops_the_oldest_when_full_and_counts_it() -> None:
    queue = FrameQueue(max_frames=3)
    for n in range(5):
        queue.put(bytes([n]))
    assert queue.dropped == 2
    assert len(queue) == 3
    assert [await queue.get() for _ in range(3)] == [b"\x02", b"\x03", b"\x04"]


async def test_frame_queue_wakes_a_waiting_reader() -> None:
    queue = FrameQueue(max_frames=2)
    reader = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    assert not reader.done()
    queue.put(b"x")
    assert await asyncio.wait_for(reader, 1) == b"x"
    assert queue.dropped == 0


def test_frame_queue_needs_room_for_a_frame() -> None:
    with pytest.raises(ValueError):
        FrameQueue(0)


def test_playout_buffer_waits_for_the_prebuffer() -> None:
    buffer = PlayoutBuffer(bytes_per_ms=4, frame_bytes=4, prebuffer_ms=10, max_ms=100)
    buffer.push(bytes(36))  # 9 ms
    assert buffer.priming
    assert buffer.take(1000) == b""
    buffer.push(bytes(4))
    assert not buffer.priming
    assert len(buffer.take(1000)) == 40


def test_playout_buffer_takes_whole_sample_frames() -> None:
    buffer = PlayoutBuffer(bytes_per_ms=4, frame_bytes=4, prebuffer_ms=0, max_ms=100)
    buffer.push(bytes(range(12)))
    assert buffer.take(7) == bytes(range(4))
    assert len(buffer) == 8


def test_playout_buffer_over_the_cap_drops_the_oldest_down_to_the_margin() -> None:
    buffer = PlayoutBuffer(bytes_per_ms=4, frame_bytes=4, prebuffer_ms=2, max_ms=5)
    buffer.push(bytes(range(20)))  # 5 ms: at the cap, kept
    assert buffer.dropped_bytes == 0
    buffer.push(bytes(range(20, 28)))  # 7 ms: back to the 2 ms margin
    assert buffer.dropped_bytes == 20
    assert buffer.take(100) == bytes(range(20, 28))


def test_playout_buffer_without_margin_keeps_one_sample_frame() -> None:
    buffer = PlayoutBuffer(bytes_per_ms=4, frame_bytes=4, prebuffer_ms=0, max_ms=1)
    buffer.push(bytes(range(12)))
    assert buffer.take(100) == bytes(range(8, 12))


def test_playout_buffer_trims_a_lasting_surplus_back_to_the_margin() -> None:
    buffer = PlayoutBuffer(bytes_per_ms=4, frame_bytes=4, prebuffer_ms=10, max_ms=100)
    buffer.push(bytes(4 * 60))  # 60 ms queued, 50 ms more than the margin
    for _ in range(99):  # play 990 ms, topped up as fast as it plays
        assert len(buffer.take(40)) == 40
        buffer.push(bytes(40))
    assert buffer.dropped_bytes == 0
    buffer.take(40)  # the window's second is complete: its lowest level was 50 ms
    assert buffer.dropped_bytes == 4 * 40
    assert len(buffer) == 4 * 10


def test_playout_buffer_primes_again_after_an_underrun() -> None:
    buffer = PlayoutBuffer(bytes_per_ms=4, frame_bytes=4, prebuffer_ms=2, max_ms=100)
    buffer.push(bytes(8))
    assert len(buffer.take(8)) == 8
    buffer.underrun()
    assert buffer.underruns == 1
    buffer.push(bytes(4))
    assert buffer.take(8) == b""  # 1 ms < 2 ms prebuffer
    buffer.push(bytes(4))
    assert len(buffer.take(8)) == 8


def test_playout_buffer_rejects_a_prebuffer_above_the_cap() -> None:
    with pytest.raises(ValueError):
        PlayoutBuffer(bytes_per_ms=4, frame_bytes=4, prebuffer_ms=10, max_ms=5)
