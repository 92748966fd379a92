"""What other entities can ask our client: service discovery, capabilities, ping."""

from __future__ import annotations

import re
from pathlib import Path

from slixmpp import JID

from siproxylin.xmpp.client import CAPS_NODE
from tests.integration.harness import start_client
from tests.support.prosody import ProsodyServer
from tests.support.xmpp import online


async def test_disco_caps_and_ping_are_answered(prosody: ProsodyServer, tmp_path: Path) -> None:
    (a_jid, a_pw), (p_jid, p_pw) = prosody.new_account(), prosody.new_account("peer")
    alice = await start_client(
        tmp_path, a_jid, a_pw, "127.0.0.1", prosody.c2s_port, str(prosody.ca_file), resource="desk"
    )
    try:
        async with online(prosody, p_jid, p_pw) as peer:
            full = JID(f"{a_jid}/desk")
            info = await peer.plugin["xep_0030"].get_info(jid=full, timeout=10)
            features = set(info["disco_info"]["features"])
            assert {
                "urn:xmpp:carbons:2",
                "urn:xmpp:sid:0",
                "urn:xmpp:ping",
                "http://jabber.org/protocol/caps",
            } <= features
            identities = info["disco_info"]["identities"]
            assert any(category == "client" for category, *_ in identities)
            rtt = await peer.plugin["xep_0199"].ping(full, timeout=10)
            assert rtt is not None
            # Our presence carries XEP-0115 capabilities; the hash resolves to the same features.
            sent = (tmp_path / "logs" / "xmpp-protocol.log").read_text()
            ours = [
                line
                for line in sent.splitlines()
                if "SEND: <presence" in line and CAPS_NODE in line
            ]
            assert ours, "no caps element in our presence"
            match = re.search(r'ver="([^"]+)"', ours[-1])
            assert match
            ver, node = match.group(1), CAPS_NODE
            by_node = await peer.plugin["xep_0030"].get_info(
                jid=full, node=f"{node}#{ver}", timeout=10
            )
            assert set(by_node["disco_info"]["features"]) == features
    finally:
        await alice.stop()
