"""The core imports without Qt, slixmpp, sqlite3 or any network library installed."""

from __future__ import annotations

import subprocess
import sys

BLOCKED = [
    "PySide6",
    "qasync",
    "slixmpp",
    "slixmpp_omemo",
    "sqlite3",
    "_sqlite3",
    "python_socks",
    "aiohttp",
    "aiohttp_socks",
    "keyring",
    "aiortc",
    "aioice",
    "av",
    "livekit",
]


def test_core_imports_with_toolkits_missing() -> None:
    code = (
        "import sys\n"
        f"for name in {BLOCKED!r}: sys.modules[name] = None\n"
        "import siproxylin.core\n"
        "import siproxylin.core.accounts, siproxylin.core.session, siproxylin.core.decisions\n"
        "import siproxylin.core.services.chat, siproxylin.core.services.roster\n"
        "import siproxylin.core.services.search\n"
        "import siproxylin.domain.events, siproxylin.domain.calls\n"
        "import siproxylin.core.turn_choice\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
