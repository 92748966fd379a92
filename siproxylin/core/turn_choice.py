"""Which TURN server a call uses, given the account's proxy and the user's setting.

aiortc uses exactly one TURN server per call, so the choice is made here:

* a proxied account can only reach TURN over a stream through its proxy:
  ``turns:`` first (the TURN server sees TLS), then ``turn:?transport=tcp``;
  UDP is never chosen (it would leave the proxy);
* a direct account prefers ``turn:`` over UDP (no head-of-line blocking), then
  ``turns:``, then ``turn:`` over TCP.

Servers without credentials or with credentials about to expire are skipped.
Pure: stdlib and ``domain`` only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from siproxylin.domain.call_media import AccountTurnSetting, TurnScheme, TurnServer, TurnTransport

_PROXIED_ORDER = ((TurnScheme.TURNS, TurnTransport.TCP), (TurnScheme.TURN, TurnTransport.TCP))
_DIRECT_ORDER = (
    (TurnScheme.TURN, TurnTransport.UDP),
    (TurnScheme.TURNS, TurnTransport.TCP),
    (TurnScheme.TURN, TurnTransport.TCP),
)


def turn_candidates(
    offered: Sequence[TurnServer],
    *,
    proxied: bool,
    setting: AccountTurnSetting | None = None,
    now: dt.datetime | None = None,
) -> list[TurnServer]:
    """Usable servers, best first (try the next one when a call finds no relay).

    Args:
        offered: What the XMPP server offered (XEP-0215), in its order.
        proxied: Whether the account goes through a proxy.
        setting: The user's own TURN server for this account, if any.
        now: The current time (for credential expiry); defaults to now.

    Returns:
        The servers this account may use, in order of preference.
    """
    now = now or dt.datetime.now(dt.UTC)
    own = setting.server if setting is not None and setting.server is not None else None
    if own is not None and own.host and setting is not None and setting.replace_offered:
        pool: list[TurnServer] = [own]
    else:
        pool = [*offered, *([own] if own is not None and own.host else [])]
    order = _PROXIED_ORDER if proxied else _DIRECT_ORDER
    usable = [s for s in pool if s.username and s.password and not s.expired(now)]
    ranked: list[TurnServer] = []
    for scheme, transport in order:
        ranked += [s for s in usable if s.scheme is scheme and s.transport is transport]
    return ranked


def choose_turn_server(
    offered: Sequence[TurnServer],
    *,
    proxied: bool,
    setting: AccountTurnSetting | None = None,
    now: dt.datetime | None = None,
) -> TurnServer | None:
    """The best server for a call, or None when the account has none it may use."""
    ranked = turn_candidates(offered, proxied=proxied, setting=setting, now=now)
    return ranked[0] if ranked else None
