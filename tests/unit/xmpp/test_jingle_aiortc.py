"""The SDP we write is what aiortc reads, and what aiortc writes we read (no network).

Runs where aiortc is installed (the media side brings it). Nothing gathers: only
``setRemoteDescription`` and ``createAnswer``/``createOffer`` are called, on a
relay-only configuration whose one TURN server is on loopback.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from siproxylin.domain.calls import NoRelayCandidate, Senders, Setup, fit_answer
from siproxylin.xmpp.jingle import contents, sdp
from siproxylin.xmpp.jingle import stanzas as st
from tests.unit.xmpp import jingle_samples as samples

aiortc = pytest.importorskip("aiortc")
aiortc_sdp = pytest.importorskip("aiortc.sdp")


def peer_connection() -> Any:
    config = aiortc.RTCConfiguration(
        iceServers=[
            aiortc.RTCIceServer(
                urls=["turn:127.0.0.1:9?transport=udp"], username="u", credential="p"
            )
        ],
        iceTransportPolicy=aiortc.RTCIceTransportPolicy.RELAY,
    )
    return aiortc.RTCPeerConnection(config)


@pytest.mark.parametrize(
    "xml", [samples.CONVERSATIONS_INITIATE, samples.DINO_INITIATE], ids=["conversations", "dino"]
)
async def test_aiortc_answers_a_peer_offer_we_converted(xml: str) -> None:
    request = st.parse_jingle_iq(ET.fromstring(xml))
    assert request.session is not None
    remote = sdp.write_sdp(request.session, writer_is_initiator=False, answer=False)
    pc = peer_connection()
    try:
        pc.addTransceiver("audio", direction="sendrecv")
        await pc.setRemoteDescription(aiortc.RTCSessionDescription(remote, "offer"))
        answer_sdp = (await pc.createAnswer()).sdp
    finally:
        await pc.close()
    answer = fit_answer(request.session, sdp.parse_sdp(answer_sdp, writer_is_initiator=False))
    (content,) = answer.contents
    assert content.name == request.session.contents[0].name
    assert content.senders is Senders.BOTH
    assert content.description.payload_types[0].name == "opus"
    assert content.transport.fingerprint is not None
    assert content.transport.fingerprint.setup is Setup.ACTIVE
    assert answer.bundle == request.session.bundle  # no BUNDLE group Dino never offered
    # nothing was gathered: the guard refuses to send an answer without a relay candidate
    with pytest.raises(NoRelayCandidate):
        sdp.check_outgoing_sdp(answer_sdp, writer_is_initiator=False)
    jingle = ET.Element("{urn:xmpp:jingle:1}jingle")
    contents.write_session(jingle, answer)
    assert contents.read_session(jingle) == answer


async def test_an_aiortc_offer_survives_jingle_and_back() -> None:
    pc = peer_connection()
    try:
        pc.addTransceiver("audio", direction="sendrecv")
        offer_sdp = (await pc.createOffer()).sdp
    finally:
        await pc.close()
    offer = sdp.parse_sdp(offer_sdp, writer_is_initiator=True)
    jingle = ET.Element("{urn:xmpp:jingle:1}jingle")
    contents.write_session(jingle, offer)
    again = contents.read_session(ET.fromstring(ET.tostring(jingle)))
    assert again == offer
    text = sdp.write_sdp(again, writer_is_initiator=True, answer=False)
    parsed = aiortc_sdp.SessionDescription.parse(text)
    original = aiortc_sdp.SessionDescription.parse(offer_sdp)
    (media,) = parsed.media
    (source,) = original.media
    assert [c.name for c in media.rtp.codecs] == [c.name for c in source.rtp.codecs]
    assert media.ice.usernameFragment == source.ice.usernameFragment
    assert media.dtls.role == "auto"
    assert media.rtcp_mux


def test_trickled_candidates_cross_aiortcs_candidate_reader_and_writer() -> None:
    """aiortc reads and writes the line without its ``candidate:`` prefix."""
    line = (
        "candidate:3 1 udp 16777215 203.0.113.1 60000 typ relay raddr 0.0.0.0 rport 9 generation 0"
    )
    ours = sdp.candidate_from_sdp(line)
    theirs = aiortc_sdp.candidate_from_sdp(sdp.candidate_to_sdp(ours).removeprefix("candidate:"))
    assert (theirs.foundation, theirs.ip, theirs.port, theirs.type) == (
        "3",
        "203.0.113.1",
        60000,
        "relay",
    )
    assert (theirs.relatedAddress, theirs.relatedPort) == ("0.0.0.0", 9)
    assert sdp.candidate_from_sdp(aiortc_sdp.candidate_to_sdp(theirs)) == ours
