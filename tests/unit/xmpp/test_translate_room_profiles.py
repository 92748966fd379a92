"""Room avatars and our own nickname from XML literals: a room's own presence, its
disco#info form, and our PEP nickname node."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from siproxylin.domain.events import AvatarAnnounced
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.profiles import AvatarSource
from siproxylin.xmpp import profile_stanzas
from siproxylin.xmpp.translate.profiles import (
    own_nickname,
    room_avatar_hash,
    translate_room_profile,
)

ACCOUNT = AccountId(1)
ROOM = Jid.parse("lounge@conference.example.org")
ROOMS = {ROOM: "me"}
H1 = "a" * 40


def presence(sender: str, inner: str = "", ptype: str = "") -> ET.Element:
    kind = f" type='{ptype}'" if ptype else ""
    # language=XML
    return ET.fromstring(
        f"<presence xmlns='jabber:client' from='{sender}' to='me@example.org/r'{kind}>"
        f"{inner}</presence>"
    )


def photo(text: str) -> str:
    return f"<x xmlns='vcard-temp:x:update'><photo>{text}</photo></x>"


def test_the_rooms_own_presence_announces_its_avatar() -> None:
    events = translate_room_profile(presence(str(ROOM), photo(H1.upper())), ACCOUNT, ROOMS)
    assert events == [AvatarAnnounced(ACCOUNT, ROOM, H1, AvatarSource.VCARD)]


def test_an_empty_photo_means_no_avatar() -> None:
    events = translate_room_profile(
        presence(str(ROOM), "<x xmlns='vcard-temp:x:update'><photo/></x>"), ACCOUNT, ROOMS
    )
    assert events == [AvatarAnnounced(ACCOUNT, ROOM, "", AvatarSource.VCARD)]


def test_an_occupants_hash_is_not_the_rooms() -> None:
    # The occupant's own avatar: left to the MUC translator.
    assert translate_room_profile(presence(f"{ROOM}/alice", photo(H1)), ACCOUNT, ROOMS) is None


def test_presence_from_a_room_we_are_not_in_is_not_read() -> None:
    other = "elsewhere@conference.example.org"
    assert translate_room_profile(presence(other, photo(H1)), ACCOUNT, ROOMS) is None
    assert translate_room_profile(presence("not a jid@@", photo(H1)), ACCOUNT, ROOMS) is None


@pytest.mark.parametrize(
    ("inner", "ptype"),
    [
        (photo("not-a-hash"), ""),
        ("", ""),
        ("<x xmlns='vcard-temp:x:update'/>", ""),
        (photo(H1), "unavailable"),
    ],
)
def test_the_rooms_presence_without_a_usable_hash_says_nothing(inner: str, ptype: str) -> None:
    assert translate_room_profile(presence(str(ROOM), inner, ptype), ACCOUNT, ROOMS) == []


def info(fields: str) -> ET.Element:
    # language=XML
    return ET.fromstring(f"""
        <query xmlns='http://jabber.org/protocol/disco#info'>
          <identity category='conference' type='text' name='Lounge'/>
          <x xmlns='jabber:x:data' type='result'>
            <field var='FORM_TYPE' type='hidden'>
              <value>http://jabber.org/protocol/muc#roominfo</value>
            </field>
            {fields}
          </x>
        </query>""")


def test_disco_info_avatar_hash_of_xep_0486_and_prosody() -> None:
    xep = f"<field var='muc#roominfo_avatarhash'><value>{H1}</value></field>"
    assert room_avatar_hash(info(xep)) == H1
    prosody = (
        "<field var='{http://modules.prosody.im/mod_vcard_muc}avatar#sha1'"
        f" type='text-single'><value>{H1.upper()}</value></field>"
    )
    assert room_avatar_hash(info(prosody)) == H1


def test_disco_info_without_or_with_an_empty_hash() -> None:
    assert room_avatar_hash(info("")) is None
    assert room_avatar_hash(None) is None
    empty = "<field var='muc#roominfo_avatarhash'/>"
    assert room_avatar_hash(info(empty)) == ""
    bad = "<field var='muc#roominfo_avatarhash'><value>xyz</value></field>"
    assert room_avatar_hash(info(bad)) == ""


def test_own_nickname_from_the_pep_node() -> None:
    # language=XML
    result = ET.fromstring("""
        <iq xmlns='jabber:client' type='result'>
          <pubsub xmlns='http://jabber.org/protocol/pubsub'>
            <items node='http://jabber.org/protocol/nick'>
              <item id='current'><nick xmlns='http://jabber.org/protocol/nick'>  Me
                Myself </nick></item>
            </items>
          </pubsub>
        </iq>""")
    assert own_nickname(result) == "Me Myself"
    # language=XML
    empty = ET.fromstring("<iq xmlns='jabber:client' type='result'/>")
    assert own_nickname(empty) == ""


def test_fetch_items_asks_the_newest_item() -> None:
    query = profile_stanzas.fetch_items("http://jabber.org/protocol/nick", 1)
    items = query.find("{http://jabber.org/protocol/pubsub}items")
    assert items is not None
    assert items.get("node") == "http://jabber.org/protocol/nick"
    assert items.get("max_items") == "1"
