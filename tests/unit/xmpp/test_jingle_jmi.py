"""Jingle Message Initiation (XEP-0353) from XML literals: proposals, answers, carbons."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from siproxylin.domain.calls import MalformedSignalling, TerminateReason
from siproxylin.domain.ids import Jid
from siproxylin.xmpp.jingle import jmi

ME = Jid.parse("juliet@capulet.example/laptop")
MY_PHONE = Jid.parse("juliet@capulet.example/phone")
ROMEO = Jid.parse("romeo@montague.example/Conversations.Xu3q")
CALL = "ZEgSgtFWQsbhnNhJTe4Vqa"


def read(xml: str, own: Jid = ME) -> jmi.JmiMessage | None:
    return jmi.parse_jmi(ET.fromstring(xml), own)


def direct(body: str, sender: Jid = ROMEO, to: Jid = ME.bare) -> str:
    # language=XML
    return (
        f"<message xmlns='jabber:client' type='chat' from='{sender}' to='{to}' id='m1'>"
        f"{body}<store xmlns='urn:xmpp:hints'/></message>"
    )


def carbon(kind: str, inner: str, outer_from: str = str(ME.bare)) -> str:
    # language=XML
    return (
        f"<message xmlns='jabber:client' from='{outer_from}' to='{ME}' type='chat'>"
        f"<{kind} xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
        f"{inner}</forwarded></{kind}></message>"
    )


# language=XML
PROPOSE = (
    f"<propose xmlns='urn:xmpp:jingle-message:0' id='{CALL}'>"
    "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/></propose>"
)
PROCEED = f"<proceed xmlns='urn:xmpp:jingle-message:0' id='{CALL}'/>"


def test_propose_from_conversations() -> None:
    message = read(direct(PROPOSE))
    assert message == jmi.JmiMessage(jmi.JmiKind.PROPOSE, CALL, ROMEO, ME.bare, ("audio",))


@pytest.mark.parametrize("kind", ["ringing", "proceed", "accept", "retract"])
def test_simple_kinds(kind: str) -> None:
    message = read(direct(f"<{kind} xmlns='urn:xmpp:jingle-message:0' id='{CALL}'/>"))
    assert message is not None
    assert (message.kind.value, message.call_id, message.reason) == (kind, CALL, None)


def test_reject_busy_and_finish_with_reason() -> None:
    body = (
        f"<reject xmlns='urn:xmpp:jingle-message:0' id='{CALL}'>"
        "<reason xmlns='urn:xmpp:jingle:1'><busy/><text>in a meeting</text></reason></reject>"
    )
    message = read(direct(body))
    assert message is not None
    assert (message.reason, message.reason_text) == (TerminateReason.BUSY, "in a meeting")
    finish = (
        f"<finish xmlns='urn:xmpp:jingle-message:0' id='{CALL}'>"
        "<reason xmlns='urn:xmpp:jingle:1'><success/></reason>"
        "<migrated to='other-call'/></finish>"
    )
    message = read(direct(finish))
    assert message is not None
    assert (message.kind, message.reason) == (jmi.JmiKind.FINISH, TerminateReason.SUCCESS)


def test_messages_without_jmi_or_errors_read_as_none() -> None:
    assert read(direct("<body>hi</body>")) is None
    error = direct(PROPOSE).replace("type='chat'", "type='error'")
    assert read(error) is None
    room = direct(PROPOSE).replace("type='chat'", "type='groupchat'")
    assert read(room) is None


@pytest.mark.parametrize(
    "body",
    [
        f"<propose xmlns='urn:xmpp:jingle-message:0' id='{CALL}'/>",
        f"<propose xmlns='urn:xmpp:jingle-message:0' id='{CALL}'>"
        "<description xmlns='urn:xmpp:jingle:apps:rtp:1'/></propose>",
        f"<propose xmlns='urn:xmpp:jingle-message:0' id='{CALL}'>"
        + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/>" * 5
        + "</propose>",
        "<propose xmlns='urn:xmpp:jingle-message:0'>"
        "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/></propose>",
        "<proceed xmlns='urn:xmpp:jingle-message:0' id=''/>",
        f"<proceed xmlns='urn:xmpp:jingle-message:0' id='{'x' * 300}'/>",
        f"<dance xmlns='urn:xmpp:jingle-message:0' id='{CALL}'/>",
    ],
)
def test_malformed_jmi_is_refused(body: str) -> None:
    with pytest.raises(MalformedSignalling):
        read(direct(body))


def test_a_message_without_sender_or_with_a_bad_one_is_refused() -> None:
    with pytest.raises(MalformedSignalling):
        read(direct(PROPOSE).replace(f"from='{ROMEO}'", ""))
    with pytest.raises(MalformedSignalling):
        read(direct(PROPOSE).replace(f"from='{ROMEO}'", "from='@x'"))


def test_unknown_reason_reads_as_general_error() -> None:
    body = (
        f"<reject xmlns='urn:xmpp:jingle-message:0' id='{CALL}'>"
        "<reason xmlns='urn:xmpp:jingle:1'><nope/></reason></reject>"
    )
    message = read(direct(body))
    assert message is not None
    assert message.reason is TerminateReason.GENERAL_ERROR


# --- answered elsewhere


def test_proceed_sent_by_our_phone_is_answered_elsewhere() -> None:
    inner = (
        f"<message xmlns='jabber:client' from='{MY_PHONE}' to='{ROMEO}' type='chat'>"
        f"<proceed xmlns='urn:xmpp:jingle-message:0' id='{CALL}'/></message>"
    )
    message = read(carbon("sent", inner))
    assert message is not None
    assert (message.carbon, message.sender, message.recipient) == (jmi.Carbon.SENT, MY_PHONE, ROMEO)
    assert jmi.answered_elsewhere(message, ME) is jmi.JmiKind.PROCEED


def test_reject_sent_by_our_phone_is_declined_elsewhere() -> None:
    inner = (
        f"<message xmlns='jabber:client' from='{MY_PHONE}' to='{ROMEO}' type='chat'>"
        f"<reject xmlns='urn:xmpp:jingle-message:0' id='{CALL}'/></message>"
    )
    message = read(carbon("sent", inner))
    assert message is not None
    assert jmi.answered_elsewhere(message, ME) is jmi.JmiKind.REJECT


def test_accept_to_our_bare_address_is_answered_elsewhere() -> None:
    body = f"<accept xmlns='urn:xmpp:jingle-message:0' id='{CALL}'/>"
    message = read(direct(body, sender=MY_PHONE, to=ME.bare))
    assert message is not None
    assert jmi.answered_elsewhere(message, ME) is jmi.JmiKind.PROCEED


def test_sent_carbon_without_inner_sender_counts_as_our_other_device() -> None:
    inner = f"<message xmlns='jabber:client' to='{ROMEO}'>{PROCEED}</message>"
    message = read(carbon("sent", inner))
    assert message is not None
    assert message.sender == ME.bare
    assert jmi.answered_elsewhere(message, ME) is jmi.JmiKind.PROCEED


def test_our_own_answer_and_the_peers_are_not_elsewhere() -> None:
    own = read(direct(f"<proceed xmlns='urn:xmpp:jingle-message:0' id='{CALL}'/>", sender=ME))
    assert own is not None
    assert jmi.answered_elsewhere(own, ME) is None
    peer = read(direct(f"<proceed xmlns='urn:xmpp:jingle-message:0' id='{CALL}'/>"))
    assert peer is not None
    assert jmi.answered_elsewhere(peer, ME) is None
    ringing = read(
        direct(f"<ringing xmlns='urn:xmpp:jingle-message:0' id='{CALL}'/>", sender=MY_PHONE)
    )
    assert ringing is not None
    assert jmi.answered_elsewhere(ringing, ME) is None


def test_our_own_propose_from_another_device_is_ours() -> None:
    inner = (
        f"<message xmlns='jabber:client' from='{MY_PHONE}' to='{ROMEO.bare}'>{PROPOSE}</message>"
    )
    message = read(carbon("sent", inner))
    assert message is not None
    assert message.kind is jmi.JmiKind.PROPOSE
    assert jmi.sent_by_us(message, ME)
    peer = read(direct(PROPOSE))
    assert peer is not None
    assert not jmi.sent_by_us(peer, ME)


def test_received_carbon_of_a_propose_is_read() -> None:
    inner = (
        f"<message xmlns='jabber:client' from='{ROMEO}' to='{MY_PHONE}' type='chat'>"
        f"{PROPOSE}</message>"
    )
    message = read(carbon("received", inner))
    assert message is not None
    assert (message.kind, message.carbon, message.sender) == (
        jmi.JmiKind.PROPOSE,
        jmi.Carbon.RECEIVED,
        ROMEO,
    )


@pytest.mark.parametrize("outer", [str(ROMEO), "juliet@capulet.example/evil", ""])
def test_forged_carbons_are_refused(outer: str) -> None:
    inner = f"<message xmlns='jabber:client' from='{MY_PHONE}' to='{ROMEO}'>{PROCEED}</message>"
    xml = carbon("sent", inner, outer)
    if not outer:
        xml = xml.replace("from='' ", "")
    with pytest.raises(MalformedSignalling):
        read(xml)


def test_carbons_without_a_call_message_are_left_to_the_message_translator() -> None:
    assert read(carbon("sent", "")) is None
    chat = (
        f"<message xmlns='jabber:client' from='{MY_PHONE}' to='{ROMEO}'><body>hi</body></message>"
    )
    assert read(carbon("sent", chat, outer_from=str(ROMEO))) is None


# --- writing


@pytest.mark.parametrize("kind", list(jmi.JmiKind))
def test_every_kind_round_trips(kind: jmi.JmiKind) -> None:
    reason = TerminateReason.BUSY if kind in (jmi.JmiKind.REJECT, jmi.JmiKind.FINISH) else None
    element = jmi.jmi_message(ROMEO, kind, CALL, reason=reason, text="t" if reason else "")
    assert element.get("type") == "chat"
    assert element.get("id") == CALL
    assert element.find("{urn:xmpp:hints}store") is not None
    element.set("from", str(ME))
    message = jmi.parse_jmi(ET.fromstring(ET.tostring(element)), ROMEO)
    assert message is not None
    assert (message.kind, message.call_id, message.sender, message.recipient) == (
        kind,
        CALL,
        ME,
        ROMEO,
    )
    assert message.reason is reason
    assert message.media == (("audio",) if kind is jmi.JmiKind.PROPOSE else ())
