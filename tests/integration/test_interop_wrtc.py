"""Audio calls with an independent WebRTC stack: libwebrtc (npm ``@roamhq/wrtc``, M128,
the engine inside Conversations) against our relay-only ``RelayPeer``, through a real
coturn, with every description and candidate passed through our Jingle <-> SDP
conversion as a real call would carry it:

    SDP -> SessionDescription -> Jingle IQ (XML text on the wire)
        -> parsed IQ -> SessionDescription -> SDP

Both sides are relay-only: libwebrtc with ``iceTransportPolicy: relay`` and the same
TURN server on loopback, we with aiortc/aioice. libwebrtc sends a 440 Hz tone, we send
1 kHz; each side measures what it hears. libwebrtc runs in a node subprocess
(``tests/support/wrtc_peer.py``), installed by ``make test``.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from siproxylin.core.call_checks import check_remote
from siproxylin.core.relay_only import HIDDEN_ADDR, HIDDEN_PORT
from siproxylin.domain.call_media import TurnScheme, TurnServer, TurnTransport
from siproxylin.domain.call_signals import JingleAction, JingleRequest
from siproxylin.domain.calls import (
    CandidateType,
    Content,
    IceTransport,
    SessionDescription,
    fit_answer,
)
from siproxylin.domain.ids import Jid
from siproxylin.media.peer import RelayPeer
from siproxylin.media.tone import RecordingSink, ToneSource, frequency
from siproxylin.net.turn import TurnRoute
from siproxylin.xmpp.jingle.contents import ICE_UDP, JINGLE, q, write_session, write_transport
from siproxylin.xmpp.jingle.sdp import (
    candidate_from_sdp,
    candidate_to_sdp,
    check_outgoing_sdp,
    parse_sdp,
    write_sdp,
)
from siproxylin.xmpp.jingle.stanzas import (
    iq_set,
    parse_jingle_iq,
    session_accept,
    session_initiate,
)
from tests.support.coturn import CoturnServer
from tests.support.proxies import LOOPBACK
from tests.support.sockets import inet_sockets
from tests.support.wrtc_peer import WrtcPeer, unavailable_reason

pytestmark = [pytest.mark.calls, pytest.mark.interop]

WRTC_HZ = 440.0  # what libwebrtc sends
OUR_HZ = 1000.0  # what we send
US = Jid.parse("juliet@siproxylin.test/desktop")
THEM = Jid.parse("romeo@siproxylin.test/conversations")
SID = "interop-wrtc-1"
CONNECT_TIMEOUT = 15.0
LISTEN_SECONDS = 2.0
TRANSPORTS = [TurnTransport.UDP, TurnTransport.TCP]


@pytest.fixture(autouse=True)
def _needs_libwebrtc() -> None:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"libwebrtc peer unavailable: {reason}")


# ---- the wire: Jingle IQs as XML text -------------------------------------------------------


def over_the_wire(sender: Jid, to: Jid, jingle: ET.Element) -> JingleRequest:
    """Serialize a Jingle payload in an IQ to text, parse it back as the receiver would."""
    iq = iq_set(to, f"iq-{time.monotonic_ns()}", jingle)
    iq.set("from", str(sender))
    text = ET.tostring(iq, encoding="unicode")
    return parse_jingle_iq(ET.fromstring(text))


def their_jingle(action: JingleAction, session: SessionDescription, **attrs: str) -> ET.Element:
    """The Jingle element libwebrtc's client (Conversations) would send.

    Not built with our ``session_initiate``/``session_accept``: those apply our relay-only
    guard, which is for our candidates only (libwebrtc writes ``raddr 0.0.0.0 rport 0``).
    """
    jingle = ET.Element(
        q(JINGLE, "jingle"),
        {"action": action.value, "sid": SID, "initiator": str(attrs.pop("initiator")), **attrs},
    )
    write_session(jingle, session)
    return jingle


def their_transport_info(initiator: Jid, content: Content, line: str) -> ET.Element:
    """A transport-info with one trickled candidate (Conversations sends one per IQ)."""
    jingle = ET.Element(
        q(JINGLE, "jingle"),
        {"action": JingleAction.TRANSPORT_INFO.value, "sid": SID, "initiator": str(initiator)},
    )
    element = ET.SubElement(
        jingle, q(JINGLE, "content"), {"creator": content.creator, "name": content.name}
    )
    transport = IceTransport(content.transport.ufrag, content.transport.pwd)
    write_transport(element, replace(transport, candidates=(candidate_from_sdp(line),)))
    return jingle


@dataclass
class Call:
    """What one test call went through, for the assertions."""

    relay: RelayPeer
    source: ToneSource
    sink: RecordingSink
    wrtc: WrtcPeer
    our_sdp: str = ""
    our_jingle: list[str] = field(default_factory=list)  # every Jingle payload we sent, as XML
    their_candidates_in: int = 0
    connected_after: float = 0.0


@pytest.fixture
async def calls() -> AsyncIterator[list[Call]]:
    made: list[Call] = []
    yield made
    for call in made:
        await call.relay.close()
        await call.wrtc.close()


async def make_call(
    coturn: CoturnServer, transport: TurnTransport, made: list[Call], *, trickle: bool = True
) -> Call:
    user, password = coturn.credentials("juliet")
    server = TurnServer(TurnScheme.TURN, LOOPBACK, coturn.port, transport, user, password)
    source, sink = ToneSource(OUR_HZ), RecordingSink()
    relay = RelayPeer(server, TurnRoute(), source, sink, ice_timeout=CONNECT_TIMEOUT)
    their_user, their_password = coturn.credentials("romeo")
    uri = f"turn:{LOOPBACK}:{coturn.port}?transport={transport.value}"
    wrtc = WrtcPeer(uri, their_user, their_password, tone=WRTC_HZ, trickle=trickle)
    call = Call(relay, source, sink, wrtc)
    made.append(call)
    await wrtc.start()
    return call


async def forward_their_candidates(call: Call, initiator: Jid, content: Content) -> None:
    """Every candidate libwebrtc trickles: transport-info XML -> SDP -> aiortc."""
    async with asyncio.timeout(CONNECT_TIMEOUT):
        await call.wrtc.gathered.wait()
    for line, _mid in call.wrtc.candidates:
        request = over_the_wire(THEM, US, their_transport_info(initiator, content, line))
        assert request.action is JingleAction.TRANSPORT_INFO
        for update in request.transports:
            for candidate in update.transport.candidates:
                await call.relay.add_remote_candidate(
                    candidate_to_sdp(candidate), update.content_name
                )
                call.their_candidates_in += 1


async def wait_connected(call: Call, started: float) -> None:
    async with asyncio.timeout(CONNECT_TIMEOUT):
        await asyncio.gather(call.relay.wait_connected(), call.wrtc.wait_state("connected"))
    call.connected_after = time.monotonic() - started


# ---- the two roles -----------------------------------------------------------------------------


async def libwebrtc_calls_us(call: Call) -> None:
    """libwebrtc offers (session-initiate), we answer (session-accept)."""
    started = time.monotonic()
    their_offer = parse_sdp(await call.wrtc.create_offer(), writer_is_initiator=True)
    initiate = over_the_wire(
        THEM, US, their_jingle(JingleAction.SESSION_INITIATE, their_offer, initiator=str(THEM))
    )
    assert initiate.action is JingleAction.SESSION_INITIATE
    assert initiate.session is not None
    offer = initiate.session
    check_remote(offer)

    call.our_sdp = await call.relay.accept_offer(
        write_sdp(offer, writer_is_initiator=False, answer=False)
    )
    answer = fit_answer(offer, check_outgoing_sdp(call.our_sdp, writer_is_initiator=False))
    accept_xml = session_accept(SID, THEM, US, answer)  # applies the relay-only guard
    call.our_jingle.append(ET.tostring(accept_xml, encoding="unicode"))
    accept = over_the_wire(US, THEM, accept_xml)
    assert accept.session is not None
    await call.wrtc.set_answer(write_sdp(accept.session, writer_is_initiator=False, answer=True))
    await forward_their_candidates(call, THEM, offer.contents[0])
    await wait_connected(call, started)


async def we_call_libwebrtc(call: Call) -> None:
    """We offer (session-initiate), libwebrtc answers (session-accept)."""
    started = time.monotonic()
    call.our_sdp = await call.relay.create_offer()
    offer = check_outgoing_sdp(call.our_sdp, writer_is_initiator=True)
    initiate_xml = session_initiate(SID, US, offer)  # applies the relay-only guard
    call.our_jingle.append(ET.tostring(initiate_xml, encoding="unicode"))
    initiate = over_the_wire(US, THEM, initiate_xml)
    assert initiate.session is not None

    their_sdp = await call.wrtc.accept_offer(
        write_sdp(initiate.session, writer_is_initiator=True, answer=False)
    )
    their_answer = parse_sdp(their_sdp, writer_is_initiator=False)
    accept = over_the_wire(
        THEM,
        US,
        their_jingle(
            JingleAction.SESSION_ACCEPT, their_answer, initiator=str(US), responder=str(THEM)
        ),
    )
    assert accept.action is JingleAction.SESSION_ACCEPT
    assert accept.session is not None
    check_remote(accept.session)
    await call.relay.set_answer(write_sdp(accept.session, writer_is_initiator=False, answer=True))
    await forward_their_candidates(call, US, accept.session.contents[0])
    await wait_connected(call, started)


# ---- what both sides heard ---------------------------------------------------------------------


async def listen(call: Call) -> dict[str, Any]:
    """Let audio flow, then return libwebrtc's statistics."""
    async with asyncio.timeout(10):
        while len(call.sink.loud_frames()) < 25:  # noqa: ASYNC110 - frames arrive meanwhile
            await asyncio.sleep(0.05)
    await asyncio.sleep(LISTEN_SECONDS)
    return await call.wrtc.stats()


