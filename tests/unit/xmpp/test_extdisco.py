"""XEP-0215 answers -> TurnServer values (xmpp/translate/extdisco.py)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from siproxylin.domain.call_media import TurnScheme, TurnServer, TurnTransport
from siproxylin.xmpp.translate.extdisco import MAX_SERVICES, read_turn_servers

# language=XML
ANSWER = """
<iq xmlns='jabber:client' type='result' id='d1' from='example.org'>
  <services xmlns='urn:xmpp:extdisco:2'>
    <service type='stun' host='turn.example.org' port='3478' transport='udp'/>
    <service type='turn' host='turn.example.org' port='3478' transport='udp'
             username='1795466411:alice' password='c2VjcmV0' restricted='1'
             expires='2026-11-24T12:00:00Z'/>
    <service type='turn' host='turn.example.org' port='3478' transport='tcp'
             username='1795466411:alice' password='c2VjcmV0' restricted='1'/>
    <service type='turns' host='turn.example.org' port='5349' transport='tcp'
             username='1795466411:alice' password='c2VjcmV0' restricted='1'/>
  </services>
</iq>
"""


def servers_of(xml: str) -> list[TurnServer]:
    return read_turn_servers(ET.fromstring(xml))


def service(**attrs: str) -> str:
    text = " ".join(f"{k}='{v}'" for k, v in attrs.items())
    return f"<services xmlns='urn:xmpp:extdisco:2'><service {text}/></services>"


def test_reads_turn_and_turns_and_drops_stun() -> None:
    servers = servers_of(ANSWER)
    assert [(s.scheme, s.transport, s.port) for s in servers] == [
        (TurnScheme.TURN, TurnTransport.UDP, 3478),
        (TurnScheme.TURN, TurnTransport.TCP, 3478),
        (TurnScheme.TURNS, TurnTransport.TCP, 5349),
    ]
    first = servers[0]
    assert first.host == "turn.example.org"
    assert (first.username, first.password) == ("1795466411:alice", "c2VjcmV0")
    assert first.expires == dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
    assert first.uri == "turn:turn.example.org:3478?transport=udp"
    assert servers[2].uri == "turns:turn.example.org:5349?transport=tcp"


def test_the_password_is_not_in_the_repr() -> None:
    assert "c2VjcmV0" not in repr(servers_of(ANSWER)[0])


def test_a_bare_services_or_credentials_element_is_read() -> None:
    assert len(servers_of(service(type="turn", host="h.example"))) == 1
    credentials = (
        "<credentials xmlns='urn:xmpp:extdisco:2'>"
        "<service type='turn' host='h.example' username='u' password='p'/></credentials>"
    )
    assert servers_of(credentials)[0].username == "u"


def test_defaults_follow_rfc_7065() -> None:
    (turn,) = servers_of(service(type="turn", host="h.example"))
    (turns,) = servers_of(service(type="turns", host="h.example"))
    assert (turn.port, turn.transport) == (3478, TurnTransport.UDP)
    assert (turns.port, turns.transport) == (5349, TurnTransport.TCP)
    assert turn.expires is None


def test_ipv6_hosts_are_bracketed_in_the_uri() -> None:
    (server,) = servers_of(service(type="turn", host="2001:db8::1", port="3478"))
    assert server.uri == "turn:[2001:db8::1]:3478?transport=udp"


def test_malformed_services_are_skipped() -> None:
    bad = [
        service(type="turn"),  # no host
        service(type="turn", host="a b"),
        service(type="turn", host="h.example", port="0"),
        service(type="turn", host="h.example", port="70000"),
        service(type="turn", host="h.example", port="34x"),
        service(type="turn", host="h.example", transport="sctp"),
        service(type="turns", host="h.example", transport="udp"),  # DTLS: unusable
        service(type="turn", host="h" * 300),
        service(type="turn", host="h.example", username="u" * 2000),
    ]
    for xml in bad:
        assert servers_of(xml) == [], xml


def test_an_unusable_expiry_is_ignored_not_guessed() -> None:
    (naive,) = servers_of(service(type="turn", host="h.example", expires="2026-11-24T12:00:00"))
    (garbage,) = servers_of(service(type="turn", host="h.example", expires="tomorrow"))
    assert naive.expires is None
    assert garbage.expires is None


def test_other_elements_give_nothing() -> None:
    assert servers_of("<iq xmlns='jabber:client' type='result'/>") == []
    assert (
        servers_of(
            "<services xmlns='urn:xmpp:extdisco:1'><service type='turn' host='h'/></services>"
        )
        == []
    )


def test_the_number_of_services_is_bounded() -> None:
    many = "".join(f"<service type='turn' host='h{i}.example'/>" for i in range(100))
    xml = f"<services xmlns='urn:xmpp:extdisco:2'>{many}</services>"
    assert len(servers_of(xml)) == MAX_SERVICES
