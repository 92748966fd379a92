"""Jingle session IQs (XEP-0166/0167): read from XML literals, checked, written and read back."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from siproxylin.domain.calls import (
    Candidate,
    CandidateType,
    Content,
    IceTransport,
    MalformedSignalling,
    NoRelayCandidate,
    RelayPolicyViolation,
    SessionDescription,
    TerminateReason,
)
from siproxylin.domain.ids import Jid
from siproxylin.xmpp.jingle import sdp
from siproxylin.xmpp.jingle import stanzas as st
from tests.unit.xmpp import jingle_samples as samples

ROMEO = Jid.parse("romeo@montague.example/Conversations.Xu3q")
JULIET = Jid.parse("juliet@capulet.example/sip1")
SID = "Hk2HAVWJdLwIv5Yz8Wm8uA"


CANDIDATE = (
    "<candidate component='1' foundation='1' ip='192.0.2.1' port='1' priority='1'"
    " protocol='udp' type='host'/>"
)


def parse(xml: str) -> st.JingleRequest:
    return st.parse_jingle_iq(ET.fromstring(xml))


def iq(
    action: str, body: str = "", *, sender: str = str(ROMEO), sid: str = SID, kind: str = "set"
) -> str:
    # language=XML
    return (
        f"<iq xmlns='jabber:client' type='{kind}' id='i1' from='{sender}' to='{JULIET}'>"
        f"<jingle xmlns='urn:xmpp:jingle:1' action='{action}' sid='{sid}' initiator='{ROMEO}'>"
        f"{body}</jingle></iq>"
    )


def sent(element: ET.Element, sender: Jid = JULIET) -> st.JingleRequest:
    """Read back what we wrote, as the peer would receive it."""
    wrapped = st.iq_set(ROMEO, "x1", element)
    wrapped.set("from", str(sender))
    return st.parse_jingle_iq(ET.fromstring(ET.tostring(wrapped)))


def our_answer() -> SessionDescription:
    return sdp.parse_sdp(samples.AIORTC_ANSWER, writer_is_initiator=False)


# --- reading


def test_session_initiate_is_read() -> None:
    request = parse(samples.CONVERSATIONS_INITIATE)
    assert request.action is st.JingleAction.SESSION_INITIATE
    assert (request.sid, request.iq_id, request.sender, request.initiator) == (
        SID,
        "cv1",
        ROMEO,
        ROMEO,
    )
    assert request.session is not None
    assert request.session.bundle == ("0",)


def test_initiator_defaults_to_the_sender() -> None:
    xml = samples.DINO_INITIATE.replace("initiator='mercutio@verona.example/dino.7f3a'", "")
    request = parse(xml)
    assert request.initiator == Jid.parse("mercutio@verona.example/dino.7f3a")


def test_transport_info_is_read() -> None:
    request = parse(samples.DINO_TRANSPORT_INFO)
    assert request.action is st.JingleAction.TRANSPORT_INFO
    (update,) = request.transports
    assert update.transport.candidates[0].foundation == "4"


@pytest.mark.parametrize(
    ("body", "info"),
    [
        ("", st.SessionInfo.PING),
        ("<ringing xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>", st.SessionInfo.RINGING),
        (
            "<mute xmlns='urn:xmpp:jingle:apps:rtp:info:1' creator='initiator' name='0'/>",
            st.SessionInfo.MUTE,
        ),
        (
            "<unmute xmlns='urn:xmpp:jingle:apps:rtp:info:1' creator='initiator' name='0'/>",
            st.SessionInfo.UNMUTE,
        ),
        ("<active xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>", st.SessionInfo.ACTIVE),
        ("<hold xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>", st.SessionInfo.HOLD),
        ("<dance xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>", None),
        ("<ringing xmlns='urn:example:other'/>", None),
    ],
)
def test_session_info_payloads(body: str, info: st.SessionInfo | None) -> None:
    assert parse(iq("session-info", body)).info is info


@pytest.mark.parametrize("reason", list(TerminateReason))
def test_every_terminate_reason_round_trips_with_a_human_text(reason: TerminateReason) -> None:
    request = sent(st.session_terminate(SID, ROMEO, reason, "bye now"))
    assert (request.reason, request.reason_text) == (reason, "bye now")
    assert reason.text.endswith(".")


def test_terminate_without_reason_is_success_and_unknown_reason_is_general_error() -> None:
    assert parse(iq("session-terminate")).reason is TerminateReason.SUCCESS
    body = "<reason><out-of-coffee/><text>sorry</text></reason>"
    request = parse(iq("session-terminate", body))
    assert (request.reason, request.reason_text) == (TerminateReason.GENERAL_ERROR, "sorry")
    long_text = "<reason><busy/><text>" + "x" * 5000 + "</text></reason>"
    assert len(parse(iq("session-terminate", long_text)).reason_text) == st.MAX_REASON_TEXT


@pytest.mark.parametrize(
    "xml",
    [
        iq("session-terminate", kind="get"),
        iq("session-terminate", kind="result"),
        "<iq xmlns='jabber:client' type='set' from='a@b/c' id='1'><query xmlns='x'/></iq>",
        iq("session-dance"),
        iq("session-terminate", sid=""),
        iq("session-terminate", sid="s" * 300),
        iq("session-terminate", sender=""),
        iq("session-terminate", sender="@bad"),
        iq("session-initiate"),
        iq("session-accept", "<content name='0'/>"),
        iq("transport-info"),
        iq(
            "session-initiate",
            "<content name='0'><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'/></content>",
        ),
        iq(
            "session-initiate",
            "<content name='0'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
            "<payload-type id='999' name='x' clockrate='1'/></description>"
            "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'/></content>",
        ),
        iq(
            "session-initiate",
            "<content name='0' senders='everyone'>"
            "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/>"
            "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'/></content>",
        ),
        iq(
            "transport-info",
            "<content name='0'><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'>"
            + CANDIDATE.replace("port='1'", "port='abc'")
            + "</transport></content>",
        ),
        iq(
            "transport-info",
            "<content name='0'><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'>"
            "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='actpass'/>"
            "</transport></content>",
        ),
        iq(
            "transport-info",
            "<content name='0'><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'>"
            + CANDIDATE * 65
            + "</transport></content>",
        ),
        iq(
            "transport-info",
            "<content name='0'><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'/></content>"
            * 9,
        ),
    ],
)
def test_malformed_requests_are_refused(xml: str) -> None:
    with pytest.raises(MalformedSignalling):
        parse(xml)


def test_huge_attribute_is_refused() -> None:
    body = (
        "<content name='0'><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='"
        + "u" * 2000
        + "'/></content>"
    )
    with pytest.raises(MalformedSignalling):
        parse(iq("transport-info", body))


# --- who may act on a session


def known(*, we_initiated: bool = False, accepted: bool = False) -> dict[str, st.KnownSession]:
    return {SID: st.KnownSession(SID, ROMEO, we_initiated, accepted)}


def test_the_peer_may_trickle_inform_and_terminate() -> None:
    for action, body in (
        ("transport-info", samples.DINO_TRANSPORT_INFO),
        ("session-info", ""),
        ("session-terminate", ""),
    ):
        request = (
            parse(iq(action))
            if action != "transport-info"
            else parse(
                body.replace("mercutio@verona.example/dino.7f3a", str(ROMEO)).replace(
                    "e5b1b6c7-93d5-4a25", SID
                )
            )
        )
        assert st.check_request(request, known()) is None


def test_a_stranger_gets_unknown_session() -> None:
    request = parse(iq("session-terminate", sender="tybalt@capulet.example/x"))
    assert st.check_request(request, known()) is st.JingleRefusal.UNKNOWN_SESSION
    other_resource = parse(iq("session-terminate", sender="romeo@montague.example/other"))
    assert st.check_request(other_resource, known()) is st.JingleRefusal.UNKNOWN_SESSION


def test_an_unknown_session_id_gets_unknown_session() -> None:
    assert (
        st.check_request(parse(iq("session-terminate", sid="nope")), known())
        is st.JingleRefusal.UNKNOWN_SESSION
    )


def test_session_accept_only_once_and_only_to_the_initiator() -> None:
    accept = parse(
        iq(
            "session-accept",
            samples.CONVERSATIONS_INITIATE.split("<jingle", 1)[1]
            .split(">", 1)[1]
            .rsplit("</jingle>", 1)[0],
        )
    )
    assert st.check_request(accept, known(we_initiated=True)) is None
    assert (
        st.check_request(accept, known(we_initiated=True, accepted=True))
        is st.JingleRefusal.OUT_OF_ORDER
    )
    assert st.check_request(accept, known(we_initiated=False)) is st.JingleRefusal.OUT_OF_ORDER


def test_crossing_initiates_are_a_tie_break_and_a_reused_sid_out_of_order() -> None:
    request = parse(samples.CONVERSATIONS_INITIATE)
    assert st.check_request(request, {}) is None
    ours = {"mine": st.KnownSession("mine", ROMEO.bare.with_resource("phone"), we_initiated=True)}
    assert st.check_request(request, ours) is st.JingleRefusal.TIE_BREAK
    assert st.check_request(request, known()) is st.JingleRefusal.OUT_OF_ORDER


def test_the_initiate_after_our_proceed_is_expected_from_the_caller_only() -> None:
    request = parse(samples.CONVERSATIONS_INITIATE)
    waiting = {SID: st.KnownSession(SID, ROMEO, we_initiated=False, awaiting_initiate=True)}
    assert st.check_request(request, waiting) is None
    other = {SID: st.KnownSession(SID, ROMEO.bare.with_resource("tablet"), False, False, True)}
    assert st.check_request(request, other) is st.JingleRefusal.OUT_OF_ORDER


def test_unknown_info_and_unsupported_actions_are_refused() -> None:
    info = parse(iq("session-info", "<dance xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>"))
    assert st.check_request(info, known()) is st.JingleRefusal.UNSUPPORTED_INFO
    assert (
        st.check_request(parse(iq("content-add")), known()) is st.JingleRefusal.UNSUPPORTED_ACTION
    )


@pytest.mark.parametrize("refusal", list(st.JingleRefusal))
def test_error_replies_carry_both_conditions(refusal: st.JingleRefusal) -> None:
    request = parse(iq("session-terminate"))
    reply = st.refusal_reply(request, refusal)
    assert (reply.get("type"), reply.get("to"), reply.get("id")) == ("error", str(ROMEO), "i1")
    error = reply.find("{jabber:client}error")
    assert error is not None
    assert error.find(f"{{{st.STANZAS}}}{refusal.condition}") is not None
    if refusal.jingle_condition:
        assert error.find(f"{{{st.ERRORS}}}{refusal.jingle_condition}") is not None
    assert st.iq_result(request).get("type") == "result"


# --- writing


def test_session_initiate_from_our_sdp_round_trips() -> None:
    offer = sdp.parse_sdp(samples.AIORTC_OFFER, writer_is_initiator=True)
    request = sent(st.session_initiate("sid1", JULIET, offer))
    assert request.action is st.JingleAction.SESSION_INITIATE
    assert (request.sid, request.initiator) == ("sid1", JULIET)
    assert request.session == offer


def test_session_accept_names_the_responder() -> None:
    element = st.session_accept(SID, ROMEO, JULIET, our_answer())
    assert element.get("responder") == str(JULIET)
    assert sent(element).session == our_answer()


def test_builders_refuse_revealing_candidates() -> None:
    text = samples.AIORTC_OFFER.replace("typ relay raddr 0.0.0.0 rport 9", "typ host")
    leaking = sdp.parse_sdp(text, writer_is_initiator=True)
    with pytest.raises(RelayPolicyViolation):
        st.session_initiate("sid1", JULIET, leaking)
    with pytest.raises(RelayPolicyViolation):
        st.session_accept("sid1", ROMEO, JULIET, leaking)
    with pytest.raises(RelayPolicyViolation):
        st.transport_info("sid1", JULIET, leaking.contents[0])
    empty = sdp.parse_sdp(
        "\r\n".join(x for x in samples.AIORTC_OFFER.split("\r\n") if "candidate" not in x),
        writer_is_initiator=True,
    )
    with pytest.raises(NoRelayCandidate):
        st.session_initiate("sid1", JULIET, empty)


def test_transport_info_trickles_one_candidate() -> None:
    relay = Candidate(
        "abc", 1, "udp", 16777215, "203.0.113.9", 50000, CandidateType.RELAY, "0.0.0.0", 9
    )
    content = Content("0", our_answer().contents[0].description, IceTransport(candidates=(relay,)))
    request = sent(st.transport_info(SID, ROMEO, content))
    (update,) = request.transports
    assert update.content_name == "0"
    assert update.transport.candidates == (relay,)
    assert update.transport.ufrag == ""


@pytest.mark.parametrize("info", list(st.SessionInfo))
def test_session_info_round_trips(info: st.SessionInfo) -> None:
    element = st.session_info(SID, ROMEO, info, content="0")
    assert sent(element).info is info
    if info is st.SessionInfo.MUTE:
        (payload,) = list(element)
        assert (payload.get("name"), payload.get("creator")) == ("0", "initiator")


def test_written_xml_serialises_with_default_namespaces() -> None:
    from slixmpp.xmlstream.tostring import tostring

    element = st.iq_set(ROMEO, "t1", st.session_terminate(SID, ROMEO, TerminateReason.BUSY, "x"))
    text = tostring(element, top_level=True)
    assert '<jingle xmlns="urn:xmpp:jingle:1" action="session-terminate"' in text
    assert "<reason><busy /><text>x</text></reason>" in text
    assert "ns0:" not in text
