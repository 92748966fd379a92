"""The user's own TURN server for one account, kept as account preferences.

Keys (account preferences, ``PreferencesService``):

* ``calls.turn.uri``: ``turn:host[:port][?transport=udp|tcp]`` or
  ``turns:host[:port]``; empty means "use what the XMPP server offers" (XEP-0215);
* ``calls.turn.username`` and ``calls.turn.password``: its credentials;
* ``calls.turn.only``: true (the default) uses only this server, false keeps it as
  a fallback after the XMPP server's offer.

No public TURN server is ever used unless the user set one here. Pure: stdlib,
``domain`` and the preferences port.
"""

from __future__ import annotations

import re
from typing import Protocol

from siproxylin.domain.call_media import (
    AccountTurnSetting,
    TurnScheme,
    TurnServer,
    TurnTransport,
)
from siproxylin.domain.ids import AccountId

URI_KEY = "calls.turn.uri"
USERNAME_KEY = "calls.turn.username"
PASSWORD_KEY = "calls.turn.password"  # noqa: S105 (a key name, not a password)
ONLY_KEY = "calls.turn.only"

_URI = re.compile(
    r"^(?P<scheme>turns?):(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s:?\[\]]+)(?::(?P<port>\d{1,5}))?"
    r"(?:\?transport=(?P<transport>udp|tcp))?$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {TurnScheme.TURN: 3478, TurnScheme.TURNS: 5349}


class Preferences(Protocol):
    """What is read of ``PreferencesService``."""

    def text(self, key: str, default: str = "", account: AccountId | None = None) -> str:
        """A text preference."""
        ...

    def flag(self, key: str, default: bool = False, account: AccountId | None = None) -> bool:
        """A boolean preference."""
        ...


def parse_turn_uri(uri: str, username: str = "", password: str = "") -> TurnServer | None:
    """A ``TurnServer`` from an RFC 7065 URI, or None when it is not one.

    ``turns:`` always uses TCP; a ``turn:`` URI without a transport uses UDP.
    """
    match = _URI.match(uri.strip())
    if match is None:
        return None
    scheme = TurnScheme(match["scheme"].lower())
    port = int(match["port"]) if match["port"] else _DEFAULT_PORTS[scheme]
    if not 0 < port < 65536:
        return None
    transport = TurnTransport((match["transport"] or "").lower() or "udp")
    if scheme is TurnScheme.TURNS:
        if match["transport"] and transport is TurnTransport.UDP:
            return None
        transport = TurnTransport.TCP
    host = match["host"].strip("[]")
    return TurnServer(scheme, host, port, transport, username, password)


def turn_setting(preferences: Preferences, account: AccountId) -> AccountTurnSetting | None:
    """The account's own TURN server, or None when the user set none (or an unusable one)."""
    uri = preferences.text(URI_KEY, "", account)
    if not uri:
        return None
    server = parse_turn_uri(
        uri,
        preferences.text(USERNAME_KEY, "", account),
        preferences.text(PASSWORD_KEY, "", account),
    )
    if server is None:
        return None
    return AccountTurnSetting(server, replace_offered=preferences.flag(ONLY_KEY, True, account))
