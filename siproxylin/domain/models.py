"""Plain data the application works with: accounts' states, messages, roster items, presence.

Stdlib only; no formatting, no behaviour beyond small derived properties.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from siproxylin.domain.errors import FailureReason
from siproxylin.domain.ids import AccountId, Jid


class ConnectionState(enum.Enum):
    """The states of an account's session (see docs/ARCHITECTURE.md)."""

    DISABLED = "disabled"
    CONNECTING = "connecting"
    ONLINE = "online"
    RECONNECTING = "reconnecting"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class AccountStatus:
    """An account's state with the reason of a failure and the next retry delay.

    Attributes:
        state: Current state.
        reason: Why it failed or is reconnecting, if it did.
        detail: Human readable explanation of ``reason``.
        retry_in: Seconds until the next attempt while reconnecting.
        retry_at: UTC seconds of the next attempt while reconnecting (0 otherwise).
    """

    state: ConnectionState
    reason: FailureReason | None = None
    detail: str = ""
    retry_in: float = 0.0
    retry_at: float = 0.0


class Direction(enum.Enum):
    """Whether a message was received or sent by this account."""

    INCOMING = "in"
    OUTGOING = "out"


class DeliveryState(enum.Enum):
    """Where an outgoing message is on its way out.

    PENDING waits in the outbox, SENT was written to a live stream, ACKED was
    confirmed by the server (XEP-0198). Incoming messages are RECEIVED.
    """

    PENDING = "pending"
    SENT = "sent"
    ACKED = "acked"
    RECEIVED = "received"
    FAILED = "failed"


class ChatKind(enum.Enum):
    """Kind of conversation."""

    CHAT = "chat"
    GROUPCHAT = "groupchat"


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A stored message.

    Attributes:
        id: Local row id.
        account: The account it belongs to.
        peer: The bare address of the conversation.
        direction: In or out.
        body: Text.
        timestamp: UTC seconds since the epoch, as sent (delayed delivery) or received.
        origin_id: XEP-0359 origin-id, the sender's stable id.
        stanza_id: XEP-0359 stanza-id given by our server, if any.
        resource: The sending resource of the peer (incoming) or ours (outgoing).
        state: Delivery state.
        kind: Chat or groupchat.
    """

    id: int
    account: AccountId
    peer: Jid
    direction: Direction
    body: str
    timestamp: float
    origin_id: str
    stanza_id: str = ""
    resource: str = ""
    state: DeliveryState = DeliveryState.RECEIVED
    kind: ChatKind = ChatKind.CHAT


class Subscription(enum.Enum):
    """RFC 6121 roster subscription state."""

    NONE = "none"
    TO = "to"
    FROM = "from"
    BOTH = "both"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class RosterItem:
    """A contact in an account's roster.

    Attributes:
        jid: Bare address.
        name: Name given by the user; may be empty.
        subscription: Presence subscription state.
        groups: Roster groups.
        ask: True while our subscription request is pending.
    """

    jid: Jid
    name: str = ""
    subscription: Subscription = Subscription.NONE
    groups: tuple[str, ...] = ()
    ask: bool = False

    @property
    def display_name(self) -> str:
        """The name to show: the given name, or the address."""
        return self.name or str(self.jid)


class Availability(enum.Enum):
    """Presence shown for a contact, ordered roughly from most to least available."""

    CHAT = "chat"
    ONLINE = "online"
    AWAY = "away"
    XA = "xa"
    DND = "dnd"
    OFFLINE = "offline"


class DecisionKind(enum.Enum):
    """Questions the core asks the user."""

    SUBSCRIPTION = "subscription"  # allow a contact to see our presence?
    CERTIFICATE = "certificate"  # trust a certificate the system does not?
