"""Message stanzas from XML literals to typed events, one edge case per test."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from siproxylin.domain.events import (
    MessageErrorReceived,
    MessageReceived,
    StanzaRejected,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.xmpp.translate.messages import MAX_BODY_CHARS, translate_message

ACCOUNT = AccountId(1)
OWN = Jid.parse("bob@example.org/laptop")
NOW = 1_700_000_000.0


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)


def translate(text: str) -> object:
    return translate_message(parse(text), ACCOUNT, OWN, NOW)


def test_chat_message_with_ids() -> None:
    # language=XML
    event = translate("""
        <message xmlns='jabber:client' type='chat' id='m1'
                 from='alice@example.org/phone' to='bob@example.org/laptop'>
          <body>Hi Bob</body>
          <origin-id xmlns='urn:xmpp:sid:0' id='o-1'/>
          <stanza-id xmlns='urn:xmpp:sid:0' by='bob@example.org' id='s-1'/>
        </message>""")
    assert isinstance(event, MessageReceived)
    assert event.sender == Jid.parse("alice@example.org/phone")
    assert event.body == "Hi Bob"
    assert (event.message_id, event.origin_id, event.stanza_id) == ("m1", "o-1", "s-1")
    assert event.timestamp == NOW
    assert not event.delayed
    assert not event.outgoing


def test_stanza_id_from_someone_else_is_ignored() -> None:
    event = translate("""
        <message xmlns='jabber:client' type='chat' id='m1' from='alice@example.org/a'>
          <body>x</body>
          <stanza-id xmlns='urn:xmpp:sid:0' by='alice@example.org' id='forged'/>
        </message>""")
    assert isinstance(event, MessageReceived)
    assert event.stanza_id == ""


def test_origin_id_falls_back_to_message_id_then_to_a_local_one() -> None:
    with_id = translate(
        "<message xmlns='jabber:client' type='chat' id='abc' from='a@x/r'><body>x</body></message>"
    )
    without = translate(
        "<message xmlns='jabber:client' type='chat' from='a@x/r'><body>x</body></message>"
    )
    assert isinstance(with_id, MessageReceived)
    assert with_id.origin_id == "abc"
    assert isinstance(without, MessageReceived)
    assert without.origin_id.startswith("local-")


def test_delay_stamp_sets_timestamp() -> None:
    event = translate("""
        <message xmlns='jabber:client' type='chat' from='a@x/r'>
          <body>late</body><delay xmlns='urn:xmpp:delay' stamp='2023-01-02T03:04:05Z'/>
        </message>""")
    assert isinstance(event, MessageReceived)
    assert event.delayed
    assert event.timestamp == 1672628645.0


def test_delay_in_the_future_is_clamped_and_garbage_ignored() -> None:
    future = translate("""
        <message xmlns='jabber:client' type='chat' from='a@x/r'>
          <body>x</body><delay xmlns='urn:xmpp:delay' stamp='2999-01-01T00:00:00Z'/>
        </message>""")
    garbage = translate("""
        <message xmlns='jabber:client' type='chat' from='a@x/r'>
          <body>x</body><delay xmlns='urn:xmpp:delay' stamp='yesterday'/>
        </message>""")
    assert isinstance(future, MessageReceived)
    assert future.timestamp == NOW
    assert isinstance(garbage, MessageReceived)
    assert garbage.timestamp == NOW
    assert not garbage.delayed


def test_received_carbon_from_own_server() -> None:
    event = translate("""
        <message xmlns='jabber:client' from='bob@example.org' to='bob@example.org/laptop'>
          <received xmlns='urn:xmpp:carbons:2'>
            <forwarded xmlns='urn:xmpp:forward:0'>
              <message xmlns='jabber:client' type='chat' id='c1'
                       from='alice@example.org/phone' to='bob@example.org/desktop'>
                <body>to your other device</body>
              </message>
            </forwarded>
          </received>
        </message>""")
    assert isinstance(event, MessageReceived)
    assert not event.outgoing
    assert event.sender.bare == Jid.parse("alice@example.org")
    assert event.body == "to your other device"


def test_sent_carbon_is_outgoing() -> None:
    event = translate("""
        <message xmlns='jabber:client' from='bob@example.org' to='bob@example.org/laptop'>
          <sent xmlns='urn:xmpp:carbons:2'>
            <forwarded xmlns='urn:xmpp:forward:0'>
              <message xmlns='jabber:client' type='chat' id='c2'
                       from='bob@example.org/desktop' to='alice@example.org'>
                <body>from my desktop</body>
              </message>
            </forwarded>
          </sent>
        </message>""")
    assert isinstance(event, MessageReceived)
    assert event.outgoing
    assert event.recipient == Jid.parse("alice@example.org")


def test_forged_carbon_from_a_contact_is_rejected() -> None:
    event = translate("""
        <message xmlns='jabber:client' from='mallory@evil.example/x' to='bob@example.org/laptop'>
          <sent xmlns='urn:xmpp:carbons:2'>
            <forwarded xmlns='urn:xmpp:forward:0'>
              <message xmlns='jabber:client' type='chat'
                       from='bob@example.org/desktop' to='alice@example.org'>
                <body>I never wrote this</body>
              </message>
            </forwarded>
          </sent>
        </message>""")
    assert isinstance(event, StanzaRejected)
    assert "carbon" in event.why


def test_sent_carbon_claiming_another_author_is_rejected() -> None:
    event = translate("""
        <message xmlns='jabber:client' from='bob@example.org'>
          <sent xmlns='urn:xmpp:carbons:2'>
            <forwarded xmlns='urn:xmpp:forward:0'>
              <message xmlns='jabber:client' type='chat'
                       from='alice@example.org/x' to='carol@example.org'>
                <body>x</body>
              </message>
            </forwarded>
          </sent>
        </message>""")
    assert isinstance(event, StanzaRejected)


def test_carbon_without_forwarded_message_is_rejected() -> None:
    event = translate("""
        <message xmlns='jabber:client' from='bob@example.org'>
          <received xmlns='urn:xmpp:carbons:2'/>
        </message>""")
    assert isinstance(event, StanzaRejected)


def test_oversized_body_is_rejected() -> None:
    body = "a" * (MAX_BODY_CHARS + 1)
    event = translate(
        f"<message xmlns='jabber:client' type='chat' from='a@x/r'><body>{body}</body></message>"
    )
    assert isinstance(event, StanzaRejected)
    assert "characters" in event.why


def test_malformed_sender_is_rejected() -> None:
    event = translate(
        "<message xmlns='jabber:client' type='chat' from='a@@x/r'><body>x</body></message>"
    )
    assert isinstance(event, StanzaRejected)


def test_messages_without_body_and_groupchat_are_ignored() -> None:
    assert translate("<message xmlns='jabber:client' type='chat' from='a@x/r'/>") is None
    assert (
        translate(
            "<message xmlns='jabber:client' type='groupchat' from='r@muc.x/n'>"
            "<body>x</body></message>"
        )
        is None
    )
    assert (
        translate(
            "<message xmlns='jabber:client' type='headline' from='x'><body>news</body></message>"
        )
        is None
    )


def test_error_bounce() -> None:
    event = translate("""
        <message xmlns='jabber:client' type='error' id='o-9' from='nobody@example.org'>
          <error type='cancel'>
            <service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
            <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>gone</text>
          </error>
        </message>""")
    assert isinstance(event, MessageErrorReceived)
    assert event.origin_id == "o-9"
    assert event.detail == "service-unavailable: gone"


def test_oversized_ids_are_dropped_not_trusted() -> None:
    long_id = "x" * 1000
    event = translate(
        f"<message xmlns='jabber:client' type='chat' id='{long_id}' from='a@x/r'>"
        "<body>x</body></message>"
    )
    assert isinstance(event, MessageReceived)
    assert event.message_id == ""
    assert event.origin_id.startswith("local-")
