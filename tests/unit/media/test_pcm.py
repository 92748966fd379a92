"""PCM conversions: downmix, upmix, resampling and framing on s16 bytes."""

from __future__ import annotations

import array
import math

import pytest

from siproxylin.media.pcm import Framer, Resampler, downmix, remix, samples, upmix
from siproxylin.media.tone import frequency


def pcm(*values: int) -> bytes:
    return array.array("h", values).tobytes()


def tone(hz: float, rate: int, count: int, level: float = 10_000) -> bytes:
    return array.array(
        "h", (int(level * math.sin(2 * math.pi * hz * i / rate)) for i in range(count))
    ).tobytes()


def test_downmix_stereo_is_the_mean_of_both_channels() -> None:
    assert downmix(pcm(100, 300, -32768, -32768, 32767, 32767, 1, -1), 2) == pcm(
        200, -32768, 32767, 0
    )


def test_downmix_of_mono_is_unchanged_and_more_channels_average() -> None:
    assert downmix(pcm(1, 2, 3), 1) == pcm(1, 2, 3)
    assert downmix(pcm(3, 6, 9, -3, -3, -3), 3) == pcm(6, -3)


def test_upmix_copies_each_sample_into_every_channel() -> None:
    assert upmix(pcm(1, -2), 2) == pcm(1, 1, -2, -2)
    assert upmix(pcm(5), 1) == pcm(5)


def test_remix_goes_through_mono() -> None:
    assert remix(pcm(10, 20, 30, 40), 2, 2) == pcm(10, 20, 30, 40)
    assert remix(pcm(10, 20, 30, 40), 2, 1) == pcm(15, 35)
    assert remix(pcm(7), 1, 2) == pcm(7, 7)


def test_samples_ignores_a_trailing_odd_byte() -> None:
    assert list(samples(pcm(1, 2) + b"\x01")) == [1, 2]


def test_resampler_keeps_the_rate_ratio_across_chunks() -> None:
    resampler = Resampler(44_100, 48_000)
    out = b"".join(resampler.process(tone(1000, 44_100, 441)) for _ in range(100))
    assert abs(len(samples(out)) - 480 * 100) <= 1  # 1 s in, 1 s out
    assert abs(frequency(out, 48_000) - 1000) < 1


def test_resampler_is_continuous_at_chunk_boundaries() -> None:
    whole = tone(440, 48_000, 9600)
    chunked = Resampler(48_000, 16_000)
    pieces = b"".join(chunked.process(whole[i : i + 1920]) for i in range(0, len(whole), 1920))
    assert pieces == Resampler(48_000, 16_000).process(whole)
    assert abs(frequency(pieces, 16_000) - 440) < 1


def test_resampler_at_the_same_rate_passes_through() -> None:
    assert Resampler(48_000, 48_000).process(pcm(1, 2, 3)) == pcm(1, 2, 3)
    with pytest.raises(ValueError):
        Resampler(0, 48_000)


def test_framer_cuts_exact_frames_and_keeps_the_rest() -> None:
    framer = Framer(4)
    assert framer.push(b"abc") == []
    assert framer.push(b"defghij") == [b"abcd", b"efgh"]
    assert framer.pending == 2
    framer.clear()
    assert framer.push(b"klmn") == [b"klmn"]
