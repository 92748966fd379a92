"""Entry point: command-line options, the Qt application on a qasync loop, bootstrap.

``siproxylin`` and ``python -m siproxylin`` both land here.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
import sys
from pathlib import Path

from siproxylin import __version__
from siproxylin.app.logs import LogSettings
from siproxylin.app.paths import PathMode, resolve_paths
from siproxylin.domain.config import LogLevel

LOGIN_HEAD_START = 0.3  # seconds a login may run before the window is built


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="siproxylin",
        description="Privacy-focused XMPP client: every account through its own proxy.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--xdg",
        action="store_true",
        help="keep files in the XDG config/data/cache folders (~/.config, ~/.local/share)",
    )
    where.add_argument(
        "--dot-data-dir",
        action="store_true",
        help="keep everything in ~/.siproxylin (one folder to encrypt or delete)",
    )
    where.add_argument(
        "--data-dir",
        type=Path,
        metavar="PATH",
        help="keep everything under PATH (config, data, cache, logs)",
    )
    parser.add_argument(
        "--log-level",
        choices=[level.value for level in LogLevel],
        default="info",
        help="level of main.log; 'off' writes no log file (default: info)",
    )
    parser.add_argument(
        "--protocol-log",
        action="store_true",
        help="write every stanza to xmpp-protocol.log (secrets and bodies are redacted)",
    )
    parser.add_argument(
        "--log-bodies",
        action="store_true",
        help="let message bodies into the logs (off by default)",
    )
    parser.add_argument("--version", action="version", version=f"Siproxylin {__version__}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the desktop application until its window closes."""
    args = parse_args(argv)
    # Start-up creates tens of thousands of objects that live as long as the
    # process; the cyclic collector would walk them over and over (tens of
    # milliseconds before the login is out, and again on every full collection).
    # It stays off until the window exists, which then moves everything made so far
    # out of its reach (gc.freeze): later collections scan newer objects only.
    gc.disable()
    mode = PathMode.XDG if args.xdg else PathMode.DOT if args.dot_data_dir else None
    paths = resolve_paths(mode, args.data_dir)
    settings = LogSettings(LogLevel(args.log_level), args.protocol_log, args.log_bodies)

    # Qt is imported only here, after argument parsing, so --help works anywhere.
    import qasync
    from PySide6.QtWidgets import QApplication

    from siproxylin.app.bootstrap import build_application

    qt_app = QApplication(sys.argv[:1])
    qt_app.setApplicationName("Siproxylin")
    qt_app.setQuitOnLastWindowClosed(False)  # the loop must outlive the window to log out
    application = build_application(paths, settings)

    async def run() -> None:
        # Log in first, then build the window. Building it (imports included) holds
        # the loop for about 0.1 s; a login on a fast link takes less than that, and
        # once the initial presence is out, the server's work (and its loading of what
        # waited for us) overlaps with the build. The window reads the state so far,
        # and never waits longer than LOGIN_HEAD_START for a slow login.
        await application.start()
        await application.logins_settled(LOGIN_HEAD_START)
        from siproxylin.gui.services import GuiServices
        from siproxylin.gui.window import create_main_window

        window = create_main_window(
            GuiServices(
                application.bus,
                application.accounts,
                application.chat,
                application.roster,
                application.decisions,
                application.search,
                rooms=application.rooms,
                history=application.history,
                blocking=application.blocking,
                encryption=application.encryption,
                profiles=application.profiles,
                registration=application.registration,
                files=application.files,
                preferences=application.preferences,
                logs_dir=paths.logs,
                data_dir=paths.data,
                notifications=application.notifications,
                personal_dictionary=paths.data / "spelling" / "personal.dic",
                calls=application.calls,
            )
        )
        window.show()
        gc.freeze()
        gc.enable()
        closed = asyncio.Event()
        window.quit_requested.connect(closed.set)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, window.close)
        await closed.wait()
        await application.stop()

    qasync.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
