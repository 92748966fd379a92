"""Message features from XML literals: receipts, markers, states, corrections, replies,
reactions, retractions, moderation, threads, group chat and private messages in rooms."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from siproxylin.domain.events import (
    ChatStateReceived,
    MarkerReceived,
    MessageReceived,
    ReactionsReceived,
    ReceiptReceived,
    RetractionReceived,
    StanzaRejected,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, ChatState, OutgoingMessage
from siproxylin.xmpp import outgoing
from siproxylin.xmpp.translate.messages import translate_message

ACCOUNT = AccountId(1)
OWN = Jid.parse("bob@example.org/laptop")
NOW = 1_700_000_000.0
ROOM = Jid.parse("room@conference.example.org")
ROOMS = {ROOM: "bob"}


def translate(text: str) -> object:
    return translate_message(ET.fromstring(text), ACCOUNT, OWN, NOW, ROOMS)


def test_receipt_request_and_markable_are_reported() -> None:
    event = translate("""
        <message xmlns='jabber:client' type='chat' id='m1' from='alice@example.org/a'>
          <body>hi</body><request xmlns='urn:xmpp:receipts'/>
          <markable xmlns='urn:xmpp:chat-markers:0'/>
          <active xmlns='http://jabber.org/protocol/chatstates'/>
        </message>""")
    assert isinstance(event, MessageReceived)
    assert event.wants_receipt
    assert event.markable
    assert event.message_id == "m1"


def test_receipt() -> None:
    event = translate("""
        <message xmlns='jabber:client' from='alice@example.org/a'>
          <received xmlns='urn:xmpp:receipts' id='m1'/>
        </message>""")
    assert event == ReceiptReceived(ACCOUNT, Jid.parse("alice@example.org/a"), "m1")


def test_displayed_marker_from_peer_and_from_our_other_device() -> None:
    peer = translate("""
        <message xmlns='jabber:client' type='chat' from='alice@example.org/a'>
          <displayed xmlns='urn:xmpp:chat-markers:0' id='m7'/>
        </message>""")
    assert isinstance(peer, MarkerReceived)
    assert (peer.target_id, peer.outgoing) == ("m7", False)
    ours = translate("""
        <message xmlns='jabber:client' from='bob@example.org' type='chat'>
          <sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>
            <message xmlns='jabber:client' type='chat' from='bob@example.org/phone'
                     to='alice@example.org'>
              <displayed xmlns='urn:xmpp:chat-markers:0' id='m8'/>
            </message></forwarded></sent>
        </message>""")
    assert isinstance(ours, MarkerReceived)
    assert ours.outgoing
    assert ours.recipient == Jid.parse("alice@example.org")


def test_chat_states() -> None:
    event = translate("""
        <message xmlns='jabber:client' type='chat' from='alice@example.org/a'>
          <composing xmlns='http://jabber.org/protocol/chatstates'/>
        </message>""")
    assert event == ChatStateReceived(
        ACCOUNT, Jid.parse("alice@example.org/a"), ChatState.COMPOSING
    )


def test_correction_names_the_original() -> None:
    event = translate("""
        <message xmlns='jabber:client' type='chat' id='m2' from='alice@example.org/a'>
          <body>fixed</body><replace xmlns='urn:xmpp:message-correct:0' id='m1'/>
        </message>""")
    assert isinstance(event, MessageReceived)
    assert (event.body, event.replaces) == ("fixed", "m1")


def test_reply_with_its_fallback_cut_from_the_body() -> None:
    event = translate("""
        <message xmlns='jabber:client' type='chat' id='m3' from='alice@example.org/a'>
          <body>&gt; Anna wrote:
