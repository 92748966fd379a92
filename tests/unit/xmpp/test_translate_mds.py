"""XEP-0490 read positions from XML literals: notifications, fetched items, forgeries."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from siproxylin.domain.events import DisplayedSynced, StanzaRejected
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.xmpp.translate import mds

ACCOUNT = AccountId(1)
OWN = Jid.parse("bob@example.org/laptop")
ALICE = Jid.parse("alice@example.org")
ROOM = Jid.parse("room@conference.example.org")


def event(sender: str, items: str) -> ET.Element:
    return ET.fromstring(f"""
        <message xmlns='jabber:client' from='{sender}' to='bob@example.org/laptop'>
          <event xmlns='http://jabber.org/protocol/pubsub#event'>
            <items node='urn:xmpp:mds:displayed:0'>{items}</items>
          </event>
        </message>""")


ITEM = """<item id='{peer}'><displayed xmlns='urn:xmpp:mds:displayed:0'>
            <stanza-id xmlns='urn:xmpp:sid:0' by='{by}' id='{sid}'/></displayed></item>"""


def test_notification_from_our_own_account() -> None:
    xml = event(
        "bob@example.org",
        ITEM.format(peer=ALICE, by="bob@example.org", sid="s-1")
        + ITEM.format(peer=ROOM, by=ROOM, sid="r-9"),
    )
    assert mds.translate_mds_event(xml, ACCOUNT, OWN) == [
        DisplayedSynced(ACCOUNT, ALICE, "s-1"),
        DisplayedSynced(ACCOUNT, ROOM, "r-9"),
    ]


def test_ids_assigned_by_a_third_party_are_ignored() -> None:
    xml = event("bob@example.org", ITEM.format(peer=ALICE, by="eve@example.org", sid="s-1"))
    assert mds.translate_mds_event(xml, ACCOUNT, OWN) == []


def test_a_notification_from_someone_else_is_rejected() -> None:
    xml = event("eve@example.org", ITEM.format(peer=ALICE, by="bob@example.org", sid="s-1"))
    [rejected] = mds.translate_mds_event(xml, ACCOUNT, OWN) or []
    assert isinstance(rejected, StanzaRejected)


def test_other_nodes_are_not_ours() -> None:
    xml = ET.fromstring("""
        <message xmlns='jabber:client' from='bob@example.org'>
          <event xmlns='http://jabber.org/protocol/pubsub#event'>
            <items node='urn:xmpp:bookmarks:1'/></event></message>""")
    assert mds.translate_mds_event(xml, ACCOUNT, OWN) is None


def test_fetched_items_and_the_publish_payload_agree() -> None:
    payload = mds.publish(ALICE, "s-5", OWN)
    result = ET.Element("{jabber:client}iq", {"type": "result"})
    pubsub = ET.SubElement(result, "{http://jabber.org/protocol/pubsub}pubsub")
    items = ET.SubElement(pubsub, "{http://jabber.org/protocol/pubsub}items", {"node": mds.NODE})
    publish = payload.find("{http://jabber.org/protocol/pubsub}publish")
    assert publish is not None
    items.extend(list(publish))
    assert mds.translate_mds_result(result, ACCOUNT, OWN) == [
        DisplayedSynced(ACCOUNT, ALICE, "s-5")
    ]
    access = payload.find(".//{jabber:x:data}field[@var='pubsub#access_model']")
    assert access is not None
    assert access.findtext("{jabber:x:data}value") == "whitelist"
