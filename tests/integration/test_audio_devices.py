"""Call audio on real (null) devices: a private PulseAudio server, QtMultimedia listing
and following its devices, and a capture -> playback loop through a sink's monitor.

QtMultimedia connects to PulseAudio once per process, so the server is session-wide
and ``PULSE_SERVER`` is set before anything touches QtMultimedia.
"""

from __future__ import annotations

import array
import asyncio
import math
import os
import subprocess
from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from siproxylin.media.audio import FRAME_SAMPLES
from siproxylin.media.tone import ToneSource, frequency, rms
from tests.support.pulseaudio import PulseServer

pytestmark = pytest.mark.audio


@pytest.fixture(scope="session")
def pulse() -> Iterator[PulseServer]:
    """The PulseAudio server of this test session (skips when it cannot start)."""
    try:
        server = PulseServer()
        server.start()
    except RuntimeError as error:
        pytest.skip(f"PulseAudio cannot run here: {error}")
    saved = {key: os.environ.get(key) for key in server.env}
    os.environ.update(server.env)
    yield server
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    server.cleanup()


@pytest.fixture
def loop(pulse: PulseServer, qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop over the test's QApplication."""
    event_loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    event_loop.close()
    asyncio.set_event_loop(None)


def test_lists_inputs_and_outputs_with_defaults(pulse: PulseServer, qapp: QApplication) -> None:
    from siproxylin.media import devices

    inputs = devices.inputs()
    outputs = devices.outputs()
    assert {d.id: d.name for d in inputs} == {
        "loopback": "Test Loopback",
        "headmic": "Test Headset Mic",
    }
    assert {d.id: d.name for d in outputs} == {"speaker": "Test Speaker", "headset": "Test Headset"}
    assert (inputs[0].id, inputs[0].is_default) == ("loopback", True)
    assert (outputs[0].id, outputs[0].is_default) == ("speaker", True)
    assert [d for d in inputs + outputs if d.is_default] == [inputs[0], outputs[0]]
    assert devices.device_id(devices.find_output("headset")) == "headset"
    assert devices.device_id(devices.find_output("unplugged")) == "speaker"  # the default


def test_signals_a_new_device(pulse: PulseServer, qapp: QApplication, qtbot: QtBot) -> None:
    """A plugged-in output is reported and listed.

    Removal is not asserted: Qt 6.11.3's PulseAudio backend kept an unloaded null sink
    in its list (no signal either) in this test; a chosen device that disappears
    falls back to the default at the next ``set_device``.
    """
    from siproxylin.media import devices

    watcher = devices.DeviceWatcher()
    env = {**os.environ, **pulse.env}
    with qtbot.waitSignal(watcher.outputs_changed, timeout=10_000):
        module = subprocess.run(
            ["pactl", "load-module", "module-null-sink", "sink_name=usb"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    try:
        assert "usb" in [d.id for d in devices.outputs()]
        assert devices.device_id(devices.find_output("usb")) == "usb"
    finally:
        subprocess.run(["pactl", "unload-module", module], env=env, check=True)


def test_capture_playback_loop(loop: asyncio.AbstractEventLoop) -> None:
    """A 1 kHz tone written as aiortc decodes it (48 kHz stereo) comes back on the mic."""
    from siproxylin.media.pcm import upmix
    from siproxylin.media.qt_audio import MicrophoneSource, SpeakerSink

    async def run() -> list[bytes]:
        speaker = SpeakerSink("speaker")
        mic = MicrophoneSource("loopback")
        tone = ToneSource(hz=1000.0, level=0.3)

        async def play() -> None:
            while True:
                speaker.write(upmix(await tone.read(), 2), 48_000, 2)

        player = asyncio.ensure_future(play())
        frames = []
        try:
            for _ in range(200):  # 4 s (the first second is the server warming up)
                frames.append(await asyncio.wait_for(mic.read(), 5))
            latency = speaker.latency_ms()
            mic.muted = True
            muted = await asyncio.wait_for(mic.read(), 5)
        finally:
            player.cancel()
            mic.close()
            speaker.close()
        assert muted == bytes(FRAME_SAMPLES * 2)
        # The server's slow start-up overflows the playout buffer; it is trimmed back
        # to the 40 ms margin plus the device's 60 ms.
        assert latency < 150, latency
        assert mic.dropped == 0
        assert speaker.device_id is None  # closed
        return frames

    frames = loop.run_until_complete(run())
    loud = [f for f in frames if rms(f) > 3000]
    assert len(loud) > 50, [round(rms(f)) for f in frames[::10]]
    assert abs(frequency(b"".join(loud[-10:])) - 1000.0) < 5


def test_switches_devices_mid_call(loop: asyncio.AbstractEventLoop) -> None:
    from siproxylin.media.qt_audio import MicrophoneSource, SpeakerSink

    async def run() -> None:
        mic = MicrophoneSource("loopback")
        speaker = SpeakerSink()
        try:
            assert (mic.device_id, speaker.device_id) == ("loopback", "speaker")
            await asyncio.wait_for(mic.read(), 5)
            mic.set_device("headmic")
            speaker.set_device("headset")
            assert (mic.device_id, speaker.device_id) == ("headmic", "headset")
            assert len(await asyncio.wait_for(mic.read(), 5)) == FRAME_SAMPLES * 2
        finally:
            mic.close()
            speaker.close()

    loop.run_until_complete(run())


def test_call_audio_cancels_the_echo_of_a_real_device_loop(
    loop: asyncio.AbstractEventLoop,
) -> None:
    """The loopback input hears exactly what the speaker plays (through both devices'
    buffers): with the canceller in the path the call hears almost none of it."""
    import random

    from siproxylin.media.call_audio import CallAudio
    from siproxylin.media.pcm import upmix

    rng = random.Random(7)

    def noise() -> bytes:
        return array.array(
            "h", (max(-32768, min(32767, int(rng.gauss(0, 3000)))) for _ in range(FRAME_SAMPLES))
        ).tobytes()

    async def run() -> tuple[list[float], float]:
        # Noise suppression off: it would also damp the (stationary) test noise.
        audio = CallAudio.open("loopback", "speaker", noise_suppression=False)
        if audio.canceller is None:
            pytest.skip("livekit's audio processing module does not load here")
        pacer = ToneSource()

        async def far_end() -> None:
            while True:
                await pacer.read()  # real-time pacing
                audio.sink.write(upmix(noise(), 2), 48_000, 2)

        player = asyncio.ensure_future(far_end())
        levels = []
        try:
            for _ in range(300):  # 6 s
                levels.append(rms(await asyncio.wait_for(audio.source.read(), 5)))
            raw = rms(await asyncio.wait_for(audio.microphone.read(), 5))
        finally:
            player.cancel()
            audio.close()
        return levels, raw

    levels, raw = loop.run_until_complete(run())
    assert raw > 1500  # the loop itself works: the unprocessed mic hears the noise
    residual = max(sum(levels[-100:]) / 100, 1.0)
    erle = 20 * math.log10(raw / residual)
    assert erle > 20, (erle, [round(v) for v in levels[::10]])
