"""Echo cancellation on a synthetic scene: ERLE per half second, the near-end tone
kept during double talk, and the CPU time of livekit's module per second of call.

    .venv/bin/python bench/echo_cancel.py [--delay-ms 40] [--hint-ms 40] [--seconds 6] [--no-ns]

``--delay-ms`` is the simulated echo path, ``--hint-ms`` the delay given to the
module. See tests/support/echo_scene.py for the scene.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from siproxylin.media.echo import create_echo_canceller
from tests.support.echo_scene import EchoScene, run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delay-ms", type=int, default=40)
    parser.add_argument("--hint-ms", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--no-ns", action="store_true", help="noise suppression off (AEC alone)")
    args = parser.parse_args()
    near_from = args.seconds - 1.5
    scene = EchoScene.make(args.seconds, args.delay_ms, near_from=near_from)
    canceller = create_echo_canceller(delay_ms=args.hint_ms, noise_suppression=not args.no_ns)
    if canceller is None:
        print("livekit's audio processing module did not load")
        return 1
    started = time.process_time()
    out = run(canceller, scene)
    cpu = time.process_time() - started
    steps = int(near_from * 2)
    for step in range(steps):
        start = step / 2
        erle = scene.erle_db(out, start, start + 0.5)
        print(f"{start:4.1f}-{start + 0.5:4.1f} s  ERLE {erle:5.1f} dB")
    alone = scene.tone_level_db(scene.near, near_from + 0.2, args.seconds)
    kept = scene.tone_level_db(out, near_from + 0.2, args.seconds)
    print(f"double talk: near-end tone {kept - alone:+.1f} dB vs alone")
    share = 100 * cpu / args.seconds
    print(f"CPU {cpu * 1000:.0f} ms for {args.seconds:.0f} s of call = {share:.2f} % of one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
