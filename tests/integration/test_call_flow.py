"""Calls between two whole clients over a real Prosody (XEP-0215 via mod_turn_external)
and a real coturn: JMI + Jingle, relay-only media with tones both ways, hang-up,
history; the same through microsocks over TURN/TCP; every Jingle stanza we send is
relay-only; the process's sockets go only to the XMPP server, TURN or the proxy.
"""

from __future__ import annotations

import asyncio
import statistics
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from siproxylin.app.call_media import RelayMediaFactory
from siproxylin.core.calls_state import CallTimeouts
from siproxylin.core.turn_setting import PASSWORD_KEY, URI_KEY, USERNAME_KEY
from siproxylin.domain.call_info import CallState
from siproxylin.domain.config import ProxyConfig, ProxyKind
from siproxylin.domain.events import CallChanged, CallLogged
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.media.audio import AudioSink, AudioSource
from siproxylin.media.tone import RecordingSink, ToneSource, frequency
from siproxylin.xmpp.client import XmppClient
from tests.integration.harness import Client, start_client
from tests.support.certs import CertSet
from tests.support.coturn import CoturnServer
from tests.support.prosody import ProsodyServer
from tests.support.proxies import LOOPBACK, MicrosocksProxy
from tests.support.sockets import inet_sockets

pytestmark = pytest.mark.calls

JINGLE = "{urn:xmpp:jingle:1}jingle"


@pytest.fixture(scope="module")
def turn_prosody(certs: CertSet, coturn: CoturnServer) -> Iterator[ProsodyServer]:
    """A Prosody that hands out coturn credentials (XEP-0215, mod_turn_external)."""
    config = (
        f'turn_external_secret = "{coturn.secret}"\n'
        f'turn_external_host = "{LOOPBACK}"\n'
        f"turn_external_port = {coturn.port}\n"
        "turn_external_tcp = true\n"
    )
    server = ProsodyServer(certs, extra_modules=["turn_external"], extra_global_config=config)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@dataclass
class Party:
    client: Client
    source: ToneSource
    sinks: list[RecordingSink] = field(default_factory=list)
    sent_jingle: list[ET.Element] = field(default_factory=list)

    @property
    def calls(self) -> Any:
        return self.client.app.calls

    def states(self, call_id: str) -> list[CallState]:
        seen: list[CallState] = []
        for event in self.client.log.of(CallChanged):
            if event.call.call_id == call_id and (not seen or seen[-1] is not event.call.state):
                seen.append(event.call.state)
        return seen


async def party(
    server: ProsodyServer, root: Path, hz: float, ca_file: str, **overrides: Any
) -> Party:
    jid, password = server.new_account("call")
    source = ToneSource(hz)
    sinks: list[RecordingSink] = []

    def audio(_account: AccountId) -> tuple[AudioSource, AudioSink]:
        sink = RecordingSink()
        sinks.append(sink)
        return source, sink

    holder: dict[str, Client] = {}

    def network_of(account: AccountId) -> Any:
        session = holder["client"].app.accounts.xmpp(account)
        return session.network if isinstance(session, XmppClient) else None

    media = RelayMediaFactory(network_of, audio=audio, ca_file=ca_file, allocation_timeout=10.0)
    options = {
        "call_media": media,
        "call_timeouts": CallTimeouts(ring=20.0, connect=15.0),
        "ice_timeout": 15.0,
    }
    client = await start_client(
        root,
        jid,
        password,
        LOOPBACK,
        server.c2s_port,
        str(server.ca_file),
        app_options=options,
        **overrides,
    )
    holder["client"] = client
    result = Party(client, source, sinks)

    def capture(stanza: Any) -> Any:
        jingle = stanza.xml.find(JINGLE)
        if jingle is not None:
            result.sent_jingle.append(ET.fromstring(ET.tostring(jingle)))
        return stanza

    client.stream.add_filter("out", capture)
    return result


async def wait_for_tone(sink: RecordingSink, frames: int = 25) -> float:
    async with asyncio.timeout(10):
        while len(sink.loud_frames()) < frames:  # noqa: ASYNC110 - frames arrive meanwhile
            await asyncio.sleep(0.05)
    return statistics.median(frequency(f.pcm, f.sample_rate) for f in sink.loud_frames()[5:])


async def connect_call(alice: Party, bob: Party) -> str:
    """Alice calls Bob, Bob answers; returns the call id once both are active."""
    info = alice.calls.start_call(alice.client.account, bob.client.jid)
    ringing = await bob.client.log.wait(
        CallChanged, lambda e: e.call.state is CallState.RINGING and e.call.call_id == info.call_id
    )
    bob.calls.accept(ringing.call.call_id)
    for side in (alice, bob):
        await side.client.log.wait(
            CallChanged,
            lambda e: e.call.call_id == info.call_id and e.call.details is not None,
            timeout=25,
        )
    return str(info.call_id)


