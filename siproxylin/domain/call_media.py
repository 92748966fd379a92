"""Call media values: TURN servers, the user's own TURN setting, why call media failed.

Stdlib only. The XEP-0215 reader (``xmpp/translate/extdisco.py``) produces
``TurnServer`` values, ``core/turn_choice.py`` picks one for a call, and the
media layer (``media/peer.py``) reports ``CallMediaError`` with a ``CallFailure``.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from siproxylin.domain.errors import SiproxylinError


class TurnScheme(enum.Enum):
    """``turn:`` (clear) or ``turns:`` (TLS to the TURN server)."""

    TURN = "turn"
    TURNS = "turns"


class TurnTransport(enum.Enum):
    """How we reach the TURN server (the relayed media itself is always UDP)."""

    UDP = "udp"
    TCP = "tcp"


@dataclass(frozen=True, slots=True)
class TurnServer:
    """One TURN server with its credentials.

    Attributes:
        scheme: ``turn`` or ``turns``.
        host: Name or address; a proxied account has it resolved by the proxy.
        port: Port; 3478 (turn) or 5349 (turns) when the answer named none.
        transport: UDP or TCP; ``turns`` is always TCP.
        username: User name (time-limited ones carry their expiry).
        password: Password (never shown or logged).
        expires: When the credentials stop working, if the server said.
    """

    scheme: TurnScheme
    host: str
    port: int
    transport: TurnTransport
    username: str = ""
    password: str = field(default="", repr=False)
    expires: dt.datetime | None = None

    @property
    def uri(self) -> str:
        """The RFC 7065 URI aiortc reads: ``turn:host:port?transport=udp``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme.value}:{host}:{self.port}?transport={self.transport.value}"

    def expired(self, now: dt.datetime, margin: float = 30.0) -> bool:
        """True when the credentials end within ``margin`` seconds of ``now``."""
        if self.expires is None:
            return False
        return (self.expires - now).total_seconds() <= margin


@dataclass(frozen=True, slots=True)
class AccountTurnSetting:
    """A TURN server the user set for one account (stored with the account's config).

    Attributes:
        server: The server; empty host means "use what the XMPP server offers".
        replace_offered: Use only this server, ignoring the XMPP server's offer;
            otherwise it is a fallback when the XMPP server offers none.
    """

    server: TurnServer | None = None
    replace_offered: bool = True


class CallFailure(enum.Enum):
    """Why call media could not start or stopped."""

    NO_RELAY = "no-relay"  # no relay candidate: the TURN server could not be used
    TURN_AUTH = "turn-auth"  # the TURN server refused our credentials
    ICE_TIMEOUT = "ice-timeout"  # relay candidates, but the peer never connected
    REFUSED_CANDIDATE = "refused-candidate"  # a local candidate would reveal an address
    BAD_DESCRIPTION = "bad-description"  # the peer's SDP cannot be used
    SECURITY = "security"  # the connection came up but DTLS did not: wrong fingerprint
    CLOSED = "closed"  # hung up, or the connection was lost


class CallMediaError(SiproxylinError):
    """Call media failed; ``str()`` is fit to show the user.

    Attributes:
        failure: The kind of failure.
    """

    def __init__(self, failure: CallFailure, reason: str) -> None:
        super().__init__(reason)
        self.failure = failure