def heard(sink: RecordingSink) -> float:
    return statistics.median(frequency(f.pcm, f.sample_rate) for f in sink.loud_frames()[5:])


def assert_audio_both_ways(call: Call, stats: dict[str, Any]) -> None:
    assert stats["connectionState"] == "connected", stats
    # we hear libwebrtc's 440 Hz
    assert len(call.sink.loud_frames()) >= 25
    assert heard(call.sink) == pytest.approx(WRTC_HZ, abs=10)
    # libwebrtc hears our 1 kHz: 10 ms frames, at least a second's worth, nearly all loud
    received = stats["received"]
    assert received["loud"] >= 100, stats
    assert received["loud"] >= 0.8 * received["frames"], stats
    assert received["hz"] == pytest.approx(OUR_HZ, abs=10), stats
    assert stats["packetsReceived"] > 50, stats


def assert_relay_only(call: Call, stats: dict[str, Any], transport: TurnTransport) -> None:
    # every candidate we sent (SDP and each Jingle payload) is a relay with a hidden address
    ours = [
        candidate_from_sdp(line)
        for line in call.our_sdp.splitlines()
        if line.startswith("a=candidate:")
    ]
    assert ours
    for candidate in ours:
        assert candidate.type is CandidateType.RELAY
        assert (candidate.rel_addr, candidate.rel_port) == (HIDDEN_ADDR, HIDDEN_PORT)
    for xml in call.our_jingle:
        sent = ET.fromstring(xml).iter(q(ICE_UDP, "candidate"))
        kinds = [(c.get("type"), c.get("rel-addr"), c.get("rel-port")) for c in sent]
        assert kinds
        assert set(kinds) == {("relay", HIDDEN_ADDR, str(HIDDEN_PORT))}, xml
    # libwebrtc only gathered and used its relay candidate too
    assert set(stats["localCandidateTypes"]) == {"relay"}, stats
    assert all(" typ relay " in line for line in stats["localCandidates"]), stats
    assert stats["selected"]["local"].startswith(f"relay udp {LOOPBACK}:"), stats
    assert stats["selected"]["local"].endswith(f"via {transport.value}"), stats
    assert stats["selected"]["remote"].startswith(f"relay {LOOPBACK}:"), stats
    assert call.their_candidates_in >= 1 or not call.wrtc.candidates


