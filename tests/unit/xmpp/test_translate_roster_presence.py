"""Roster and presence stanzas from XML literals to typed events."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from siproxylin.domain.events import (
    PresenceReceived,
    RosterReceived,
    StanzaRejected,
    SubscriptionRequested,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Availability, Subscription
from siproxylin.xmpp.translate.presence import translate_presence
from siproxylin.xmpp.translate.roster import translate_roster

ACCOUNT = AccountId(3)
OWN = Jid.parse("bob@example.org/laptop")


def test_roster_result_is_complete() -> None:
    # language=XML
    xml = ET.fromstring("""
        <iq xmlns='jabber:client' type='result' id='r1'>
          <query xmlns='jabber:iq:roster'>
            <item jid='alice@example.org' name='Alice' subscription='both'>
              <group>Friends</group><group>Work</group>
            </item>
            <item jid='carol@example.org' subscription='none' ask='subscribe'/>
            <item jid='bad@@jid'/>
            <item jid='full@example.org/resource'/>
          </query>
        </iq>""")
    event = translate_roster(xml, ACCOUNT, OWN)
    assert isinstance(event, RosterReceived)
    assert event.complete
    assert [str(i.jid) for i in event.items] == ["alice@example.org", "carol@example.org"]
    alice, carol = event.items
    assert alice.name == "Alice"
    assert alice.subscription is Subscription.BOTH
    assert alice.groups == ("Friends", "Work")
    assert carol.ask


def test_roster_push_from_own_account_is_partial() -> None:
    xml = ET.fromstring("""
        <iq xmlns='jabber:client' type='set' id='p1' from='bob@example.org'>
          <query xmlns='jabber:iq:roster'>
            <item jid='dave@example.org' subscription='remove'/>
          </query>
        </iq>""")
    event = translate_roster(xml, ACCOUNT, OWN)
    assert isinstance(event, RosterReceived)
    assert not event.complete
    assert event.items[0].subscription is Subscription.REMOVE


def test_roster_push_from_stranger_is_rejected() -> None:
    xml = ET.fromstring("""
        <iq xmlns='jabber:client' type='set' id='p1' from='mallory@evil.example'>
          <query xmlns='jabber:iq:roster'>
            <item jid='mallory@evil.example' subscription='both'/>
          </query>
        </iq>""")
    assert isinstance(translate_roster(xml, ACCOUNT, OWN), StanzaRejected)


def test_presence_available_with_show_and_status() -> None:
    xml = ET.fromstring("""
        <presence xmlns='jabber:client' from='alice@example.org/phone'>
          <show>dnd</show><status>busy</status><priority>5</priority>
        </presence>""")
    event = translate_presence(xml, ACCOUNT, OWN)
    assert isinstance(event, PresenceReceived)
    assert event.availability is Availability.DND
    assert (event.status, event.priority) == ("busy", 5)


def test_presence_unavailable_and_bad_priority() -> None:
    gone = translate_presence(
        ET.fromstring("<presence xmlns='jabber:client' type='unavailable' from='a@x/r'/>"),
        ACCOUNT,
        OWN,
    )
    odd = translate_presence(
        ET.fromstring(
            "<presence xmlns='jabber:client' from='a@x/r'><priority>lots</priority></presence>"
        ),
        ACCOUNT,
        OWN,
    )
    assert isinstance(gone, PresenceReceived)
    assert gone.availability is Availability.OFFLINE
    assert isinstance(odd, PresenceReceived)
    assert odd.priority == 0


def test_subscribe_request_and_own_presence_and_muc() -> None:
    request = translate_presence(
        ET.fromstring("<presence xmlns='jabber:client' type='subscribe' from='eve@x/r'/>"),
        ACCOUNT,
        OWN,
    )
    own = translate_presence(
        ET.fromstring("<presence xmlns='jabber:client' from='bob@example.org/laptop'/>"),
        ACCOUNT,
        OWN,
    )
    muc = translate_presence(
        ET.fromstring(
            "<presence xmlns='jabber:client' from='room@muc.x/nick'>"
            "<x xmlns='http://jabber.org/protocol/muc#user'/></presence>"
        ),
        ACCOUNT,
        OWN,
    )
    assert isinstance(request, SubscriptionRequested)
    assert request.sender == Jid.parse("eve@x")
    assert own is None
    assert muc is None


def test_presence_with_malformed_sender_is_rejected() -> None:
    event = translate_presence(
        ET.fromstring("<presence xmlns='jabber:client' from='@x'/>"), ACCOUNT, OWN
    )
    assert isinstance(event, StanzaRejected)
