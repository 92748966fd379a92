"""XEP-0420 envelopes for OMEMO 2: what is built, and what a receiver refuses."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from siproxylin.domain.ids import Jid
from siproxylin.xmpp.omemo.sce import EnvelopeError, build_envelope, parse_envelope

ALICE = Jid.parse("alice@example.org/phone")
BOB = Jid.parse("bob@example.org")
NOW = 1_700_000_000.0


def _body(text: str) -> ET.Element:
    body = ET.Element("{jabber:client}body")
    body.text = text
    return body


def _envelope(inner: str, to: str = "bob@example.org", sender: str = "alice@example.org") -> bytes:
    return (
        "<envelope xmlns='urn:xmpp:sce:1'><content>"
        f"{inner}</content><rpad>xyz</rpad><time stamp='2023-11-14T22:13:20Z'/>"
        f"<to jid='{to}'/><from jid='{sender}'/></envelope>"
    ).encode()


def test_round_trip_keeps_content_and_escapes_text() -> None:
    reply = ET.Element("{urn:xmpp:reply:0}reply", {"id": "m1"})
    data = build_envelope([_body("<b> & 'q'"), reply], BOB, ALICE, NOW, pad=10)
    content = parse_envelope(data, BOB, ALICE.bare, NOW)
    assert [c.tag for c in content] == ["{jabber:client}body", "{urn:xmpp:reply:0}reply"]
    assert content[0].text == "<b> & 'q'"
    assert content[1].get("id") == "m1"
    envelope = ET.fromstring(data)
    ns = "{urn:xmpp:sce:1}"
    assert len(envelope.findtext(f"{ns}rpad") or "") == 10
    assert envelope.find(f"{ns}to").get("jid") == "bob@example.org"  # type: ignore[union-attr]
    assert envelope.find(f"{ns}from").get("jid") == str(ALICE)  # type: ignore[union-attr]
    assert envelope.find(f"{ns}time").get("stamp") == "2023-11-14T22:13:20Z"  # type: ignore[union-attr]


def test_padding_is_random_in_length() -> None:
    lengths = {
        len(
            ET.fromstring(build_envelope([_body("x")], BOB, ALICE, NOW)).findtext(
                "{urn:xmpp:sce:1}rpad"
            )
            or ""
        )
        for _ in range(30)
    }
    assert len(lengths) > 5


def test_a_valid_foreign_envelope_is_read() -> None:
    content = parse_envelope(_envelope("<body xmlns='jabber:client'>hi</body>"), BOB, ALICE, NOW)
    assert content[0].text == "hi"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (_envelope("<body xmlns='jabber:client'>x</body>", to="eve@example.org"), "<to/>"),
        (_envelope("<body xmlns='jabber:client'>x</body>", sender="eve@example.org"), "<from/>"),
        (_envelope("<body xmlns='jabber:client'>x</body>", to="not an address@@"), "bad <to/>"),
        (
            _envelope("<stanza-id xmlns='urn:xmpp:sid:0' by='bob@example.org' id='forged'/>"),
            "stanza-id",
        ),
        (_envelope("<delay xmlns='urn:xmpp:delay' stamp='2001-01-01T00:00:00Z'/>"), "delay"),
        (b"<envelope xmlns='urn:xmpp:sce:1'><to jid='bob@example.org'/></envelope>", "no content"),
        (b"<message xmlns='jabber:client'/>", "not an envelope"),
        (b"<envelope xmlns='urn:xmpp:sce:1'><content>", "not XML"),
        (b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><envelope xmlns='urn:xmpp:sce:1'/>", "document type"),
        (b"<x>" + b"a" * 300_000 + b"</x>", "too large"),
    ],
)
def test_bad_envelopes_are_refused(data: bytes, why: str) -> None:
    with pytest.raises(EnvelopeError, match=why.replace("<", ".").replace(">", ".")):
        parse_envelope(data, BOB, ALICE, NOW)


def test_missing_affixes_are_refused() -> None:
    data = b"<envelope xmlns='urn:xmpp:sce:1'><content/><to jid='bob@example.org'/></envelope>"
    with pytest.raises(EnvelopeError, match="no <from/>"):
        parse_envelope(data, BOB, ALICE, NOW)


def test_time_in_the_future_is_refused_and_the_past_is_fine() -> None:
    data = build_envelope([_body("x")], BOB, ALICE, NOW + 3600)
    with pytest.raises(EnvelopeError, match="future"):
        parse_envelope(data, BOB, ALICE, NOW)
    old = build_envelope([_body("x")], BOB, ALICE, NOW - 86400 * 365)
    assert parse_envelope(old, BOB, ALICE, NOW)[0].text == "x"
    skewed = build_envelope([_body("x")], BOB, ALICE, NOW + 60)  # a little clock skew
    assert parse_envelope(skewed, BOB, ALICE, NOW)[0].text == "x"


def test_a_room_envelope_names_the_room() -> None:
    room = Jid.parse("lobby@conference.example.org")
    data = build_envelope([_body("all")], room, ALICE, NOW)
    assert parse_envelope(data, room, ALICE, NOW)[0].text == "all"
    with pytest.raises(EnvelopeError, match="<to/>"):
        parse_envelope(data, BOB, ALICE, NOW)
