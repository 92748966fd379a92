"""The client side of the leak test: a whole headless Siproxylin inside the namespace.

Run as ``python -m tests.integration.leak_client CONFIG.json``. The config names the
data folder, the account (JID, password, proxy address as seen from inside the
namespace) and the peer. The client logs in through the proxy, sends a message,
waits for the peer's answer, drops its link and reconnects, sends again, and writes
what happened to ``result`` (a JSON file) before exiting.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from siproxylin.app.bootstrap import build_application
from siproxylin.app.logs import LogSettings
from siproxylin.app.paths import resolve_paths
from siproxylin.domain.config import AccountConfig, LogLevel, ProxyConfig, ProxyKind, TlsPolicy
from siproxylin.domain.events import (
    AccountStateChanged,
    Event,
    MessageStored,
    SessionStarted,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ConnectionState, Direction, TransferState


async def scenario(config: dict[str, Any]) -> dict[str, Any]:
    app = build_application(
        resolve_paths(data_dir=Path(config["data_dir"])),
        LogSettings(LogLevel.DEBUG, protocol=True),
        backoff_base=0.2,
    )
    events: list[Event] = []
    app.bus.subscribe(Event, events.append)

    async def until(predicate: Any, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out; last events: {events[-5:]}")
            await asyncio.sleep(0.02)

    proxy = ProxyConfig(
        ProxyKind(config["proxy_kind"]),
        config["proxy_host"],
        int(config["proxy_port"]),
        config.get("proxy_user", ""),
        config.get("proxy_password", ""),
    )
    account = AccountConfig(
        id=AccountId(0),
        jid=Jid.parse(config["jid"]),
        resource="leaktest",
        server_host=config.get("server_host", ""),
        server_port=int(config.get("server_port", 0)),
        proxy=proxy,
        tls=TlsPolicy(ca_file=config["ca_file"]),
    )
    peer = Jid.parse(config["peer"])
    await app.start()
    stored = await app.accounts.add_account(account, config["password"])

    def online() -> bool:
        return app.accounts.status(stored.id).state is ConnectionState.ONLINE

    def received(body: str) -> bool:
        return any(
            isinstance(e, MessageStored)
            and e.message.body == body
            and e.message.direction is Direction.INCOMING
            for e in events
        )

    result: dict[str, Any] = {"ok": False}
    try:
        await until(online)
        app.chat.send_message(stored.id, peer, "first, through the proxy")
        await until(lambda: received("answer 1"))
        session = app.accounts.session(stored.id)
        assert session is not None
        assert session.xmpp is not None
        mark = len(events)
        session.xmpp.stream.transport.abort()  # type: ignore[attr-defined]
        await until(lambda: any(isinstance(e, SessionStarted) for e in events[mark:]))
        app.chat.send_message(stored.id, peer, "second, after reconnecting")
        await until(lambda: received("answer 2"))
        # A file up (XEP-0363 slot, PUT) and down (GET), through the same proxy.
        shared = Path(config["data_dir"]) / "shared.bin"
        shared.write_bytes(os.urandom(1024 * 1024))
        sent = app.files.send_file(stored.id, peer, shared)

        def uploaded() -> bool:
            transfer = app.files.transfer(sent.id)
            return transfer is not None and transfer.state is TransferState.DONE

        await until(uploaded, 60)
        message = app.chat.message(sent.id)
        assert message is not None
        fetched = Path(config["data_dir"]) / "fetched.bin"
        await session.xmpp.http().get(message.attachment, fetched, lambda _done: None)
        result = {
            "ok": True,
            "file_url": message.attachment,
            "file_same": fetched.read_bytes() == shared.read_bytes(),
            "states": [e.status.state.value for e in events if isinstance(e, AccountStateChanged)],
            "history": [m.body for m in app.chat.history(stored.id, peer)],
        }
    except Exception as exc:  # reported to the test, which fails with it
        result = {"ok": False, "error": repr(exc), "status": repr(app.accounts.status(stored.id))}
    finally:
        await app.stop()
    return result


def main() -> int:
    config = json.loads(Path(sys.argv[1]).read_text())
    result = asyncio.run(scenario(config))
    Path(config["result"]).write_text(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
