"""Whole signalling paths, pure: peer's Jingle -> checks -> SDP for the engine -> our Jingle."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from siproxylin.core import call_checks
from siproxylin.core.calls_state import (
    AcceptSent,
    CallMachine,
    CallRole,
    CallState,
    MediaConnected,
    Outgoing,
    PeerInitiated,
    Send,
    UserAccepted,
)
from siproxylin.domain.call_signals import JingleAction, JmiKind
from siproxylin.domain.calls import (
    IncompatibleCall,
    InsecureCall,
    SessionDescription,
    Setup,
    TerminateReason,
    with_transport,
)
from siproxylin.domain.ids import Jid
from siproxylin.xmpp.jingle import jmi, sdp
from siproxylin.xmpp.jingle import stanzas as st
from tests.unit.xmpp import jingle_samples as samples

ME = Jid.parse("juliet@capulet.example/sip1")
ROMEO = Jid.parse("romeo@montague.example/Conversations.Xu3q")
MERCUTIO = Jid.parse("mercutio@verona.example/dino.7f3a")


def as_received(element: ET.Element, sender: Jid) -> st.JingleRequest:
    iq = st.iq_set(ME, "r1", element)
    iq.set("from", str(sender))
    return st.parse_jingle_iq(ET.fromstring(ET.tostring(iq)))


def test_conversations_calls_us() -> None:
    # the proposal rings, the user answers, the session-initiate follows
    propose = jmi.jmi_message(ME.bare, JmiKind.PROPOSE, "Hk2HAVWJdLwIv5Yz8Wm8uA")
    propose.set("from", str(ROMEO))
    message = jmi.parse_jmi(propose, ME)
    assert message is not None
    assert message.media == ("audio",)
    machine = CallMachine(CallRole.CALLEE)
    machine.start()
    machine.handle(UserAccepted())

    request = st.parse_jingle_iq(ET.fromstring(samples.CONVERSATIONS_INITIATE))
    assert request.sid == message.call_id
    assert st.check_request(request, {}) is None
    assert request.session is not None
    call_checks.check_remote(request.session)
    step = machine.handle(PeerInitiated())
    assert Send(Outgoing.SESSION_ACCEPT) in getattr(step, "actions", ())

    remote = sdp.write_sdp(request.session, writer_is_initiator=False, answer=False)
    assert "a=setup:actpass" in remote
    # the engine answers (aiortc's answer to this very offer); we check it, then accept
    answer = sdp.check_outgoing_sdp(samples.AIORTC_ANSWER, writer_is_initiator=False)
    accept = st.session_accept(request.sid, ROMEO, ME, answer)
    seen_by_peer = as_received(accept, ME)
    assert seen_by_peer.action is JingleAction.SESSION_ACCEPT
    assert seen_by_peer.session == answer
    assert answer.contents[0].name == request.session.contents[0].name
    machine.handle(AcceptSent())
    machine.handle(MediaConnected())
    assert machine.state is CallState.ACTIVE


def test_we_call_dino_and_its_fingerprint_comes_late() -> None:
    offer = sdp.check_outgoing_sdp(samples.AIORTC_OFFER, writer_is_initiator=True)
    initiate = st.session_initiate("e5b1b6c7-93d5-4a25", ME, offer)
    assert as_received(initiate, ME).session == offer

    # Dino answers without a fingerprint, then sends it in a transport-info
    accept_xml = (
        samples.DINO_INITIATE.replace("action='session-initiate'", "action='session-accept'")
        .replace("name='audio'", "name='0'")
        .replace("setup='actpass'", "setup='active'")
    )
    fingerprint = accept_xml[
        accept_xml.index("<fingerprint") : accept_xml.index("</fingerprint>") + 14
    ]
    request = st.parse_jingle_iq(ET.fromstring(accept_xml.replace(fingerprint, "")))
    known = {request.sid: st.KnownSession(request.sid, MERCUTIO, we_initiated=True)}
    assert st.check_request(request, known) is None
    assert request.session is not None
    call_checks.check_remote(request.session, require_fingerprint=False)
    with pytest.raises(InsecureCall):
        sdp.write_sdp(request.session, writer_is_initiator=False, answer=True)

    info_xml = samples.DINO_TRANSPORT_INFO.replace("name='audio'", "name='0'").replace(
        "<candidate component='1' foundation='4'",
        fingerprint + "<candidate component='1' foundation='4'",
    )
    info = st.parse_jingle_iq(ET.fromstring(info_xml))
    assert st.check_request(info, known) is None
    session: SessionDescription = request.session
    for update in info.transports:
        session = with_transport(session, update.content_name, update.transport)
    call_checks.check_fingerprints(session)
    text = sdp.write_sdp(session, writer_is_initiator=False, answer=True)
    assert "a=setup:active" in text
    assert text.count("a=candidate:") == 4


def test_an_offer_without_a_shared_codec_is_ended_as_incompatible() -> None:
    xml = samples.DINO_INITIATE
    for pt in ("96", "0", "8"):
        start = xml.index(f"<payload-type id='{pt}'")
        end = xml.index("/>", start) + 2
        if pt == "96":
            end = xml.index("</payload-type>", start) + len("</payload-type>")
        xml = xml[:start] + xml[end:]
    request = st.parse_jingle_iq(ET.fromstring(xml))
    assert request.session is not None
    with pytest.raises(IncompatibleCall) as caught:
        call_checks.check_remote(request.session)
    reason = caught.value.reason
    assert reason is TerminateReason.INCOMPATIBLE_PARAMETERS
    terminate = as_received(
        st.session_terminate(request.sid, MERCUTIO, reason, str(caught.value)), ME
    )
    assert terminate.reason is TerminateReason.INCOMPATIBLE_PARAMETERS


def test_a_peer_answer_with_actpass_is_fed_to_the_engine_as_active() -> None:
    accept_xml = samples.CONVERSATIONS_INITIATE.replace(
        "action='session-initiate'", "action='session-accept'"
    )
    request = st.parse_jingle_iq(ET.fromstring(accept_xml))
    assert request.session is not None
    fingerprint = request.session.contents[0].transport.fingerprint
    assert fingerprint is not None
    assert fingerprint.setup is Setup.ACTPASS
    text = sdp.write_sdp(request.session, writer_is_initiator=False, answer=True)
    assert "a=setup:active" in text.splitlines()
