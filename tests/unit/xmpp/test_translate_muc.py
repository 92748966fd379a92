"""Group chat stanzas from XML literals to typed values and events, and commands to XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from siproxylin.domain.errors import RoomError
from siproxylin.domain.events import (
    BookmarksReceived,
    InvitationDeclined,
    InvitationReceived,
    RoomJoinFailed,
    RoomNoticeReceived,
    RoomSubjectReceived,
    StanzaRejected,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Affiliation, Availability, Bookmark, Role, RoomConfig
from siproxylin.xmpp import muc_stanzas
from siproxylin.xmpp.translate.muc import (
    MucPresence,
    form_fields,
    is_muc_message,
    is_registered,
    is_room_presence,
    parse_bookmarks,
    parse_legacy_bookmarks,
    parse_room_info,
    translate_muc_message,
    translate_muc_presence,
)

ACCOUNT = AccountId(2)
OWN = Jid.parse("me@example.org/desk")
ROOM = Jid.parse("lobby@conference.example.org")
ROOMS = {ROOM: "me"}
MUC_USER = "http://jabber.org/protocol/muc#user"


def _presence(
    body: str, sender: str = "lobby@conference.example.org/alice", kind: str = ""
) -> ET.Element:
    type_attr = f" type='{kind}'" if kind else ""
    return ET.fromstring(
        f"<presence xmlns='jabber:client' from='{sender}' to='me@example.org/desk'{type_attr}>"
        f"{body}</presence>"
    )


def test_occupant_presence_with_role_affiliation_real_jid_and_occupant_id() -> None:
    xml = _presence(
        f"<show>away</show><status>lunch</status>"
        f"<x xmlns='{MUC_USER}'><item affiliation='admin' role='moderator'"
        f" jid='alice@example.org/phone'/></x>"
        "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='oid-1'/>"
    )
    result = translate_muc_presence(xml, ACCOUNT, ROOMS)
    assert isinstance(result, MucPresence)
    assert result.room == ROOM
    assert not result.own
    occupant = result.change.occupant
    assert occupant is not None
    assert (occupant.nick, occupant.role, occupant.affiliation) == (
        "alice",
        Role.MODERATOR,
        Affiliation.ADMIN,
    )
    assert occupant.real_jid == Jid.parse("alice@example.org/phone")
    assert occupant.occupant_id == "oid-1"
    assert (occupant.availability, occupant.status) == (Availability.AWAY, "lunch")


def test_own_presence_of_a_new_room() -> None:
    xml = _presence(
        f"<x xmlns='{MUC_USER}'><item affiliation='owner' role='moderator'/>"
        "<status code='110'/><status code='201'/></x>",
        sender="lobby@conference.example.org/me",
    )
    result = translate_muc_presence(xml, ACCOUNT, ROOMS)
    assert isinstance(result, MucPresence)
    assert result.own
    assert result.created
    assert result.change.occupant is not None
    assert result.change.occupant.own


@pytest.mark.parametrize(
    ("code", "reason"),
    [("307", RoomError.KICKED), ("301", RoomError.BANNED), ("321", RoomError.AFFILIATION_LOST)],
)
def test_own_unavailable_presence_says_why_we_are_out(code: str, reason: RoomError) -> None:
    xml = _presence(
        f"<x xmlns='{MUC_USER}'><item affiliation='none' role='none'>"
        "<actor nick='boss'/><reason>spam</reason></item>"
        f"<status code='110'/><status code='{code}'/></x>",
        sender="lobby@conference.example.org/me",
        kind="unavailable",
    )
    result = translate_muc_presence(xml, ACCOUNT, ROOMS)
    assert isinstance(result, MucPresence)
    assert result.exit is reason
    assert (result.change.actor, result.change.reason) == ("boss", "spam")


def test_nick_change_is_not_an_exit() -> None:
    xml = _presence(
        f"<x xmlns='{MUC_USER}'><item nick='me2' role='participant'/>"
        "<status code='110'/><status code='303'/></x>",
        sender="lobby@conference.example.org/me",
        kind="unavailable",
    )
    result = translate_muc_presence(xml, ACCOUNT, ROOMS)
    assert isinstance(result, MucPresence)
    assert result.exit is None
    assert result.change.new_nick == "me2"


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ("not-authorized", RoomError.PASSWORD_REQUIRED),
        ("forbidden", RoomError.BANNED),
        ("conflict", RoomError.NICK_CONFLICT),
        ("registration-required", RoomError.MEMBERS_ONLY),
        ("service-unavailable", RoomError.FULL),
        ("item-not-found", RoomError.LOCKED),
        ("undefined-condition", RoomError.OTHER),
    ],
)
def test_join_errors_are_typed(condition: str, reason: RoomError) -> None:
    xml = _presence(
        "<x xmlns='http://jabber.org/protocol/muc'/><error type='auth'>"
        f"<{condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
        "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>nope</text></error>",
        sender="lobby@conference.example.org/me",
        kind="error",
    )
    event = translate_muc_presence(xml, ACCOUNT, ROOMS)
    assert event == RoomJoinFailed(ACCOUNT, ROOM, "me", reason, "nope")
    assert reason.text


def test_forged_room_presence_from_a_stranger_is_rejected() -> None:
    xml = _presence(
        f"<x xmlns='{MUC_USER}'><item affiliation='owner' role='moderator'/>"
        "<status code='110'/></x>",
        sender="evil@example.net/me",
    )
    assert is_room_presence(xml, ROOMS)
    assert isinstance(translate_muc_presence(xml, ACCOUNT, ROOMS), StanzaRejected)


def test_malformed_sender_and_missing_nick_are_rejected() -> None:
    assert isinstance(
        translate_muc_presence(_presence("", sender="a@@b"), ACCOUNT, ROOMS), StanzaRejected
    )
    bare = _presence(f"<x xmlns='{MUC_USER}'/>", sender="lobby@conference.example.org")
    assert isinstance(translate_muc_presence(bare, ACCOUNT, ROOMS), StanzaRejected)


def test_contact_presence_is_not_for_the_muc_translator() -> None:
    assert not is_room_presence(_presence("", sender="bob@example.org/x"), ROOMS)


def _message(body: str, sender: str, kind: str = "") -> ET.Element:
    type_attr = f" type='{kind}'" if kind else ""
    return ET.fromstring(
        f"<message xmlns='jabber:client' from='{sender}' to='me@example.org/desk'{type_attr}>"
        f"{body}</message>"
    )


def test_subject_from_a_joined_room() -> None:
    xml = _message("<subject>Plans</subject>", "lobby@conference.example.org/alice", "groupchat")
    assert is_muc_message(xml)
    event = translate_muc_message(xml, ACCOUNT, OWN, ROOMS)
    assert event == RoomSubjectReceived(ACCOUNT, ROOM, "Plans", "alice")


def test_subject_from_a_room_we_are_not_in_is_rejected() -> None:
    xml = _message("<subject>x</subject>", "other@conference.example.org/a", "groupchat")
    assert isinstance(translate_muc_message(xml, ACCOUNT, OWN, ROOMS), StanzaRejected)


def test_groupchat_message_with_body_is_left_to_the_message_translator() -> None:
    xml = _message(
        f"<body>hi</body><x xmlns='{MUC_USER}'/>", "lobby@conference.example.org/a", "groupchat"
    )
    assert translate_muc_message(xml, ACCOUNT, OWN, ROOMS) is None
    assert not is_muc_message(_message("<body>hi</body>", "a@b/c", "chat"))


def test_config_change_notice() -> None:
    xml = _message(
        f"<x xmlns='{MUC_USER}'><status code='104'/></x>",
        "lobby@conference.example.org",
        "groupchat",
    )
    assert translate_muc_message(xml, ACCOUNT, OWN, ROOMS) == RoomNoticeReceived(
        ACCOUNT, ROOM, (104,)
    )


def test_direct_invitation() -> None:
    xml = _message(
        "<x xmlns='jabber:x:conference' jid='lobby@conference.example.org' reason='come'"
        " password='pw'/>",
        "alice@example.org/phone",
    )
    event = translate_muc_message(xml, ACCOUNT, OWN, {})
    assert isinstance(event, InvitationReceived)
    invitation = event.invitation
    assert (invitation.room, invitation.inviter, invitation.reason, invitation.password) == (
        ROOM,
        Jid.parse("alice@example.org/phone"),
        "come",
        "pw",
    )
    assert not invitation.mediated


def test_direct_invitation_to_an_invalid_room_is_rejected() -> None:
    xml = _message("<x xmlns='jabber:x:conference' jid='lobby@conf/res'/>", "alice@example.org/p")
    assert isinstance(translate_muc_message(xml, ACCOUNT, OWN, {}), StanzaRejected)


def test_mediated_invitation_and_decline_from_the_room() -> None:
    xml = _message(
        f"<x xmlns='{MUC_USER}'><invite from='alice@example.org/p'><reason>hey</reason>"
        "</invite><password>pw</password></x>",
        "lobby@conference.example.org",
    )
    event = translate_muc_message(xml, ACCOUNT, OWN, {})
    assert isinstance(event, InvitationReceived)
    assert event.invitation.mediated
    assert event.invitation.password == "pw"
    assert event.invitation.inviter == Jid.parse("alice@example.org/p")
    declined = _message(
        f"<x xmlns='{MUC_USER}'><decline from='bob@example.org'><reason>busy</reason>"
        "</decline></x>",
        "lobby@conference.example.org",
    )
    assert translate_muc_message(declined, ACCOUNT, OWN, {}) == InvitationDeclined(
        ACCOUNT, ROOM, Jid.parse("bob@example.org"), "busy"
    )


def test_forged_mediated_invitation_from_a_user_is_rejected() -> None:
    xml = _message(
        f"<x xmlns='{MUC_USER}'><invite from='alice@example.org'/></x>", "mallory@example.org/x"
    )
    assert isinstance(translate_muc_message(xml, ACCOUNT, OWN, {}), StanzaRejected)


def test_bookmark_notification_only_from_ourselves() -> None:
    body = (
        "<event xmlns='http://jabber.org/protocol/pubsub#event'>"
        "<items node='urn:xmpp:bookmarks:1'>"
        "<item id='lobby@conference.example.org'>"
        "<conference xmlns='urn:xmpp:bookmarks:1' name='Lobby' autojoin='true'>"
        "<nick>me</nick></conference></item>"
        "<retract id='old@conference.example.org'/></items></event>"
    )
    event = translate_muc_message(_message(body, "me@example.org"), ACCOUNT, OWN, {})
    assert event == BookmarksReceived(
        ACCOUNT,
        (Bookmark(ROOM, "Lobby", "me", "", True),),
        (Jid.parse("old@conference.example.org"),),
    )
    forged = translate_muc_message(_message(body, "evil@example.org"), ACCOUNT, OWN, {})
    assert isinstance(forged, StanzaRejected)


def test_room_info_and_forms() -> None:
    query = ET.fromstring(
        "<query xmlns='http://jabber.org/protocol/disco#info'>"
        "<identity category='conference' type='text' name='Lobby'/>"
        "<feature var='urn:xmpp:mam:2'/><feature var='muc_membersonly'/></query>"
    )
    info = parse_room_info(ROOM, query)
    assert info.name == "Lobby"
    assert info.archived
    assert info.members_only
    assert not info.password_protected
    form = ET.fromstring(
        "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data'>"
        "<field var='muc#roomconfig_roomname'/><field var='muc#roomconfig_membersonly'/>"
        "</x></query>"
    )
    assert form_fields(form) == {"muc#roomconfig_roomname", "muc#roomconfig_membersonly"}
    assert is_registered(ET.fromstring("<query xmlns='jabber:iq:register'><registered/></query>"))
    assert not is_registered(ET.fromstring("<query xmlns='jabber:iq:register'/>"))


def test_bookmark_publish_round_trips_through_the_parser() -> None:
    bookmark = Bookmark(ROOM, "Lobby", "me", "pw", True)
    pubsub = muc_stanzas.bookmark_publish(bookmark)
    publish = pubsub.find("{http://jabber.org/protocol/pubsub}publish")
    assert publish is not None
    items = ET.Element("{http://jabber.org/protocol/pubsub}pubsub")
    wrapper = ET.SubElement(items, "{http://jabber.org/protocol/pubsub}items")
    wrapper.extend(list(publish))
    assert parse_bookmarks(items) == [bookmark]
    legacy = muc_stanzas.legacy_bookmarks_store([bookmark])
    assert parse_legacy_bookmarks(legacy) == [bookmark]


def test_config_submit_only_sends_offered_fields() -> None:
    query = muc_stanzas.config_submit(
        RoomConfig(name="Lobby", members_only=True), {"muc#roomconfig_roomname"}
    )
    fields = {f.get("var") for f in query.iter("{jabber:x:data}field")}
    assert fields == {"FORM_TYPE", "muc#roomconfig_roomname"}


def test_join_presence_asks_no_history_for_archived_rooms() -> None:
    presence = muc_stanzas.join_presence(ROOM.with_resource("me"), "pw", 0)
    history = presence.find(
        "{http://jabber.org/protocol/muc}x/{http://jabber.org/protocol/muc}history"
    )
    assert history is not None
    assert history.get("maxstanzas") == "0"
    assert (
        presence.findtext(
            "{http://jabber.org/protocol/muc}x/{http://jabber.org/protocol/muc}password"
        )
        == "pw"
    )