async def hang_up(alice: Party, bob: Party, call_id: str) -> None:
    alice.calls.hang_up(call_id)
    for side in (alice, bob):
        await side.client.log.wait(CallLogged, lambda e: e.record.call_id == call_id, timeout=10)


def assert_relay_only(jingles: list[ET.Element]) -> int:
    """Every candidate we sent is a relay with a hidden related address; returns the count."""
    count = 0
    for jingle in jingles:
        for candidate in jingle.iter("{urn:xmpp:jingle:transports:ice-udp:1}candidate"):
            count += 1
            assert candidate.get("type") == "relay", ET.tostring(candidate)
            assert candidate.get("rel-addr", "0.0.0.0") in ("0.0.0.0", "::"), ET.tostring(candidate)
    return count


async def test_call_between_two_accounts(turn_prosody: ProsodyServer, tmp_path: Path) -> None:
    alice = await party(turn_prosody, tmp_path / "a", 1000.0, "")
    bob = await party(turn_prosody, tmp_path / "b", 600.0, "")
    try:
        call_id = await connect_call(alice, bob)
        assert await wait_for_tone(alice.sinks[-1]) == pytest.approx(600.0, abs=30)
        assert await wait_for_tone(bob.sinks[-1]) == pytest.approx(1000.0, abs=30)
        info = alice.calls.call(call_id)
        assert info.details.turn_server.startswith("turn:127.0.0.1")
        assert info.details.turn_transport == "udp"
        assert info.details.local
        assert all(c.kind == "relay" for c in info.details.local)
        assert info.details.chosen_local.startswith("relay ")
        await hang_up(alice, bob, call_id)
        order = [
            CallState.PROPOSED,
            CallState.RINGING,
            CallState.PROCEEDING,
            CallState.INITIATING,
            CallState.CONNECTING,
            CallState.ACTIVE,
            CallState.ENDED,
        ]
        assert alice.states(call_id) == order
        assert bob.states(call_id) == order[1:]
        ended = bob.calls.call(call_id)
        assert ended.end_text == "The call ended."
        assert not ended.missed
        for side, other in ((alice, bob), (bob, alice)):
            (record,) = side.calls.history(side.client.account, other.client.jid)
            assert record.call_id == call_id
            assert record.duration > 0
            assert not record.missed
        assert assert_relay_only(alice.sent_jingle) > 0
        assert assert_relay_only(bob.sent_jingle) > 0
    finally:
        await alice.client.stop()
        await bob.client.stop()


async def test_sockets_only_to_server_and_turn(
    turn_prosody: ProsodyServer, coturn: CoturnServer, tmp_path: Path
) -> None:
    alice = await party(turn_prosody, tmp_path / "a", 1000.0, "")
    bob = await party(turn_prosody, tmp_path / "b", 600.0, "")
    before = {s.inode for s in inet_sockets()}
    try:
        call_id = await connect_call(alice, bob)
        await wait_for_tone(bob.sinks[-1])
        held = [s for s in inet_sockets() if s.inode not in before]
        assert held, "the call holds no socket"
        for s in held:
            assert s.remote == (LOOPBACK, coturn.port), held
        for s in inet_sockets():
            if s.remote[1] != 0:
                assert s.remote[1] in (coturn.port, turn_prosody.c2s_port) or s.remote[0] not in (
                    LOOPBACK,
                ), s
        await hang_up(alice, bob, call_id)
    finally:
        await alice.client.stop()
        await bob.client.stop()


async def test_call_through_socks_over_turn_tcp(
    turn_prosody: ProsodyServer,
    coturn: CoturnServer,
    socks_proxy: MicrosocksProxy,
    tmp_path: Path,
) -> None:
    proxy = ProxyConfig(
        ProxyKind.SOCKS5,
        LOOPBACK,
        socks_proxy.port,
        socks_proxy.user or "",
        socks_proxy.password or "",
    )
    alice = await party(turn_prosody, tmp_path / "a", 1000.0, "", proxy=proxy)
    bob = await party(turn_prosody, tmp_path / "b", 600.0, "", proxy=proxy)
    for side in (alice, bob):
        username, password = coturn.credentials(f"user{side.client.account}")
        prefs = side.client.app.preferences
        prefs.set(URI_KEY, f"turn:{LOOPBACK}:{coturn.port}?transport=tcp", side.client.account)
        prefs.set(USERNAME_KEY, username, side.client.account)
        prefs.set(PASSWORD_KEY, password, side.client.account)
    before = {s.inode for s in inet_sockets()}
    try:
        call_id = await connect_call(alice, bob)
        assert await wait_for_tone(alice.sinks[-1]) == pytest.approx(600.0, abs=30)
        assert await wait_for_tone(bob.sinks[-1]) == pytest.approx(1000.0, abs=30)
        held = [s for s in inet_sockets() if s.inode not in before]
        assert held
        for s in held:
            assert s.proto.startswith("tcp"), held
            assert s.remote == (LOOPBACK, socks_proxy.port), held
        info = alice.calls.call(call_id)
        assert info.details.turn_transport == "tcp through the proxy"
        assert_relay_only(alice.sent_jingle)
        assert_relay_only(bob.sent_jingle)
        await hang_up(alice, bob, call_id)
    finally:
        await alice.client.stop()
        await bob.client.stop()


