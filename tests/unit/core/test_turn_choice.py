"""Which TURN server a call uses (core/turn_choice.py)."""

from __future__ import annotations

import datetime as dt

from siproxylin.core.turn_choice import choose_turn_server, turn_candidates
from siproxylin.domain.call_media import AccountTurnSetting, TurnScheme, TurnServer, TurnTransport

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
UDP = TurnServer(TurnScheme.TURN, "t.example", 3478, TurnTransport.UDP, "u", "p")
TCP = TurnServer(TurnScheme.TURN, "t.example", 3478, TurnTransport.TCP, "u", "p")
TLS = TurnServer(TurnScheme.TURNS, "t.example", 5349, TurnTransport.TCP, "u", "p")
OWN = TurnServer(TurnScheme.TURNS, "mine.example", 443, TurnTransport.TCP, "me", "secret")


def test_a_proxied_account_never_gets_udp() -> None:
    assert turn_candidates([UDP, TCP, TLS], proxied=True, now=NOW) == [TLS, TCP]
    assert choose_turn_server([UDP], proxied=True, now=NOW) is None


def test_a_direct_account_prefers_udp() -> None:
    assert turn_candidates([TLS, TCP, UDP], proxied=False, now=NOW) == [UDP, TLS, TCP]


def test_servers_without_credentials_or_about_to_expire_are_skipped() -> None:
    anonymous = TurnServer(TurnScheme.TURN, "t.example", 3478, TurnTransport.UDP)
    expiring = TurnServer(
        TurnScheme.TURN,
        "t.example",
        3478,
        TurnTransport.UDP,
        "u",
        "p",
        NOW + dt.timedelta(seconds=10),
    )
    later = TurnServer(
        TurnScheme.TURN, "t.example", 3478, TurnTransport.UDP, "u", "p", NOW + dt.timedelta(hours=1)
    )
    assert turn_candidates([anonymous, expiring, later], proxied=False, now=NOW) == [later]


def test_the_users_server_replaces_or_completes_the_offer() -> None:
    replace = AccountTurnSetting(OWN, replace_offered=True)
    fallback = AccountTurnSetting(OWN, replace_offered=False)
    assert turn_candidates([TLS], proxied=True, setting=replace, now=NOW) == [OWN]
    assert turn_candidates([TLS], proxied=True, setting=fallback, now=NOW) == [TLS, OWN]
    assert turn_candidates([], proxied=True, setting=AccountTurnSetting(), now=NOW) == []
