"""Profiles from XML literals: avatar metadata and data, presence hashes, nicknames, vCards,
and the payloads we publish."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import pytest

from siproxylin.domain.events import AvatarAnnounced, NicknameReceived, StanzaRejected
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.profiles import MAX_AVATAR_BYTES, AvatarSource, ProfileError, VCard
from siproxylin.xmpp import profile_stanzas
from siproxylin.xmpp.translate.profiles import (
    avatar_data,
    parse_vcard,
    translate_presence_profile,
    translate_profile_event,
)

ACCOUNT = AccountId(1)
ALICE = Jid.parse("alice@example.org")
H1 = "1" * 40
H2 = "2" * 40


def event(node: str, item: str) -> ET.Element:
    return ET.fromstring(f"""
        <message xmlns='jabber:client' from='alice@example.org' to='bob@example.org/b'>
          <event xmlns='http://jabber.org/protocol/pubsub#event'>
            <items node='{node}'>{item}</items>
          </event>
        </message>""")


def metadata(infos: str) -> ET.Element:
    return event(
        "urn:xmpp:avatar:metadata",
        f"<item id='{H1}'><metadata xmlns='urn:xmpp:avatar:metadata'>{infos}</metadata></item>",
    )


def test_metadata_with_several_infos_prefers_png_and_skips_urls() -> None:
    events = translate_profile_event(
        metadata(
            f"<info id='{H2}' bytes='10' type='image/jpeg'/>"
            f"<info id='{'3' * 40}' bytes='10' type='image/png' url='https://x.example/a.png'/>"
            f"<info id='{H1}' bytes='12' type='image/png'/>"
        ),
        ACCOUNT,
    )
    assert events == [AvatarAnnounced(ACCOUNT, ALICE, H1, AvatarSource.PEP)]


def test_empty_metadata_turns_the_avatar_off() -> None:
    assert translate_profile_event(metadata(""), ACCOUNT) == [
        AvatarAnnounced(ACCOUNT, ALICE, "", AvatarSource.PEP)
    ]


@pytest.mark.parametrize(
    "info",
    [
        "<info id='not-a-hash' bytes='10' type='image/png'/>",
        f"<info id='{'AB' * 20}' bytes='10' type='image/png'/>",
        f"<info id='{H1}' bytes='{MAX_AVATAR_BYTES + 1}' type='image/png'/>",
        f"<info id='{H1}' bytes='lots' type='image/png'/>",
    ],
)
def test_bad_hashes_or_sizes_are_rejected(info: str) -> None:
    events = translate_profile_event(metadata(info), ACCOUNT)
    assert events is not None
    assert [type(e) for e in events] == [StanzaRejected]


def test_other_nodes_are_left_alone() -> None:
    assert translate_profile_event(event("urn:xmpp:mds:displayed:0", ""), ACCOUNT) is None


def test_nickname_from_pep_and_its_retraction() -> None:
    published = event(
        "http://jabber.org/protocol/nick",
        "<item id='current'><nick xmlns='http://jabber.org/protocol/nick'>  Al  ice </nick></item>",
    )
    assert translate_profile_event(published, ACCOUNT) == [
        NicknameReceived(ACCOUNT, ALICE, "Al ice")
    ]
    retracted = event("http://jabber.org/protocol/nick", "<retract id='current'/>")
    assert translate_profile_event(retracted, ACCOUNT) == [NicknameReceived(ACCOUNT, ALICE, "")]


def test_presence_photo_hash_and_nick_in_subscription_request() -> None:
    available = ET.fromstring(f"""
        <presence xmlns='jabber:client' from='alice@example.org/phone'>
          <x xmlns='vcard-temp:x:update'><photo>{H2}</photo></x>
        </presence>""")
    assert translate_presence_profile(available, ACCOUNT) == [
        AvatarAnnounced(ACCOUNT, ALICE, H2, AvatarSource.VCARD)
    ]
    subscribe = ET.fromstring("""
        <presence xmlns='jabber:client' from='alice@example.org' type='subscribe'>
          <nick xmlns='http://jabber.org/protocol/nick'>Alice</nick>
        </presence>""")
    assert translate_presence_profile(subscribe, ACCOUNT) == [
        NicknameReceived(ACCOUNT, ALICE, "Alice")
    ]


@pytest.mark.parametrize(
    "x",
    [
        "<x xmlns='vcard-temp:x:update'/>",  # not ready to say
        "<x xmlns='vcard-temp:x:update'><photo>zz</photo></x>",  # malformed
        "",
    ],
)
def test_presence_without_a_usable_hash_says_nothing(x: str) -> None:
    xml = ET.fromstring(
        f"<presence xmlns='jabber:client' from='alice@example.org/a'>{x}</presence>"
    )
    assert translate_presence_profile(xml, ACCOUNT) == []


def data_result(item_id: str, text: str) -> ET.Element:
    return ET.fromstring(f"""
        <iq xmlns='jabber:client' type='result' from='alice@example.org'>
          <pubsub xmlns='http://jabber.org/protocol/pubsub'>
            <items node='urn:xmpp:avatar:data'>
              <item id='{item_id}'><data xmlns='urn:xmpp:avatar:data'>{text}</data></item>
            </items>
          </pubsub>
        </iq>""")


def test_avatar_data_is_decoded() -> None:
    encoded = base64.b64encode(b"picture").decode()
    assert avatar_data(data_result(H1, encoded[:4] + "\n" + encoded[4:]), H1) == b"picture"


@pytest.mark.parametrize(
    ("item_id", "text", "why"),
    [
        (H2, "cGljdHVyZQ==", "not found"),
        (H1, "!!not base64!!", "not base64"),
        (H1, "A" * (MAX_AVATAR_BYTES * 2), "too big"),
    ],
)
def test_bad_avatar_data_is_a_clear_error(item_id: str, text: str, why: str) -> None:
    with pytest.raises(ProfileError, match=why):
        avatar_data(data_result(item_id, text), H1)


def test_vcard_with_photo() -> None:
    photo = base64.b64encode(b"\x89PNG\r\n\x1a\nrest").decode()
    card = parse_vcard(
        ET.fromstring(f"""
        <iq xmlns='jabber:client' type='result'>
          <vCard xmlns='vcard-temp'>
            <FN>Alice Liddell</FN><NICKNAME>Al</NICKNAME><URL>https://alice.example</URL>
            <DESC>Down the rabbit hole</DESC>
            <EMAIL><INTERNET/><USERID>alice@example.org</USERID></EMAIL>
            <PHOTO><TYPE>image/png</TYPE><BINVAL>{photo}</BINVAL></PHOTO>
          </vCard>
        </iq>""")
    )
    assert card == VCard(
        "Alice Liddell",
        "Al",
        "alice@example.org",
        "https://alice.example",
        "Down the rabbit hole",
        "image/png",
        b"\x89PNG\r\n\x1a\nrest",
    )


def test_vcard_without_photo_and_missing_vcard() -> None:
    card = parse_vcard(ET.fromstring("<vCard xmlns='vcard-temp'><FN>Bob</FN></vCard>"))
    assert card == VCard(full_name="Bob")
    assert parse_vcard(ET.fromstring("<iq xmlns='jabber:client' type='result'/>")).empty


def test_vcard_with_a_huge_or_malformed_photo_is_refused() -> None:
    for binval in ("A" * (MAX_AVATAR_BYTES * 2), "@@@"):
        xml = ET.fromstring(
            f"<vCard xmlns='vcard-temp'><PHOTO><BINVAL>{binval}</BINVAL></PHOTO></vCard>"
        )
        with pytest.raises(ProfileError):
            parse_vcard(xml)


def test_published_vcard_keeps_the_stored_photo_and_other_fields() -> None:
    stored = ET.fromstring(
        "<vCard xmlns='vcard-temp'><FN>Old</FN><BDAY>1900-01-01</BDAY>"
        "<PHOTO><TYPE>image/png</TYPE><BINVAL>cGljdHVyZQ==</BINVAL></PHOTO></vCard>"
    )
    element = profile_stanzas.vcard(VCard(full_name="New", note="hi"), stored)
    card = parse_vcard(element)
    assert (card.full_name, card.note, card.photo) == ("New", "hi", b"picture")
    assert element.find("{vcard-temp}BDAY") is not None


def test_publish_payload_carries_the_access_model() -> None:
    element = profile_stanzas.publish(
        "urn:xmpp:avatar:metadata",
        H1,
        profile_stanzas.avatar_metadata(H1, 12, "image/png", 2, 2),
        "presence",
    )
    text = ET.tostring(element, encoding="unicode")
    assert "pubsub#access_model" in text
    assert ">presence<" in text
    assert f'id="{H1}"' in text