async def test_call_to_an_offline_contact_ends_with_a_reason(
    turn_prosody: ProsodyServer, tmp_path: Path
) -> None:
    alice = await party(turn_prosody, tmp_path / "a", 1000.0, "")
    offline, _password = turn_prosody.new_account("away")
    try:
        assert alice.calls is not None
        alice.calls._timeouts = CallTimeouts(ring=1.0, connect=5.0)
        info = alice.calls.start_call(alice.client.account, Jid.parse(offline))
        logged = await alice.client.log.wait(
            CallLogged, lambda e: e.record.call_id == info.call_id, timeout=10
        )
        assert logged.record.end_text == "Nobody answered."
        assert alice.calls.active_calls() == []
    finally:
        await alice.client.stop()


async def test_turn_refusing_our_credentials(
    turn_prosody: ProsodyServer, coturn: CoturnServer, tmp_path: Path
) -> None:
    alice = await party(turn_prosody, tmp_path / "a", 1000.0, "")
    bob = await party(turn_prosody, tmp_path / "b", 600.0, "")
    prefs = alice.client.app.preferences
    username, _secret = coturn.credentials("alice")
    prefs.set(URI_KEY, f"turn:{LOOPBACK}:{coturn.port}", alice.client.account)
    prefs.set(USERNAME_KEY, username, alice.client.account)
    prefs.set(PASSWORD_KEY, "wrong-password", alice.client.account)
    try:
        info = alice.calls.start_call(alice.client.account, bob.client.jid)
        ringing = await bob.client.log.wait(
            CallChanged, lambda e: e.call.state is CallState.RINGING
        )
        bob.calls.accept(ringing.call.call_id)
        logged = await alice.client.log.wait(
            CallLogged, lambda e: e.record.call_id == info.call_id, timeout=20
        )
        assert logged.record.end_text == "The TURN server refused our credentials."
        await bob.client.log.wait(CallLogged, lambda e: e.record.call_id == info.call_id)
        assert bob.calls.active_calls() == []
    finally:
        await alice.client.stop()
        await bob.client.stop()


@pytest.mark.gui
def test_a_call_placed_from_the_window(
    turn_prosody: ProsodyServer, tmp_path: Path, qtbot: Any, qapp: Any
) -> None:
    """alice presses the call button in her chat with bob; bob answers; her call window
    shows the running call and says only relays were used; she hangs up there."""
    import qasync

    from siproxylin.gui.call_labels import RELAYS_ONLY
    from siproxylin.gui.services import GuiServices
    from siproxylin.gui.window import create_main_window

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)

    async def scenario() -> None:
        alice = await party(turn_prosody, tmp_path / "a", 1000.0, "")
        bob = await party(turn_prosody, tmp_path / "b", 600.0, "")
        app = alice.client.app
        window = create_main_window(
            GuiServices(
                app.bus,
                app.accounts,
                app.chat,
                app.roster,
                app.decisions,
                app.search,
                calls=app.calls,
                preferences=app.preferences,
            )
        )
        qtbot.addWidget(window)
        window.show()
        try:
            account = alice.client.account
            app.roster.add_contact(account, bob.client.jid, "Bob")
            model = window.contacts.model
            async with asyncio.timeout(10):
                while not model.contact_index(account, bob.client.jid).isValid():  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
            window.open_chat(account, bob.client.jid)
            ui = window.calls
            assert ui is not None
            async with asyncio.timeout(10):
                while not ui.button.button.isEnabled():  # noqa: ASYNC110 - presence arrives
                    await asyncio.sleep(0.05)
            ui.button.button.click()
            ringing = await bob.client.log.wait(
                CallChanged, lambda e: e.call.state is CallState.RINGING, timeout=15
            )
            bob.calls.accept(ringing.call.call_id)
            call_id = ringing.call.call_id

            def running() -> bool:  # the window shows a running duration ("0:01")
                shown = ui.windows.windows.get(call_id)
                return shown is not None and ":" in shown.state_label.text()

            async with asyncio.timeout(25):
                while not running():  # noqa: ASYNC110 - Qt state, no event to wait on
                    await asyncio.sleep(0.05)
            call_window = ui.windows.windows[call_id]
            assert await wait_for_tone(bob.sinks[-1]) == pytest.approx(1000.0, abs=30)
            call_window.details_button.setChecked(True)
            async with asyncio.timeout(10):
                while call_window.details.verdict_label.text() != RELAYS_ONLY:  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
            call_window.hang_up_button.click()
            await bob.client.log.wait(CallLogged, lambda e: e.record.call_id == call_id, 10)
            assert app.calls.call(call_id).state is CallState.ENDED
        finally:
            await alice.client.stop()
            await bob.client.stop()

    try:
        loop.run_until_complete(asyncio.wait_for(scenario(), 90))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
