"""The promise, measured: a proxied account sends nothing outside its proxy.

The whole client (store, core, XMPP adapter, logging) runs in a network namespace
that holds only loopback; its one way out is a bridge to the real proxy. A DNS
canary answers every lookup made there, and tcpdump captures every packet. The
client logs in, chats with a peer, loses its link and reconnects, and chats again.
Then: zero DNS queries, zero packets but TCP to the proxy, zero UDP. The negative
controls in the same namespace prove the harness would have seen a leak.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.prosody import ProsodyServer
from tests.support.xmpp import online

pytestmark = pytest.mark.leak


@pytest.mark.parametrize("which", ["socks_proxy", "http_proxy"])
async def test_proxied_client_leaks_nothing(
    which: str,
    prosody: ProsodyServer,
    tmp_path: Path,
    leak_harness: Any,
    request: pytest.FixtureRequest,
) -> None:
    proxy = request.getfixturevalue(which)
    harness = leak_harness(proxy)
    (a_jid, a_pw), (p_jid, p_pw) = prosody.new_account("leak"), prosody.new_account("peer")
    host, port = harness.proxy_address
    config = {
        "data_dir": str(tmp_path / "client"),
        "jid": a_jid,
        "password": a_pw,
        "peer": p_jid,
        "server_host": prosody.domain,  # resolved by the proxy, never here
        "server_port": prosody.c2s_port,
        "ca_file": str(prosody.ca_file),
        "proxy_kind": "http" if which == "http_proxy" else "socks5",
        "proxy_host": host,
        "proxy_port": port,
        "result": str(tmp_path / "result.json"),
    }
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}

    async with online(prosody, p_jid, p_pw) as peer:
        answers = {"first, through the proxy": "answer 1", "second, after reconnecting": "answer 2"}
        peer.add_event_handler(
            "message",
            lambda m: peer.send_message(
                mto=a_jid, mbody=answers.get(str(m["body"]), "?"), mtype="chat"
            ),
        )
        start = harness.mark()
        client = harness.popen(
            [sys.executable, "-m", "tests.integration.leak_client", str(config_path)], env=env
        )
        try:
            async with asyncio.timeout(120):
                while client.poll() is None:  # noqa: ASYNC110 - the peer answers meanwhile
                    await asyncio.sleep(0.05)
        except TimeoutError:
            client.kill()
            raise
        output = client.communicate(timeout=5)
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["ok"], (result, output[1][-3000:])
    assert result["history"][:4] == [
        "first, through the proxy",
        "answer 1",
        "second, after reconnecting",
        "answer 2",
    ]
    # A file went up and came back down through the proxy (HTTPS to the upload host).
    assert result["file_url"].startswith(f"https://{prosody.upload_domain}:")
    assert result["file_same"]
    assert "reconnecting" in result["states"]  # the link really dropped and came back

    assert harness.dns_queries(since=start) == []
    packets = harness.packets(since=start)
    assert packets, "the capture saw nothing: the harness is broken"
    assert not [p for p in packets if p.proto != "tcp"]  # no UDP at all
    harness.assert_no_leaks(since=start)  # every packet is to or from the proxy

    # Negative controls, same namespace, same run: a leak would have been seen.
    controls = harness.verify_controls([prosody.c2s_port])
    assert controls.lookup == "gaierror"


def test_a_leaky_client_is_caught(leak_harness: Any, socks_proxy: Any) -> None:
    harness = leak_harness(socks_proxy)
    start = harness.mark()
    done = harness.run_python(
        "import socket\n"
        "try:\n    socket.getaddrinfo('siproxylin.test', 5222)\nexcept OSError:\n    pass\n",
        timeout=20,
    )
    assert done.returncode == 0
    assert [q.name.rstrip(".") for q in harness.dns_queries(since=start)][:1] == ["siproxylin.test"]
    with pytest.raises(AssertionError, match="leaks"):
        harness.assert_no_leaks(since=start)
