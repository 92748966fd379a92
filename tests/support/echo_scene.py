"""A synthetic echo scene for the echo canceller, without numpy: far-end noise, a
microphone that hears it delayed and attenuated (the room), and a near-end tone that
starts partway through (double talk). Measures ERLE and what is left of the tone.

    scene = EchoScene.make(seconds=5.0, delay_ms=40)
    out = run(canceller, scene)          # processed mic signal, s16 bytes
    scene.erle_db(out, 1.0, 3.0)         # echo return loss enhancement over [1 s, 3 s)
    scene.tone_level_db(out, 3.7, 5.0)   # the near-end tone's level in the output
    scene.tone_level_db(scene.near, ...) # the same, of the tone alone
"""

from __future__ import annotations

import array
import math
import random
from dataclasses import dataclass

from siproxylin.media.audio import FRAME_SAMPLES, SAMPLE_RATE
from siproxylin.media.echo import EchoCanceller
from siproxylin.media.pcm import samples

FRAME_BYTES = FRAME_SAMPLES * 2


def _clip(value: float) -> int:
    return max(-32768, min(32767, round(value)))


@dataclass(frozen=True, slots=True)
class EchoScene:
    """The three signals, s16 mono at 48 kHz, as bytes."""

    far: bytes
    near: bytes
    mic: bytes
    tone_hz: float

    @classmethod
    def make(
        cls,
        seconds: float = 5.0,
        delay_ms: int = 40,
        echo_gain: float = 0.5,
        near_from: float = 3.5,
        tone_hz: float = 440.0,
        seed: int = 1,
    ) -> EchoScene:
        """Far-end noise at about -21 dBFS; the mic gets ``echo_gain`` x far delayed by
        ``delay_ms`` plus a near-end tone (about -23 dBFS) from ``near_from`` on."""
        rng = random.Random(seed)
        count = int(seconds * SAMPLE_RATE)
        far = array.array("h", (_clip(rng.gauss(0, 3000)) for _ in range(count)))
        start = int(near_from * SAMPLE_RATE)
        step = 2 * math.pi * tone_hz / SAMPLE_RATE
        near = array.array(
            "h", (round(3000 * math.sin(step * i)) if i >= start else 0 for i in range(count))
        )
        delay = delay_ms * SAMPLE_RATE // 1000
        mic = array.array(
            "h",
            (
                _clip(echo_gain * (far[i - delay] if i >= delay else 0) + near[i])
                for i in range(count)
            ),
        )
        return cls(far.tobytes(), near.tobytes(), mic.tobytes(), tone_hz)

    def erle_db(self, out: bytes, start: float, end: float) -> float:
        """10 log10(mic energy / output energy) over [start, end) seconds."""
        return 10 * math.log10(
            max(energy(self.mic, start, end), 1e-9) / max(energy(out, start, end), 1e-9)
        )

    def tone_level_db(self, pcm: bytes, start: float, end: float) -> float:
        """The power of the near-end tone's frequency in ``pcm`` (Goertzel), in dB."""
        data = samples(pcm)[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
        coefficient = 2 * math.cos(2 * math.pi * self.tone_hz / SAMPLE_RATE)
        s1 = s2 = 0.0
        for x in data:
            s1, s2 = x + coefficient * s1 - s2, s1
        power = (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / max(len(data), 1) ** 2
        return 10 * math.log10(max(power, 1e-9))


def energy(pcm: bytes, start: float, end: float) -> float:
    """Mean square of the samples in [start, end) seconds."""
    data = samples(pcm)[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
    return sum(x * x for x in data) / max(len(data), 1)


def run(canceller: EchoCanceller, scene: EchoScene) -> bytes:
    """Feed the scene as a call would, 20 ms at a time: far end first, then the mic."""
    out = bytearray()
    for offset in range(0, len(scene.mic) - FRAME_BYTES + 1, FRAME_BYTES):
        canceller.process_far(scene.far[offset : offset + FRAME_BYTES])
        out += canceller.process_near(scene.mic[offset : offset + FRAME_BYTES])
    return bytes(out)
