"""What the user sees of a call: its state, its parties, its end, its connection details.

Stdlib only. ``CallInfo`` is published with every change (``CallChanged``) and
read by the GUI (call window, ringing, history in the chat); ``CallDetails`` is
the "details" panel: every address both ends advertised and the pair chosen, so
the user can see that only relays were used. ``CallRecord`` is a finished call
as kept in the store and shown in the conversation (missed, declined, duration).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from siproxylin.domain.ids import AccountId, Jid


class CallState(enum.Enum):
    """Where a call's signalling stands."""

    PROPOSED = "proposed"  # a JMI propose was sent or received
    RINGING = "ringing"  # the callee rings
    PROCEEDING = "proceeding"  # the callee took the call; the Jingle session is next
    INITIATING = "initiating"  # the offer is sent (caller) or being answered (callee)
    CONNECTING = "connecting"  # offer and answer exchanged; ICE and DTLS under way
    ACTIVE = "active"  # media flows
    ENDED = "ended"


class CallDirection(enum.Enum):
    """Who called."""

    OUTGOING = "outgoing"
    INCOMING = "incoming"


@dataclass(frozen=True, slots=True)
class AdvertisedCandidate:
    """One ICE candidate as advertised (ours, or the peer's).

    Attributes:
        kind: ``host``, ``srflx``, ``prflx`` or ``relay``.
        protocol: ``udp`` or ``tcp``.
        address: IP address (or name) and port as written in the candidate.
        related: The related address ("" when none, or the 0.0.0.0 placeholder).
    """

    kind: str
    protocol: str
    address: str
    related: str = ""


@dataclass(frozen=True, slots=True)
class CallDetails:
    """The connection of a call, for the details panel.

    Attributes:
        turn_server: The TURN server used (``turns:host:port`` …).
        turn_transport: How we reach it: ``udp``, ``tcp`` or ``tls``, and whether
            through the account's proxy (e.g. "tcp through the proxy").
        local: What we advertised (only relays).
        remote: What the peer advertised.
        chosen_local: Our side of the pair in use ("" until connected).
        chosen_remote: The peer's side of the pair in use.
        codec: e.g. "opus/48000/2".
    """

    turn_server: str = ""
    turn_transport: str = ""
    local: tuple[AdvertisedCandidate, ...] = ()
    remote: tuple[AdvertisedCandidate, ...] = ()
    chosen_local: str = ""
    chosen_remote: str = ""
    codec: str = ""


@dataclass(frozen=True, slots=True)
class CallInfo:
    """A call as the user sees it.

    Attributes:
        call_id: The JMI id (also the Jingle sid).
        account: Our account.
        peer: The other side (a full address once known, else bare).
        direction: Who called.
        state: Where the call stands.
        started: UTC seconds when it was proposed.
        connected: UTC seconds when media started flowing (0 before).
        ended: UTC seconds when it ended (0 before).
        end_text: Why it ended, in words ("" before).
        missed: An incoming call that was never answered here.
        muted: Our microphone is muted.
        details: The connection, once known.
    """

    call_id: str
    account: AccountId
    peer: Jid
    direction: CallDirection
    state: CallState
    started: float
    connected: float = 0.0
    ended: float = 0.0
    end_text: str = ""
    missed: bool = False
    muted: bool = False
    details: CallDetails | None = None

    @property
    def duration(self) -> float:
        """Seconds of conversation (0 when media never flowed)."""
        if not self.connected:
            return 0.0
        end = self.ended or self.connected
        return max(0.0, end - self.connected)


@dataclass(frozen=True, slots=True)
class CallRecord:
    """A finished call, kept in the store and shown in its conversation.

    Attributes:
        id: Local row id.
        account: Our account.
        peer: The other side's bare address.
        call_id: The JMI id.
        direction: Who called.
        started: UTC seconds.
        duration: Seconds of conversation (0: not answered).
        missed: An incoming call nobody answered here.
        end_text: Why it ended, in words.
    """

    id: int
    account: AccountId
    peer: Jid
    call_id: str
    direction: CallDirection
    started: float
    duration: float
    missed: bool
    end_text: str
