"""Which part of a message is decrypted, and what is never decrypted (forged input)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from siproxylin.domain.events import MessageReceived
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Encryption
from siproxylin.xmpp.omemo.engine import Decryption, archive_key, is_encrypted
from siproxylin.xmpp.omemo.link import _finish, encrypted_part

OWN = Jid.parse("me@example.org")
ROOM = Jid.parse("lobby@conference.example.org")
ROOMS = {ROOM: "me"}
ENCRYPTED = (
    "<encrypted xmlns='urn:xmpp:omemo:2'><header sid='1'/><payload>AAAA</payload></encrypted>"
)


def _xml(text: str) -> ET.Element:
    return ET.fromstring(text)


def _carbon(outer_from: str, kind: str = "received") -> ET.Element:
    return _xml(
        f"<message xmlns='jabber:client' from='{outer_from}' to='me@example.org/a'>"
        f"<{kind} xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
        "<message xmlns='jabber:client' from='bob@example.org/x' to='me@example.org'"
        f" type='chat'>{ENCRYPTED}</message></forwarded></{kind}></message>"
    )


def test_a_direct_encrypted_message_is_itself_the_part() -> None:
    xml = _xml(
        f"<message xmlns='jabber:client' from='bob@example.org/x' type='chat'>{ENCRYPTED}</message>"
    )
    assert encrypted_part(xml, OWN, ROOMS) is xml
    assert is_encrypted(xml)


def test_a_clear_message_has_nothing_to_decrypt() -> None:
    xml = _xml("<message xmlns='jabber:client' from='bob@example.org/x'><body>hi</body></message>")
    assert encrypted_part(xml, OWN, ROOMS) is None
    assert not is_encrypted(xml)


def test_carbons_from_our_server_are_decrypted_inside() -> None:
    for kind in ("received", "sent"):
        xml = _carbon("me@example.org", kind)
        part = encrypted_part(xml, OWN, ROOMS)
        assert part is not None
        assert part.get("from") == "bob@example.org/x"


def test_a_forged_carbon_is_never_decrypted() -> None:
    assert encrypted_part(_carbon("eve@example.org"), OWN, ROOMS) is None
    assert encrypted_part(_carbon("me@example.org/other"), OWN, ROOMS) is not None
    assert encrypted_part(_carbon("not a jid@@"), OWN, ROOMS) is None


def test_group_chat_only_from_rooms_we_are_in() -> None:
    here = _xml(
        f"<message xmlns='jabber:client' from='{ROOM}/bob' type='groupchat'>{ENCRYPTED}</message>"
    )
    elsewhere = _xml(
        "<message xmlns='jabber:client' from='attic@conference.example.org/bob'"
        f" type='groupchat'>{ENCRYPTED}</message>"
    )
    assert encrypted_part(here, OWN, ROOMS) is here
    assert encrypted_part(elsewhere, OWN, ROOMS) is None


def test_a_bounce_of_our_own_encrypted_message_is_not_decrypted() -> None:
    xml = _xml(
        "<message xmlns='jabber:client' from='bob@example.org' type='error'>"
        f"{ENCRYPTED}<error type='cancel'/></message>"
    )
    assert encrypted_part(xml, OWN, ROOMS) is None


def test_archive_key_uses_only_the_named_stamper() -> None:
    xml = _xml(
        "<message xmlns='jabber:client'>"
        "<stanza-id xmlns='urn:xmpp:sid:0' by='eve@example.org' id='forged'/>"
        "<stanza-id xmlns='urn:xmpp:sid:0' by='me@example.org' id='real'/></message>"
    )
    assert archive_key(xml, OWN) == "me@example.org/real"
    assert archive_key(xml, ROOM) == ""


def _received(body: str) -> MessageReceived:
    return MessageReceived(
        AccountId(1),
        sender=Jid.parse("bob@example.org/x"),
        recipient=OWN,
        body=body,
        message_id="m1",
        origin_id="o1",
        stanza_id="s1",
        timestamp=1.0,
    )


def test_finish_marks_how_it_travelled() -> None:
    event = _received("hello")
    assert _finish(event, None) is event
    done = _finish(event, Decryption(Encryption.OMEMO2))
    assert isinstance(done, MessageReceived)
    assert done.encryption is Encryption.OMEMO2
    assert done.decryption_error == ""
    failed = _finish(event, Decryption(Encryption.OMEMO, error="no session"))
    assert isinstance(failed, MessageReceived)
    assert failed.decryption_error == "no session"
    assert _finish(event, Decryption(Encryption.OMEMO, empty=True)) is None