&gt; how are you?
I'm fine</body>
          <reply xmlns='urn:xmpp:reply:0' to='bob@example.org/laptop' id='m0'/>
          <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'>
            <body start='0' end='29'/>
          </fallback>
          <thread>t-42</thread>
        </message>""")
    assert isinstance(event, MessageReceived)
    assert event.body == "I'm fine"
    assert (event.reply_to, event.reply_to_jid, event.thread) == (
        "m0",
        "bob@example.org/laptop",
        "t-42",
    )


def test_a_bad_fallback_range_keeps_the_whole_body() -> None:
    event = translate("""
        <message xmlns='jabber:client' type='chat' from='alice@example.org/a'>
          <body>short</body><reply xmlns='urn:xmpp:reply:0' id='m0'/>
          <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'>
            <body start='0' end='999'/>
          </fallback>
        </message>""")
    assert isinstance(event, MessageReceived)
    assert event.body == "short"


def test_reactions_are_deduplicated_and_may_be_empty() -> None:
    event = translate("""
        <message xmlns='jabber:client' type='chat' from='alice@example.org/a'>
          <reactions xmlns='urn:xmpp:reactions:0' id='m1'>
            <reaction>👍</reaction><reaction>🐢</reaction><reaction>👍</reaction>
            <reaction>  </reaction>
          </reactions>
        </message>""")
    assert isinstance(event, ReactionsReceived)
    assert (event.target_id, event.emojis) == ("m1", ("👍", "🐢"))
    removed = translate("""
        <message xmlns='jabber:client' type='chat' from='alice@example.org/a'>
          <reactions xmlns='urn:xmpp:reactions:0' id='m1'/>
        </message>""")
    assert isinstance(removed, ReactionsReceived)
    assert removed.emojis == ()


def test_reactions_without_a_target_are_rejected() -> None:
    event = translate("""
        <message xmlns='jabber:client' type='chat' from='alice@example.org/a'>
          <reactions xmlns='urn:xmpp:reactions:0'><reaction>👍</reaction></reactions>
        </message>""")
    assert isinstance(event, StanzaRejected)


def test_too_many_reactions_are_rejected() -> None:
    many = "".join(f"<reaction>{chr(0x1F600 + i)}</reaction>" for i in range(40))
    event = translate(f"""
        <message xmlns='jabber:client' type='chat' from='alice@example.org/a'>
          <reactions xmlns='urn:xmpp:reactions:0' id='m1'>{many}</reactions>
        </message>""")
    assert isinstance(event, StanzaRejected)


def test_retraction_both_versions_win_over_the_fallback_body() -> None:
    new = translate("""
        <message xmlns='jabber:client' type='chat' from='alice@example.org/a'>
          <retract xmlns='urn:xmpp:message-retract:1' id='m1'/>
          <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:message-retract:1'/>
          <body>This person attempted to retract a previous message</body>
        </message>""")
    old = translate("""
        <message xmlns='jabber:client' type='chat' from='alice@example.org/a'>
          <apply-to xmlns='urn:xmpp:fasten:0' id='m1'>
            <retract xmlns='urn:xmpp:message-retract:0'/>
          </apply-to>
        </message>""")
    for event in (new, old):
        assert isinstance(event, RetractionReceived)
        assert (event.target_id, event.moderated_by) == ("m1", "")


def test_groupchat_from_a_joined_room() -> None:
    event = translate("""
        <message xmlns='jabber:client' type='groupchat' id='g1'
                 from='room@conference.example.org/alice'>
          <body>hello room</body>
          <stanza-id xmlns='urn:xmpp:sid:0' by='room@conference.example.org' id='rs-1'/>
          <stanza-id xmlns='urn:xmpp:sid:0' by='bob@example.org' id='forged'/>
          <occupant-id xmlns='urn:xmpp:occupant-id:0' id='occ-a'/>
        </message>""")
    assert isinstance(event, MessageReceived)
    assert event.kind is ChatKind.GROUPCHAT
    assert (event.stanza_id, event.occupant_id, event.outgoing) == ("rs-1", "occ-a", False)
    assert not event.wants_receipt


def test_our_own_reflection_in_a_room_is_outgoing() -> None:
    event = translate("""
        <message xmlns='jabber:client' type='groupchat' id='o1'
                 from='room@conference.example.org/bob'>
          <body>mine</body><origin-id xmlns='urn:xmpp:sid:0' id='o1'/>
        </message>""")
    assert isinstance(event, MessageReceived)
    assert event.outgoing
    assert event.origin_id == "o1"


def test_groupchat_from_a_room_we_are_not_in_is_ignored() -> None:
    assert (
        translate("""
        <message xmlns='jabber:client' type='groupchat' from='other@conference.example.org/x'>
          <body>hi</body>
        </message>""")
        is None
    )


def test_private_message_from_an_occupant() -> None:
    event = translate("""
        <message xmlns='jabber:client' type='chat' from='room@conference.example.org/alice'>
          <body>psst</body><x xmlns='http://jabber.org/protocol/muc#user'/>
        </message>""")
    assert isinstance(event, MessageReceived)
    assert event.kind is ChatKind.GROUPCHAT_PM


def test_moderation_from_the_room_both_versions() -> None:
    new = translate("""
        <message xmlns='jabber:client' type='groupchat' from='room@conference.example.org'>
          <retract xmlns='urn:xmpp:message-retract:1' id='rs-1'>
            <moderated xmlns='urn:xmpp:message-moderate:1'
                       by='room@conference.example.org/mod'/>
            <reason>spam</reason>
          </retract>
        </message>""")
    old = translate("""
        <message xmlns='jabber:client' type='groupchat' from='room@conference.example.org'>
          <apply-to xmlns='urn:xmpp:fasten:0' id='rs-1'>
            <moderated xmlns='urn:xmpp:message-moderate:0' by='room@conference.example.org/mod'>
              <retract xmlns='urn:xmpp:message-retract:0'/><reason>spam</reason>
            </moderated>
          </apply-to>
        </message>""")
    for event in (new, old):
        assert isinstance(event, RetractionReceived)
        assert event.target_id == "rs-1"
        assert event.moderated_by == "room@conference.example.org/mod"
        assert event.reason == "spam"


def test_moderation_claimed_by_an_occupant_is_rejected() -> None:
    event = translate("""
        <message xmlns='jabber:client' type='groupchat' from='room@conference.example.org/eve'>
          <retract xmlns='urn:xmpp:message-retract:1' id='rs-1'>
            <moderated xmlns='urn:xmpp:message-moderate:1' by='room@conference.example.org/eve'/>
          </retract>
        </message>""")
    assert isinstance(event, StanzaRejected)


def test_a_message_from_our_own_address_is_outgoing_to_its_recipient() -> None:
    # As in an archive result: our own message to Alice.
    event = translate("""
        <message xmlns='jabber:client' type='chat' from='bob@example.org/phone'
                 to='alice@example.org'>
          <body>sent elsewhere</body>
        </message>""")
    assert isinstance(event, MessageReceived)
    assert event.outgoing
    assert event.recipient == Jid.parse("alice@example.org")


def test_built_stanzas_read_back_as_the_same_features() -> None:
    alice = Jid.parse("alice@example.org")
    message = OutgoingMessage(
        to=alice,
        body="> quoted\nanswer",
        origin_id="o-9",
        thread="t-1",
        reply_to="m0",
        reply_to_jid="alice@example.org/a",
        fallback_length=len("> quoted\n"),
        replaces="o-8",
    )
    stanza = outgoing.chat_message(message)
    stanza.set("from", "bob@example.org/laptop")
    stanza.set("to", "alice@example.org")
    # Read it as Alice would (from her side our address is the sender).
    event = translate_message(stanza, ACCOUNT, Jid.parse("alice@example.org/a"), NOW)
    assert isinstance(event, MessageReceived)
    assert (event.body, event.thread, event.reply_to, event.replaces) == (
        "answer",
        "t-1",
        "m0",
        "o-8",
    )
    assert event.wants_receipt
    assert event.markable
    reactions = outgoing.reactions(alice, ChatKind.CHAT, "o-9", ("👍",))
    reactions.set("from", "bob@example.org/laptop")
    event = translate_message(reactions, ACCOUNT, Jid.parse("alice@example.org/a"), NOW)
    assert isinstance(event, ReactionsReceived)
    assert event.emojis == ("👍",)
    retraction = outgoing.retraction(alice, ChatKind.CHAT, "o-9", "o-10")
    retraction.set("from", "bob@example.org/laptop")
    event = translate_message(retraction, ACCOUNT, Jid.parse("alice@example.org/a"), NOW)
    assert isinstance(event, RetractionReceived)
    assert event.target_id == "o-9"
