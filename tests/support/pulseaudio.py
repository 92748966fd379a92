"""A private PulseAudio server for audio tests: foreground, null devices only, its own
runtime dir and socket, stopped by PID.

    pulse = PulseServer()
    pulse.start()             # returns once ``pactl info`` answers on the socket
    pulse.env                 # {"PULSE_SERVER": "unix:...", ...} for clients
    pulse.sinks(), pulse.sources()   # names as pactl lists them
    pulse.cleanup()           # stop by PID + remove its temp dir

Devices (no sound card involved):
    speaker    null sink, the default output ("Test Speaker")
    headset    null sink ("Test Headset")
    loopback   source remapped from speaker.monitor, the default input ("Test
               Loopback"): what is played on ``speaker`` is captured here, so a
               capture -> playback loop runs without hardware
    headmic    source remapped from headset.monitor ("Test Headset Mic")
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .proxies import KEEP_DIRS, deathsig_prefix, require_tool, spawn, tail, terminate

START_TIMEOUT = 10.0

_MODULES = [
    "module-null-sink sink_name=speaker sink_properties=\"device.description='Test Speaker'\"",
    "module-null-sink sink_name=headset sink_properties=\"device.description='Test Headset'\"",
    "module-remap-source source_name=loopback master=speaker.monitor"
    " source_properties=\"device.description='Test Loopback'\"",
    "module-remap-source source_name=headmic master=headset.monitor"
    " source_properties=\"device.description='Test Headset Mic'\"",
]


class PulseServer:
    """One ``pulseaudio --daemonize=no`` with null sinks and remapped monitors."""

    def __init__(self) -> None:
        self.binary = require_tool("pulseaudio")
        self.dir = Path(tempfile.mkdtemp(prefix="sip-pulse-"))
        self.runtime = self.dir / "run"
        self.socket = self.dir / "native"
        self.log_path = self.dir / "pulseaudio.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        """Environment for a client of this server (and nothing else)."""
        return {
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_RUNTIME_PATH": str(self.runtime),
            "PULSE_COOKIE": str(self.dir / "cookie"),
        }

    def start(self) -> None:
        """Start the server; raise RuntimeError (with its log) if it does not answer."""
        self.runtime.mkdir(mode=0o700)
        home = self.dir / "home"
        home.mkdir()
        argv = [
            *deathsig_prefix(),
            "env",
            f"HOME={home}",
            f"XDG_RUNTIME_DIR={self.runtime}",
            f"PULSE_RUNTIME_PATH={self.runtime}",
            self.binary,
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--use-pid-file=no",
            "--system=no",
            "-n",  # no default.pa: only the modules below
            *(f"--load={module}" for module in _MODULES),
            f"--load=module-native-protocol-unix socket={self.socket} auth-anonymous=1",
        ]
        self.proc = spawn(argv, self.log_path)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if self.socket.exists() and self._pactl("info").returncode == 0:
                if {"speaker", "headset"} - set(self.sinks()) or {
                    "loopback",
                    "headmic",
                } - set(self.sources()):
                    break  # a module did not load: see the log
                self._pactl("set-default-sink", "speaker")
                self._pactl("set-default-source", "loopback")
                return
            time.sleep(0.1)
        log = tail(self.log_path)
        self.cleanup()
        raise RuntimeError(f"pulseaudio did not start:\n{log}")

    def sinks(self) -> list[str]:
        """Sink names, as ``pactl list short sinks`` shows them."""
        return self._names("sinks")

    def sources(self) -> list[str]:
        """Source names (monitors included)."""
        return self._names("sources")

    def cleanup(self) -> None:
        """Stop the server by PID and remove its directory (unless kept)."""
        terminate(self.proc)
        self.proc = None
        if not KEEP_DIRS:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _names(self, kind: str) -> list[str]:
        out = self._pactl("list", "short", kind).stdout
        return [line.split("\t")[1] for line in out.splitlines() if "\t" in line]

    def _pactl(self, *args: str) -> subprocess.CompletedProcess[str]:
        pactl = shutil.which("pactl")
        if pactl is None:
            raise RuntimeError("pactl is missing (apt pulseaudio-utils)")
        return subprocess.run(
            [pactl, *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
