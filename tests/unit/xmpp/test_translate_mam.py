"""XEP-0313 archive queries from XML literals: the query, results (good and forged), the fin."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, cast

import pytest

from siproxylin.domain.events import (
    Event,
    MessageReceived,
    ReactionsReceived,
    StanzaRejected,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind
from siproxylin.xmpp.mam import ArchiveQueries
from siproxylin.xmpp.translate._timestamps import parse_stamp
from siproxylin.xmpp.translate.mam import (
    RESULT,
    Fin,
    PageCollector,
    format_stamp,
    parse_fin,
    query_element,
)

ACCOUNT = AccountId(1)
OWN = Jid.parse("me@example.org/laptop")
ROOM = Jid.parse("room@muc.example.org")
NOW = 1_800_000_000.0
STAMP = "2026-11-20T10:00:00.500Z"
STAMP_S = parse_stamp(STAMP)
NS = (
    "xmlns='jabber:client' xmlns:mam='urn:xmpp:mam:2' xmlns:f='urn:xmpp:forward:0'"
    " xmlns:d='urn:xmpp:delay' xmlns:sid='urn:xmpp:sid:0'"
)


def result(
    inner: str,
    *,
    sender: str | None = None,
    queryid: str = "q1",
    archive_id: str = "A-1",
    stamp: str = STAMP,
) -> ET.Element:
    attrs = f" from='{sender}'" if sender is not None else ""
    return ET.fromstring(
        f"<message {NS} to='me@example.org/laptop'{attrs}>"
        f"<mam:result queryid='{queryid}' id='{archive_id}'><f:forwarded>"
        f"<d:delay stamp='{stamp}'/>{inner}"
        "</f:forwarded></mam:result></message>"
    )


def own_collector() -> PageCollector:
    return PageCollector(ACCOUNT, OWN, "q1", OWN.bare, False, {})


def room_collector() -> PageCollector:
    return PageCollector(ACCOUNT, OWN, "q1", ROOM, True, {ROOM: "me"})


def take(collector: PageCollector, message: ET.Element) -> StanzaRejected | None:
    found = message.find(RESULT)
    assert found is not None
    return collector.accept(message, found, NOW)


CHAT_IN = (
    "<message from='alice@example.net/phone' to='me@example.org' type='chat' id='m1'>"
    "<body>hello</body><origin-id xmlns='urn:xmpp:sid:0' id='o1'/></message>"
)


# --- the query ---------------------------------------------------------------------


def test_query_pages_forward_after_an_id() -> None:
    query = query_element("q1", after="A-9", max_items=25)
    assert query.tag == "{urn:xmpp:mam:2}query"
    assert query.get("queryid") == "q1"
    assert query.find("{jabber:x:data}x") is None  # no filter: no form
    rsm = query.find("{http://jabber.org/protocol/rsm}set")
    assert rsm is not None
    assert rsm.findtext("{http://jabber.org/protocol/rsm}max") == "25"
    assert rsm.findtext("{http://jabber.org/protocol/rsm}after") == "A-9"
    assert rsm.find("{http://jabber.org/protocol/rsm}before") is None


def test_query_for_the_last_page_has_an_empty_before() -> None:
    rsm = query_element("q1", before="").find("{http://jabber.org/protocol/rsm}set")
    assert rsm is not None
    before = rsm.find("{http://jabber.org/protocol/rsm}before")
    assert before is not None
    assert not before.text


def test_query_form_with_peer_and_start() -> None:
    query = query_element(
        "q1", with_jid=Jid.parse("alice@example.net"), start=1_700_000_000.25, before="A-3"
    )
    form = query.find("{jabber:x:data}x")
    assert form is not None
    assert form.get("type") == "submit"
    fields = {
        f.get("var"): f.findtext("{jabber:x:data}value") for f in form.iter("{jabber:x:data}field")
    }
    assert fields == {
        "FORM_TYPE": "urn:xmpp:mam:2",
        "with": "alice@example.net",
        "start": "2023-11-14T22:13:20.250Z",
    }


@pytest.mark.parametrize("seconds", [0.0, 1_700_000_000.0, 1_700_000_000.999])
def test_stamps_round_trip(seconds: float) -> None:
    assert parse_stamp(format_stamp(seconds)) == pytest.approx(seconds, abs=0.001)


# --- the fin -------------------------------------------------------------------------


def test_fin_with_rsm() -> None:
    iq = ET.fromstring(
        "<iq xmlns='jabber:client' type='result' id='x'>"
        "<fin xmlns='urn:xmpp:mam:2' complete='true'>"
        "<set xmlns='http://jabber.org/protocol/rsm'>"
        "<first>A-1</first><last>A-7</last><count>7</count></set></fin></iq>"
    )
    assert parse_fin(iq) == Fin(True, "A-1", "A-7", 7)


def test_fin_incomplete_and_empty() -> None:
    iq = ET.fromstring(
        "<iq xmlns='jabber:client' type='result' id='x'><fin xmlns='urn:xmpp:mam:2'>"
        "<set xmlns='http://jabber.org/protocol/rsm'/></fin></iq>"
    )
    assert parse_fin(iq) == Fin(False, "", "", -1)


def test_result_without_fin() -> None:
    assert parse_fin(ET.fromstring("<iq xmlns='jabber:client' type='result' id='x'/>")) is None


# --- results of our own archive ---------------------------------------------------


def test_incoming_message_gets_the_archive_id_and_stamp() -> None:
    collector = own_collector()
    assert take(collector, result(CHAT_IN, archive_id="A-42")) is None
    (event,) = collector.events
    assert isinstance(event, MessageReceived)
    assert event.archived
    assert not event.outgoing
    assert event.stanza_id == "A-42"
    assert event.origin_id == "o1"
    assert event.sender == Jid.parse("alice@example.net/phone")
    assert event.body == "hello"
    assert event.delayed
    assert event.timestamp == STAMP_S
    assert collector.first_time() == collector.last_time() == STAMP_S


def test_results_without_from_or_from_our_bare_address_are_taken() -> None:
    collector = own_collector()
    assert take(collector, result(CHAT_IN, sender=None, archive_id="A-1")) is None
    assert take(collector, result(CHAT_IN, sender="me@example.org", archive_id="A-2")) is None
    assert [cast(MessageReceived, e).stanza_id for e in collector.events] == ["A-1", "A-2"]


def test_our_message_from_another_device_is_outgoing() -> None:
    inner = (
        "<message from='me@example.org/phone' to='alice@example.net' type='chat' id='m2'>"
        "<body>sent elsewhere</body></message>"
    )
    collector = own_collector()
    take(collector, result(inner))
    (event,) = collector.events
    assert isinstance(event, MessageReceived)
    assert event.outgoing
    assert event.recipient == Jid.parse("alice@example.net")


def test_archive_stamp_wins_over_the_senders_delay() -> None:
    inner = (
        "<message from='alice@example.net/phone' type='chat' id='m3'>"
        "<delay xmlns='urn:xmpp:delay' stamp='2001-01-01T00:00:00Z'/>"
        "<body>late</body></message>"
    )
    collector = own_collector()
    take(collector, result(inner))
    assert cast(MessageReceived, collector.events[0]).timestamp == STAMP_S


def test_a_stanza_id_the_sender_put_in_is_not_trusted() -> None:
    inner = (
        "<message from='alice@example.net/phone' type='chat' id='m4'>"
        "<stanza-id xmlns='urn:xmpp:sid:0' by='me@example.org' id='forged'/>"
        "<body>hi</body></message>"
    )
    collector = own_collector()
    take(collector, result(inner, archive_id="A-real"))
    assert cast(MessageReceived, collector.events[0]).stanza_id == "A-real"


@pytest.mark.parametrize(
    "sender",
    ["mallory@example.net", "me@example.org/phone", "example.org", "room@muc.example.org", "@@"],
)
def test_results_from_anyone_else_are_rejected(sender: str) -> None:
    collector = own_collector()
    rejected = take(collector, result(CHAT_IN, sender=sender))
    assert isinstance(rejected, StanzaRejected)
    assert "foreign" in rejected.why
    assert collector.events == []
    assert collector.results == 0


@pytest.mark.parametrize(
    "message",
    [
        "<message xmlns='jabber:client'><result xmlns='urn:xmpp:mam:2' queryid='q1' id='A'/>"
        "</message>",
        "<message xmlns='jabber:client'><result xmlns='urn:xmpp:mam:2' queryid='q1' id='A'>"
        "<forwarded xmlns='urn:xmpp:forward:0'/></result></message>",
        "<message xmlns='jabber:client'><result xmlns='urn:xmpp:mam:2' queryid='q1'>"
        "<forwarded xmlns='urn:xmpp:forward:0'><message><body>x</body></message></forwarded>"
        "</result></message>",
    ],
)
def test_malformed_results_are_rejected(message: str) -> None:
    collector = own_collector()
    rejected = take(collector, ET.fromstring(message))
    assert isinstance(rejected, StanzaRejected)
    assert collector.events == []


def test_chat_states_are_dropped_and_reactions_kept() -> None:
    typing = (
        "<message from='alice@example.net/phone' type='chat' id='m5'>"
        "<composing xmlns='http://jabber.org/protocol/chatstates'/></message>"
    )
    reaction = (
        "<message from='alice@example.net/phone' type='chat' id='m6'>"
        "<reactions xmlns='urn:xmpp:reactions:0' id='m1'><reaction>👍</reaction></reactions>"
        "</message>"
    )
    collector = own_collector()
    assert take(collector, result(typing, archive_id="A-1")) is None
    assert take(collector, result(reaction, archive_id="A-2")) is None
    (event,) = collector.events
    assert isinstance(event, ReactionsReceived)
    assert event.emojis == ("👍",)
    assert collector.results == 2


def test_a_forged_body_in_the_archive_is_still_bounded() -> None:
    inner = (
        "<message from='alice@example.net/phone' type='chat' id='m7'>"
        f"<body>{'x' * (128 * 1024 + 1)}</body></message>"
    )
    collector = own_collector()
    assert isinstance(take(collector, result(inner)), StanzaRejected)
    assert collector.events == []


# --- results of a room's archive -------------------------------------------------


def groupchat(nick: str, body: str) -> str:
    return (
        f"<message from='room@muc.example.org/{nick}' type='groupchat' id='g-{nick}'>"
        f"<body>{body}</body></message>"
    )


def test_room_results_are_group_chat_with_the_rooms_id() -> None:
    collector = room_collector()
    assert take(collector, result(groupchat("alice", "hi all"), sender=str(ROOM))) is None
    assert (
        take(collector, result(groupchat("me", "mine"), sender=str(ROOM), archive_id="A-2")) is None
    )
    theirs, mine = collector.events
    assert isinstance(theirs, MessageReceived)
    assert isinstance(mine, MessageReceived)
    assert theirs.kind is ChatKind.GROUPCHAT
    assert theirs.stanza_id == "A-1"
    assert theirs.archived
    assert not theirs.outgoing
    assert mine.outgoing  # our nick there


@pytest.mark.parametrize(
    "sender", [None, "me@example.org", "room@muc.example.org/alice", "other@muc.example.org"]
)
def test_room_results_must_come_from_the_room(sender: str | None) -> None:
    collector = room_collector()
    rejected = take(collector, result(groupchat("alice", "forged"), sender=sender))
    assert isinstance(rejected, StanzaRejected)
    assert collector.events == []


@pytest.mark.parametrize(
    "inner",
    [
        # Another room's group chat (one we may be in): not this room's to tell.
        "<message from='other@muc.example.org/alice' type='groupchat' id='x'><body>x</body>"
        "</message>",
        # A 1:1 message "from" anyone: a room must not speak for a contact.
        "<message from='bank@example.com/web' to='me@example.org' type='chat' id='x'>"
        "<body>send money</body></message>",
        "<message from='room@muc.example.org/alice' type='chat' id='x'><body>pm</body></message>",
    ],
)
def test_a_room_speaks_only_for_its_own_group_chat(inner: str) -> None:
    collector = PageCollector(
        ACCOUNT, OWN, "q1", ROOM, True, {ROOM: "me", Jid.parse("other@muc.example.org"): "me"}
    )
    rejected = take(collector, result(inner, sender=str(ROOM)))
    assert isinstance(rejected, StanzaRejected)
    assert "not from the room" in rejected.why
    assert collector.events == []


# --- routing by queryid ----------------------------------------------------------


def test_results_for_no_query_of_ours_are_rejected() -> None:
    published: list[Event] = []
    queries = ArchiveQueries(cast(Any, None), ACCOUNT, lambda: OWN, dict, published.append)
    message = result(CHAT_IN, queryid="not-ours")
    found = message.find(RESULT)
    assert found is not None
    queries.on_result(message, found)
    (event,) = published
    assert isinstance(event, StanzaRejected)
    assert "no query" in event.why
