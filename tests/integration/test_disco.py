"""What other entities can ask our client: service discovery, capabilities, ping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
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


async def test_privacy_defaults_disclose_nothing(prosody: ProsodyServer, tmp_path: Path) -> None:
    from dataclasses import replace as _replace

    from slixmpp.exceptions import IqError

    from siproxylin.domain.config import PrivacyOptions

    (a_jid, a_pw), (p_jid, p_pw) = prosody.new_account(), prosody.new_account("peer")
    alice = await start_client(
        tmp_path / "a",
        a_jid,
        a_pw,
        "127.0.0.1",
        prosody.c2s_port,
        str(prosody.ca_file),
        resource="",
    )
    try:
        bound = alice.app.accounts.config(alice.account).resource
        assert re.fullmatch(r"[0-9a-f]{8}", bound), bound  # random, not a client name
        full = JID(f"{a_jid}/{bound}")
        async with online(
            prosody, p_jid, p_pw, plugins=("xep_0030", "xep_0092", "xep_0202")
        ) as peer:
            for ask in (
                peer.plugin["xep_0092"].get_version,
                peer.plugin["xep_0202"].get_entity_time,
            ):
                with pytest.raises(IqError) as refused:
                    await ask(full, timeout=10)
                assert refused.value.condition in {"service-unavailable", "feature-not-implemented"}
            info = await peer.plugin["xep_0030"].get_info(jid=full, timeout=10)
            features = set(info["disco_info"]["features"])
            assert not {"jabber:iq:version", "urn:xmpp:time", "urn:xmpp:idle:1"} & features
    finally:
        await alice.stop()
    # Opting in to the version answer gives the name and version, never the OS.
    opted = await start_client(
        tmp_path / "b",
        a_jid,
        a_pw,
        "127.0.0.1",
        prosody.c2s_port,
        str(prosody.ca_file),
        resource="opt",
        privacy=_replace(PrivacyOptions(), send_version=True),
    )
    try:
        async with online(prosody, p_jid, p_pw, plugins=("xep_0030", "xep_0092")) as peer:
            version = await peer.plugin["xep_0092"].get_version(JID(f"{a_jid}/opt"), timeout=10)
            assert version["software_version"]["name"] == "Siproxylin"
            assert not version["software_version"]["os"]
    finally:
        await opted.stop()
