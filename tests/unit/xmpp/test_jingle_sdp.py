"""Jingle <-> SDP: contents read from XML literals, written as SDP and read back."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from siproxylin.domain.calls import (
    Candidate,
    CandidateType,
    Fingerprint,
    IceTransport,
    InsecureCall,
    MalformedSignalling,
    NoRelayCandidate,
    RelayPolicyViolation,
    RtcpFeedback,
    Senders,
    SessionDescription,
    Setup,
    fit_answer,
    is_ice_restart,
    with_transport,
)
from siproxylin.xmpp.jingle import contents, sdp
from tests.unit.xmpp import jingle_samples as samples

JINGLE = "{urn:xmpp:jingle:1}jingle"


DINO_FINGERPRINT = (
    "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256'\n"
    f"                     setup='actpass'>{samples.FP256}</fingerprint>"
)


def jingle_of(xml: str) -> ET.Element:
    element = ET.fromstring(xml).find(JINGLE)
    assert element is not None
    return element


def conversations() -> SessionDescription:
    return contents.read_session(jingle_of(samples.CONVERSATIONS_INITIATE))


def dino() -> SessionDescription:
    return contents.read_session(jingle_of(samples.DINO_INITIATE))


def xml_round_trip(session: SessionDescription) -> SessionDescription:
    jingle = ET.Element(JINGLE)
    contents.write_session(jingle, session)
    return contents.read_session(ET.fromstring(ET.tostring(jingle)))


def lines(text: str) -> list[str]:
    return text.splitlines()


# --- reading Jingle


def test_conversations_offer_is_read_completely() -> None:
    session = conversations()
    assert session.bundle == ("0",)
    (content,) = session.contents
    assert (content.name, content.creator, content.senders) == ("0", "initiator", Senders.BOTH)
    desc = content.description
    assert desc.media == "audio"
    assert [pt.id for pt in desc.payload_types] == [111, 63, 9, 0, 8, 13, 110, 126]
    opus = desc.payload_types[0]
    assert (opus.name, opus.clockrate, opus.channels) == ("opus", 48000, 2)
    assert opus.parameters == (("minptime", "10"), ("useinbandfec", "1"))
    assert opus.feedback == (RtcpFeedback("transport-cc"),)
    assert desc.payload_types[1].parameters == (("", "111/111"),)
    assert desc.feedback == (RtcpFeedback("nack", "pli"),)
    assert [e.id for e in desc.header_extensions] == [1, 2, 3, 4]
    assert desc.extmap_allow_mixed
    assert desc.rtcp_mux
    assert desc.sources[0].ssrc == 2245128384
    assert ("msid", "my-media-stream my-audio-track") in desc.sources[0].parameters


def test_conversations_transport_drops_tcp_and_keeps_the_rest() -> None:
    transport = conversations().contents[0].transport
    assert (transport.ufrag, transport.pwd) == ("Qj9L", "X4y5u2kpfAvm1fsDklrhVUMf")
    assert transport.fingerprint == Fingerprint("sha-256", samples.FP256, Setup.ACTPASS)
    assert [c.id for c in transport.candidates] == ["a1", "a2", "a3", "a4", "a6"]
    srflx = transport.candidates[2]
    assert (srflx.type, srflx.rel_addr, srflx.rel_port) == (
        CandidateType.SRFLX,
        "192.168.1.23",
        46015,
    )
    assert transport.candidates[1].network == 2


def test_dino_offer_has_no_bundle_and_numeric_foundations() -> None:
    session = dino()
    assert session.bundle == ()
    (content,) = session.contents
    assert content.name == "audio"
    assert [c.foundation for c in content.transport.candidates] == ["1", "2", "3"]
    assert content.description.sources[0].parameters == ()
    assert [pt.clockrate for pt in content.description.payload_types if pt.name == "speex"] == [
        32000,
        16000,
        8000,
    ]


def test_opus_without_channels_counts_as_stereo() -> None:
    xml = samples.DINO_INITIATE.replace(
        "name='opus' clockrate='48000' channels='2'", "name='opus' clockrate='48000'"
    )
    assert dino().contents[0].description.payload_types[0].channels == 2
    session = contents.read_session(jingle_of(xml))
    assert session.contents[0].description.payload_types[0].channels == 2


# --- Jingle -> SDP


def test_conversations_offer_as_sdp() -> None:
    text = sdp.write_sdp(conversations(), writer_is_initiator=True, answer=False)
    got = lines(text)
    assert got[:4] == ["v=0", "o=- 1 2 IN IP4 0.0.0.0", "s=-", "t=0 0"]
    for line in (
        "a=group:BUNDLE 0",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
        "c=IN IP4 0.0.0.0",
        "a=mid:0",
        "a=ice-ufrag:Qj9L",
        "a=ice-pwd:X4y5u2kpfAvm1fsDklrhVUMf",
        "a=ice-options:trickle",
        f"a=fingerprint:sha-256 {samples.FP256}",
        "a=setup:actpass",
        "a=sendrecv",
        "a=rtcp-mux",
        "a=rtpmap:111 opus/48000/2",
        "a=fmtp:111 minptime=10;useinbandfec=1",
        "a=rtcp-fb:111 transport-cc",
        "a=rtcp-fb:* nack pli",
        "a=rtpmap:63 red/48000/2",
        "a=fmtp:63 111/111",
        "a=rtpmap:0 PCMU/8000",
        "a=fmtp:110 0-15",
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
        "a=extmap-allow-mixed",
        "a=ssrc:2245128384 cname:4p1nEqUGqRuQm5R4",
        "a=ssrc:2245128384 msid:my-media-stream my-audio-track",
        "a=candidate:842163049 1 udp 1686052607 198.51.100.7 46015 typ srflx"
        " raddr 192.168.1.23 rport 46015 generation 0",
        "a=candidate:2999745851 1 udp 2122197247 2001:db8::5 51543 typ host generation 0",
    ):
        assert line in got, line
    assert not any(" tcp " in line for line in got)
    assert text.endswith("\r\n")


@pytest.mark.parametrize("session", [conversations(), dino()], ids=["conversations", "dino"])
def test_jingle_to_sdp_and_back_is_equal(session: SessionDescription) -> None:
    text = sdp.write_sdp(session, writer_is_initiator=True, answer=False)
    assert sdp.parse_sdp(text, writer_is_initiator=True) == without_bare_sources(session)


def without_bare_sources(session: SessionDescription) -> SessionDescription:
    """SDP has no line for a source without attributes (Dino's); it is left out."""
    return replace(
        session,
        contents=tuple(
            replace(
                c,
                description=replace(
                    c.description,
                    sources=tuple(s for s in c.description.sources if s.parameters),
                ),
            )
            for c in session.contents
        ),
    )


@pytest.mark.parametrize("session", [conversations(), dino()], ids=["conversations", "dino"])
def test_jingle_xml_round_trip_is_equal(session: SessionDescription) -> None:
    assert xml_round_trip(session) == session


def test_candidate_ids_survive_xml_but_not_sdp() -> None:
    session = conversations()
    again = xml_round_trip(session)
    assert [c.id for c in again.contents[0].transport.candidates][:2] == ["a1", "a2"]
    from_sdp = sdp.parse_sdp(
        sdp.write_sdp(session, writer_is_initiator=True, answer=False), writer_is_initiator=True
    )
    written = ET.Element(JINGLE)
    contents.write_session(written, from_sdp)
    ids = [c.get("id") for c in written.iter("{urn:xmpp:jingle:transports:ice-udp:1}candidate")]
    assert all(ids)
    assert len(set(ids)) == len(ids)


# --- SDP -> Jingle


def test_aiortc_offer_is_read() -> None:
    session = sdp.parse_sdp(samples.AIORTC_OFFER, writer_is_initiator=True)
    assert session.bundle == ("0",)
    (content,) = session.contents
    assert content.name == "0"
    assert [(pt.id, pt.name, pt.channels) for pt in content.description.payload_types] == [
        (96, "opus", 2),
        (9, "G722", 1),
        (0, "PCMU", 1),
        (8, "PCMA", 1),
    ]
    transport = content.transport
    assert transport.fingerprint == Fingerprint("sha-256", samples.FP256, Setup.ACTPASS)
    (relay,) = transport.candidates
    assert relay == Candidate(
        "16893dfba04efb4b632c146cfc811f40",
        1,
        "udp",
        16777215,
        "127.0.0.1",
        49162,
        CandidateType.RELAY,
        "0.0.0.0",
        9,
    )
    assert content.description.sources[0].parameters[0][0] == "cname"


def test_aiortc_offer_as_jingle_keeps_one_fingerprint_and_no_end_of_candidates() -> None:
    session = sdp.parse_sdp(samples.AIORTC_OFFER, writer_is_initiator=True)
    jingle = ET.Element(JINGLE)
    contents.write_session(jingle, session)
    xml = ET.tostring(jingle, encoding="unicode")
    assert xml.count("fingerprint") == 2  # one element: open and close tag
    assert "end-of-candidates" not in xml
    assert 'rel-addr="0.0.0.0" rel-port="9"' in xml
    assert xml_round_trip(session) == session


def test_aiortc_answer_becomes_a_session_accept_with_active_setup() -> None:
    session = sdp.parse_sdp(samples.AIORTC_ANSWER, writer_is_initiator=False)
    fingerprint = session.contents[0].transport.fingerprint
    assert fingerprint is not None
    assert fingerprint.setup is Setup.ACTIVE
    assert session.contents[0].senders is Senders.BOTH


def test_libwebrtc_offer_with_session_level_attributes() -> None:
    session = sdp.parse_sdp(samples.LIBWEBRTC_OFFER, writer_is_initiator=True)
    (content,) = session.contents
    desc = content.description
    assert desc.extmap_allow_mixed
    assert len(desc.payload_types) == 8
    assert desc.payload_types[0].feedback == (RtcpFeedback("transport-cc"),)
    assert desc.sources[0].parameters == (("cname", "4p1nEqUGqRuQm5R4"), ("msid", "stream track"))
    (relay,) = content.transport.candidates
    assert (relay.rel_addr, relay.rel_port) == ("0.0.0.0", 0)
    again = sdp.parse_sdp(
        sdp.write_sdp(session, writer_is_initiator=True, answer=False), writer_is_initiator=True
    )
    assert again == session


def test_session_level_credentials_apply_to_every_media() -> None:
    text = (
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
        "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdef012345\r\n"
        f"a=fingerprint:sha-256 {samples.FP256}\r\n"
        "a=setup:passive\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=rtcp-mux\r\n"
    )
    (content,) = sdp.parse_sdp(text, writer_is_initiator=False).contents
    assert (content.transport.ufrag, content.name) == ("abcd", "0")
    assert content.transport.fingerprint == Fingerprint("sha-256", samples.FP256, Setup.PASSIVE)
    assert content.description.payload_types[0].name == "PCMU"


def test_static_payload_types_without_rtpmap_and_dynamic_ones_dropped() -> None:
    text = "v=0\nm=audio 9 RTP/SAVPF 0 8 9 101\na=rtcp-mux\n"
    names = [
        pt.name
        for pt in sdp.parse_sdp(text, writer_is_initiator=True)
        .contents[0]
        .description.payload_types
    ]
    assert names == ["PCMU", "PCMA", "G722"]


# --- senders and setup


@pytest.mark.parametrize(
    ("senders", "initiator_sdp", "responder_sdp"),
    [
        (Senders.BOTH, "sendrecv", "sendrecv"),
        (Senders.NONE, "inactive", "inactive"),
        (Senders.INITIATOR, "sendonly", "recvonly"),
        (Senders.RESPONDER, "recvonly", "sendonly"),
    ],
)
def test_senders_are_relative_to_the_sdp_writer(
    senders: Senders, initiator_sdp: str, responder_sdp: str
) -> None:
    assert sdp.direction_of(senders, writer_is_initiator=True) == initiator_sdp
    assert sdp.direction_of(senders, writer_is_initiator=False) == responder_sdp
    assert sdp.senders_of(initiator_sdp, writer_is_initiator=True) is senders
    assert sdp.senders_of(responder_sdp, writer_is_initiator=False) is senders


def test_one_way_content_and_extension_round_trip() -> None:
    xml = samples.CONVERSATIONS_INITIATE.replace("senders='both'", "senders='initiator'").replace(
        "id='4'\n", "id='4' senders='responder'\n"
    )
    session = contents.read_session(jingle_of(xml))
    assert session.contents[0].senders is Senders.INITIATOR
    assert session.contents[0].description.header_extensions[3].senders is Senders.RESPONDER
    for writer_is_initiator in (True, False):
        text = sdp.write_sdp(
            session, writer_is_initiator=writer_is_initiator, answer=not writer_is_initiator
        )
        back = sdp.parse_sdp(text, writer_is_initiator=writer_is_initiator)
        assert back.contents[0].senders is Senders.INITIATOR
        assert back.contents[0].description.header_extensions[3].senders is Senders.RESPONDER
    assert "a=extmap:4/sendonly urn:ietf:params:rtp-hdrext:sdes:mid" in sdp.write_sdp(
        session, writer_is_initiator=False, answer=True
    )


@pytest.mark.parametrize("setup", ["actpass", None])
def test_an_answer_never_says_actpass(setup: str | None) -> None:
    xml = samples.DINO_INITIATE.replace("action='session-initiate'", "action='session-accept'")
    xml = xml.replace("setup='actpass'", f"setup='{setup}'" if setup else "")
    session = contents.read_session(jingle_of(xml))
    text = sdp.write_sdp(session, writer_is_initiator=False, answer=True)
    assert "a=setup:active" in lines(text)
    offer = sdp.write_sdp(session, writer_is_initiator=True, answer=False)
    assert "a=setup:actpass" in lines(offer)


def test_passive_answer_is_kept() -> None:
    xml = samples.DINO_INITIATE.replace("setup='actpass'", "setup='passive'")
    text = sdp.write_sdp(
        contents.read_session(jingle_of(xml)), writer_is_initiator=False, answer=True
    )
    assert "a=setup:passive" in lines(text)


# --- fingerprints


def test_missing_fingerprint_refuses_the_sdp() -> None:
    xml = samples.DINO_INITIATE.replace(
        DINO_FINGERPRINT,
        "",
    )
    session = contents.read_session(jingle_of(xml))
    assert session.contents[0].transport.fingerprint is None
    with pytest.raises(InsecureCall) as caught:
        sdp.write_sdp(session, writer_is_initiator=True, answer=False)
    assert caught.value.reason.value == "security-error"
    assert "fingerprint" not in sdp.write_sdp(
        session, writer_is_initiator=True, answer=False, require_fingerprint=False
    )


def test_late_fingerprint_from_transport_info_completes_the_answer() -> None:
    accept = samples.DINO_INITIATE.replace(
        DINO_FINGERPRINT,
        "",
    )
    session = contents.read_session(jingle_of(accept))
    info = samples.DINO_TRANSPORT_INFO.replace(
        "<candidate component='1' foundation='4'",
        "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='passive'>"
        f"{samples.FP256}</fingerprint>"
        "<candidate component='1' foundation='4'",
    )
    (update,) = contents.read_transport_updates(jingle_of(info))
    merged = with_transport(session, update.content_name, update.transport)
    text = sdp.write_sdp(merged, writer_is_initiator=False, answer=True)
    assert f"a=fingerprint:sha-256 {samples.FP256}" in lines(text)
    assert "a=setup:passive" in lines(text)


def test_fingerprint_hash_other_than_sha256_is_used_when_alone() -> None:
    text = f"v=0\nm=audio 9 X 0\na=fingerprint:SHA-512 {samples.FP512.lower()}\n"
    fingerprint = sdp.parse_sdp(text, writer_is_initiator=True).contents[0].transport.fingerprint
    assert fingerprint == Fingerprint("sha-512", samples.FP512, Setup.ACTPASS)


# --- transport-info and candidates


def test_transport_info_candidates_become_sdp_lines_and_back() -> None:
    (update,) = contents.read_transport_updates(jingle_of(samples.DINO_TRANSPORT_INFO))
    assert (update.content_name, update.creator) == ("audio", "initiator")
    assert update.transport.ufrag == "q0XC"
    (candidate,) = update.transport.candidates
    line = sdp.candidate_to_sdp(candidate)
    assert line == (
        "candidate:4 1 udp 1677721854 198.51.100.10 40000 typ srflx raddr 10.0.0.12 rport 45332"
        " generation 0"
    )
    assert sdp.candidate_from_sdp(line) == candidate
    assert sdp.candidate_from_sdp("a=" + line) == candidate


def test_with_transport_appends_new_candidates_once() -> None:
    session = dino()
    (update,) = contents.read_transport_updates(jingle_of(samples.DINO_TRANSPORT_INFO))
    merged = with_transport(session, "audio", update.transport)
    merged = with_transport(merged, "audio", update.transport)
    assert len(merged.contents[0].transport.candidates) == 4
    assert merged.contents[0].transport.fingerprint == session.contents[0].transport.fingerprint
    with pytest.raises(MalformedSignalling):
        with_transport(session, "video", IceTransport())


@pytest.mark.parametrize(
    "line",
    [
        "candidate:1 1 udp 2130706431 192.0.2.1 3478 typ host generation 0",
        "candidate:1 1 UDP 2130706431 2001:db8::1 3478 typ host generation 0",
        "candidate:2 1 udp 1694498815 198.51.100.1 50000 typ srflx raddr 192.0.2.1 rport 3478",
        "candidate:3 1 udp 16777215 203.0.113.1 60000 typ relay raddr 0.0.0.0 rport 9 generation 0",
        "candidate:4 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0",
        "candidate:5 1 tcp 1518214911 192.0.2.1 50001 typ host tcptype passive generation 0",
        "candidate:6 1 udp 1845501695 198.51.100.2 50002 typ prflx generation 1",
        "candidate:7 1 udp 2122260223 5b0dfe46-8a1f.local 46016 typ host generation 0",
    ],
)
def test_candidate_lines_round_trip(line: str) -> None:
    candidate = sdp.candidate_from_sdp(line)
    assert sdp.candidate_from_sdp(sdp.candidate_to_sdp(candidate)) == candidate
    assert candidate.protocol == candidate.protocol.lower()


def test_tcp_candidate_keeps_tcptype_in_sdp_but_never_goes_into_jingle() -> None:
    candidate = sdp.candidate_from_sdp(
        "candidate:4 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active"
    )
    assert (candidate.protocol, candidate.tcptype) == ("tcp", "active")
    assert "tcptype active" in sdp.candidate_to_sdp(candidate)
    parent = ET.Element("p")
    contents.write_transport(parent, IceTransport("abcd", "x" * 22, (candidate,)))
    assert not list(parent.iter("{urn:xmpp:jingle:transports:ice-udp:1}candidate"))


def test_candidate_extension_fields_are_ignored() -> None:
    line = "candidate:1 1 udp 1 192.0.2.1 1 typ host generation 0 ufrag Qj9L network-id 1"
    assert sdp.candidate_from_sdp(line).generation == 0


@pytest.mark.parametrize(
    "line",
    [
        "",
        "candidate:1 1 udp 2130706431 192.0.2.1 3478",
        "candidate:1 1 udp 2130706431 192.0.2.1 3478 type host",
        "candidate:1 1 udp 2130706431 192.0.2.1 port typ host",
        "candidate:1 1 udp 2130706431 192.0.2.1 70000 typ host",
        "candidate:1 0 udp 2130706431 192.0.2.1 3478 typ host",
        "candidate:1 1 udp -5 192.0.2.1 3478 typ host",
        "candidate:1 1 udp 99999999999 192.0.2.1 3478 typ host",
        "candidate:1 1 sctp 1 192.0.2.1 3478 typ host",
        "candidate:1 1 udp 1 192.0.2.1 3478 typ alien",
        "candidate:1 1 udp 1 192.0.2.1 3478 typ relay raddr",
        "candidate:1 1 udp 1 192.0.2.1 3478 typ relay raddr 0.0.0.0 rport x",
        "candidate:1 1 udp 1 192.0.2.1 3478 typ host generation 300",
        "candidate:" + "1 " * 600,
    ],
)
def test_bad_candidate_lines_are_refused(line: str) -> None:
    with pytest.raises(MalformedSignalling):
        sdp.candidate_from_sdp(line)


# --- garbage SDP


@pytest.mark.parametrize(
    "text",
    [
        "",
        "v=0\r\ns=-\r\n",
        "hello world",
        "v=0\nm=audio\n",
        "v=0\nm=audio 9 X 96 abc\n",
        "v=0\nm=audio 9 X 200\n",
        "v=0\nm=audio 9 X 96\na=rtpmap:96\n",
        "v=0\nm=audio 9 X 96\na=rtpmap:96 opus/fast\n",
        "v=0\nm=audio 9 X 96\na=fingerprint:sha-256\n",
        "v=0\nm=audio 9 X 96\na=setup:sideways\n",
        "v=0\nm=audio 9 X 96\na=extmap:0 urn:x\n",
        "v=0\nm=audio 9 X 96\na=extmap:1\n",
        "v=0\nm=audio 9 X 96\na=ssrc:abc cname:x\n",
        "v=0\nm=audio 9 X 96\na=rtcp-fb:96\n",
        "v=0\n" + "m=audio 9 X 0\n" * 9,
        "v=0\nm=audio 9 X 0\n" + "a=candidate:1 1 udp 1 192.0.2.1 1 typ relay\n" * 65,
        "v=0\nm=audio 9 X " + " ".join(["0"] * 65) + "\n",
        "v=0\nm=audio 9 X 0\n" + "a=x\n" * 70000,
    ],
)
def test_garbage_sdp_is_refused(text: str) -> None:
    with pytest.raises(MalformedSignalling):
        sdp.parse_sdp(text, writer_is_initiator=True)


# --- the outgoing guard on SDP


def test_our_aiortc_sdp_passes_the_guard() -> None:
    session = sdp.check_outgoing_sdp(samples.AIORTC_OFFER, writer_is_initiator=True)
    assert session.contents[0].transport.candidates[0].type is CandidateType.RELAY


@pytest.mark.parametrize(
    ("candidate", "error"),
    [
        ("candidate:1 1 udp 2130706431 192.168.1.2 5000 typ host", RelayPolicyViolation),
        (
            "candidate:1 1 udp 1694498815 198.51.100.1 5000 typ srflx raddr 192.168.1.2 rport 5000",
            RelayPolicyViolation,
        ),
        ("candidate:1 1 udp 1845501695 198.51.100.1 5000 typ prflx", RelayPolicyViolation),
        (
            "candidate:1 1 udp 16777215 203.0.113.1 5000 typ relay raddr 198.51.100.1 rport 5000",
            RelayPolicyViolation,
        ),
        (
            "candidate:1 1 udp 16777215 203.0.113.1 5000 typ relay raddr 0.0.0.0 rport 5000",
            RelayPolicyViolation,
        ),
    ],
)
def test_the_guard_refuses_revealing_sdp(candidate: str, error: type[Exception]) -> None:
    text = samples.AIORTC_OFFER.replace("a=end-of-candidates", "a=" + candidate)
    with pytest.raises(error):
        sdp.check_outgoing_sdp(text, writer_is_initiator=True)


def test_the_guard_refuses_sdp_without_candidates() -> None:
    text = "\r\n".join(
        line for line in samples.AIORTC_OFFER.split("\r\n") if "candidate" not in line
    )
    with pytest.raises(NoRelayCandidate):
        sdp.check_outgoing_sdp(text, writer_is_initiator=True)


def test_we_may_read_the_peers_host_candidates() -> None:
    session = sdp.parse_sdp(
        samples.LIBWEBRTC_OFFER.replace("typ relay raddr 0.0.0.0 rport 0", "typ host"),
        writer_is_initiator=True,
    )
    assert session.contents[0].transport.candidates[0].type is CandidateType.HOST


def test_fit_answer_drops_a_bundle_the_offer_never_had() -> None:
    answer = sdp.parse_sdp(
        samples.AIORTC_ANSWER.replace("BUNDLE 0", "BUNDLE audio").replace("mid:0", "mid:audio"),
        writer_is_initiator=False,
    )
    assert answer.bundle == ("audio",)
    fitted = fit_answer(dino(), answer)
    assert fitted.bundle == ()
    assert fitted.contents == answer.contents
    assert fit_answer(
        conversations(), sdp.parse_sdp(samples.AIORTC_ANSWER, writer_is_initiator=False)
    ).bundle == ("0",)


def test_static_payload_type_without_name_and_trr_int_feedback() -> None:
    xml = samples.DINO_INITIATE.replace(
        "<payload-type id='0' name='PCMU' clockrate='8000'/>",
        "<payload-type id='0'><rtcp-fb-trr-int xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0'"
        " value='100'/></payload-type>",
    )
    session = contents.read_session(jingle_of(xml))
    pcmu = session.contents[0].description.payload_types[4]
    assert (pcmu.name, pcmu.clockrate, pcmu.feedback) == (
        "PCMU",
        8000,
        (RtcpFeedback("trr-int", "100"),),
    )
    text = sdp.write_sdp(session, writer_is_initiator=True, answer=False)
    assert "a=rtpmap:0 PCMU/8000" in lines(text)
    assert "a=rtcp-fb:0 trr-int 100" in lines(text)
    assert (
        sdp.parse_sdp(text, writer_is_initiator=True).contents[0].description.payload_types[4]
        == pcmu
    )
    assert xml_round_trip(session) == session
    nameless = samples.DINO_INITIATE.replace("name='speex' clockrate='32000'", "clockrate='32000'")
    with pytest.raises(MalformedSignalling):
        contents.read_session(jingle_of(nameless))


def test_ice_restart_is_recognised() -> None:
    session = dino()
    (update,) = contents.read_transport_updates(jingle_of(samples.DINO_TRANSPORT_INFO))
    assert not is_ice_restart(session, update)
    restart = replace(update, transport=IceTransport("n3wU", "n" * 22))
    assert is_ice_restart(session, restart)
    assert not is_ice_restart(session, replace(update, transport=IceTransport()))
    assert not is_ice_restart(session, replace(restart, content_name="video"))
