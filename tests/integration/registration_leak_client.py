"""The client side of the registration leak test: Create Account inside the namespace.

Run as ``python -m tests.integration.registration_leak_client CONFIG.json``. The
whole headless application fetches the server's form through the proxy (as seen
from inside the namespace), answers the CAPTCHA with the text the server's
``captcha_cmd`` recorded, registers, and waits until the new account is online
(through the same proxy). What happened goes to ``result`` (a JSON file).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from siproxylin.app.bootstrap import build_application
from siproxylin.app.logs import LogSettings
from siproxylin.app.paths import resolve_paths
from siproxylin.core.services.registration import RegistrationRequest
from siproxylin.domain.config import LogLevel, ProxyConfig, ProxyKind, TlsPolicy
from siproxylin.domain.models import ConnectionState


async def scenario(config: dict[str, Any]) -> dict[str, Any]:
    app = build_application(
        resolve_paths(data_dir=Path(config["data_dir"])),
        LogSettings(LogLevel.DEBUG, protocol=True),
        backoff_base=0.2,
    )
    proxy = ProxyConfig(
        ProxyKind(config["proxy_kind"]), config["proxy_host"], int(config["proxy_port"])
    )
    request = RegistrationRequest(
        config["server"],
        proxy,
        TlsPolicy(ca_file=config["ca_file"]),
        config["server"],  # resolved by the proxy, never here
        int(config["server_port"]),
    )
    result: dict[str, Any] = {"ok": False}
    try:
        form = await app.registration.fetch_form(request)
        captcha = form.captcha
        assert captcha is not None
        assert captcha.media is not None
        result["image_bytes"] = len(captcha.media.data)
        answer = Path(config["answers"]).read_text().splitlines()[-1]
        stored = await app.registration.submit(
            {
                "username": (config["user"],),
                "password": (config["password"],),
                captcha.var: (answer,),
            }
        )
        deadline = time.monotonic() + 20
        while app.accounts.status(stored.id).state is not ConnectionState.ONLINE:
            if time.monotonic() > deadline:
                raise TimeoutError(str(app.accounts.status(stored.id)))
            await asyncio.sleep(0.02)
        result.update(ok=True, jid=str(stored.jid), proxy=stored.proxy.label)
    except Exception as exc:
        result["error"] = repr(exc)
    finally:
        await app.stop()
    return result


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text())
    result = asyncio.run(scenario(config))
    Path(config["result"]).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