def assert_node_sockets(call: Call, coturn: CoturnServer, transport: TurnTransport) -> None:
    """libwebrtc's process: every connection it holds goes to the TURN server.

    libwebrtc still binds its host ports (UDP per interface, a passive ICE-TCP
    listener) under the relay policy; it just never signals or checks from them, so
    only connected sockets can be judged here.
    """
    assert call.wrtc.pid is not None
    held = inet_sockets(call.wrtc.pid)
    connected = [s for s in held if s.connected]
    assert all(s.remote == (LOOPBACK, coturn.port) for s in connected), held
    if transport is TurnTransport.TCP:
        assert any(s.proto == "tcp" and s.state == "ESTABLISHED" for s in connected), held


def report(call: Call, stats: dict[str, Any]) -> str:
    received = stats["received"]
    return (
        f"connected after {call.connected_after:.3f} s; we heard "
        f"{len(call.sink.frames)} frames ({len(call.sink.loud_frames())} loud) at "
        f"{heard(call.sink):.1f} Hz; libwebrtc heard {received['frames']} x 10 ms frames "
        f"({received['loud']} loud) at {received['hz']:.1f} Hz, codec {stats['codec']}, "
        f"pair {stats['selected']} (node {call.wrtc.ready.get('node')})"
    )


# ---- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS, ids=lambda t: f"turn-{t.value}")
async def test_libwebrtc_calls_us(
    coturn: CoturnServer, calls: list[Call], transport: TurnTransport
) -> None:
    call = await make_call(coturn, transport, calls)
    await libwebrtc_calls_us(call)
    stats = await listen(call)
    print(f"libwebrtc -> us over TURN/{transport.value}: {report(call, stats)}")
    assert_audio_both_ways(call, stats)
    assert_relay_only(call, stats, transport)
    assert_node_sockets(call, coturn, transport)


@pytest.mark.parametrize("transport", TRANSPORTS, ids=lambda t: f"turn-{t.value}")
async def test_we_call_libwebrtc(
    coturn: CoturnServer, calls: list[Call], transport: TurnTransport
) -> None:
    call = await make_call(coturn, transport, calls)
    await we_call_libwebrtc(call)
    stats = await listen(call)
    print(f"us -> libwebrtc over TURN/{transport.value}: {report(call, stats)}")
    assert_audio_both_ways(call, stats)
    assert_relay_only(call, stats, transport)
    assert_node_sockets(call, coturn, transport)


async def test_libwebrtc_candidates_in_the_session_initiate(
    coturn: CoturnServer, calls: list[Call]
) -> None:
    """Without trickle: libwebrtc's candidates arrive inside the session-initiate itself."""
    call = await make_call(coturn, TurnTransport.UDP, calls, trickle=False)
    await libwebrtc_calls_us(call)
    assert call.wrtc.candidates == []
    assert call.their_candidates_in == 0
    stats = await listen(call)
    assert_audio_both_ways(call, stats)
    assert_relay_only(call, stats, TurnTransport.UDP)
