"""Every event that travels on the bus, in one typed list.

Stdlib only. Two kinds live here:

* facts an adapter observed (``...Received``, ``Session...``): published by
  ``xmpp/`` after validation, consumed by core services;
* derived events a core service publishes after it persisted the change
  (``MessageStored``, ``RosterChanged``, ``AccountStateChanged``): consumed by
  the GUI bridge. Nothing is shown that was not stored first.

Names are past-tense facts; requests end in ``Requested``.
"""

from __future__ import annotations

from dataclasses import dataclass

from siproxylin.domain.config import AccountConfig
from siproxylin.domain.errors import FailureReason
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    AccountStatus,
    Availability,
    ChatMessage,
    DecisionKind,
    RosterItem,
)


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every bus event; every event names its account."""

    account: AccountId


# --- facts from the XMPP adapter ------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionStarted(Event):
    """The stream is authenticated and bound (or a XEP-0198 session was resumed).

    Attributes:
        bound: The full address the server bound.
        resumed: True when a previous stream was resumed: nothing was lost.
    """

    bound: Jid
    resumed: bool = False


@dataclass(frozen=True, slots=True)
class SessionEnded(Event):
    """The stream closed or could not be opened.

    Attributes:
        reason: Why, as far as the adapter knows.
        detail: Human readable explanation.
        resumable: True when a XEP-0198 resumption may still bring it back.
    """

    reason: FailureReason
    detail: str = ""
    resumable: bool = False


@dataclass(frozen=True, slots=True)
class ProxyNameResolved(Event):
    """The account's proxy was given by name, so that name was looked up on this machine.

    It is the only lookup a proxied account makes locally, once per run; the user
    is told so they can enter the proxy's address instead.

    Attributes:
        host: The proxy's name.
        address: The address it resolved to.
    """

    host: str
    address: str


@dataclass(frozen=True, slots=True)
class MessageReceived(Event):
    """A 1:1 chat message with a body, validated by the adapter.

    For a carbon (XEP-0280) ``sender`` and ``recipient`` are those of the forwarded
    message, and ``carbon`` says which way it went.

    Attributes:
        sender: Full address of the author.
        recipient: Address it was sent to.
        body: The text.
        message_id: The stanza's ``id`` attribute.
        origin_id: XEP-0359 origin-id, or the stanza id when absent.
        stanza_id: XEP-0359 stanza-id assigned by our own server, if present.
        timestamp: UTC seconds; the XEP-0203 delay stamp when there is one.
        delayed: True when the timestamp came from a delay element.
        outgoing: True for a sent carbon: a message our other device wrote.
    """

    sender: Jid
    recipient: Jid
    body: str
    message_id: str
    origin_id: str
    stanza_id: str
    timestamp: float
    delayed: bool = False
    outgoing: bool = False


@dataclass(frozen=True, slots=True)
class MessageAcked(Event):
    """The server confirmed it holds an outgoing message (XEP-0198 ack).

    Attributes:
        origin_id: The acknowledged message's origin-id.
    """

    origin_id: str


@dataclass(frozen=True, slots=True)
class MessageErrorReceived(Event):
    """A message bounced with an error.

    Attributes:
        origin_id: The id of the message that failed.
        sender: Who reported the error.
        detail: The error condition and text.
    """

    origin_id: str
    sender: Jid
    detail: str


@dataclass(frozen=True, slots=True)
class RosterReceived(Event):
    """The whole roster (after login) or one pushed change.

    Attributes:
        items: The items received.
        complete: True when ``items`` replaces the whole roster.
    """

    items: tuple[RosterItem, ...]
    complete: bool


@dataclass(frozen=True, slots=True)
class PresenceReceived(Event):
    """A contact's resource became available, changed or left.

    Attributes:
        sender: Full address of the resource.
        availability: What it shows (OFFLINE when unavailable).
        status: Free text status.
        priority: Resource priority.
    """

    sender: Jid
    availability: Availability
    status: str = ""
    priority: int = 0


@dataclass(frozen=True, slots=True)
class SubscriptionRequested(Event):
    """Someone asks to see this account's presence.

    Attributes:
        sender: Bare address asking.
    """

    sender: Jid


@dataclass(frozen=True, slots=True)
class StanzaRejected(Event):
    """The adapter dropped invalid input (forged sender, oversize, malformed).

    Attributes:
        sender: Claimed sender, as text (it may not even parse).
        why: Short reason.
    """

    sender: str
    why: str


# --- derived events from core services ------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountAdded(Event):
    """An account was created and stored.

    Attributes:
        config: Its configuration.
    """

    config: AccountConfig


@dataclass(frozen=True, slots=True)
class AccountUpdated(Event):
    """An account's configuration changed and was stored.

    Attributes:
        config: The new configuration.
    """

    config: AccountConfig


@dataclass(frozen=True, slots=True)
class AccountRemoved(Event):
    """An account and everything stored for it were deleted."""


@dataclass(frozen=True, slots=True)
class AccountStateChanged(Event):
    """An account's session moved to another state.

    Attributes:
        status: The new state with its reason.
    """

    status: AccountStatus


@dataclass(frozen=True, slots=True)
class MessageStored(Event):
    """A message was stored (new, or its delivery state changed).

    Attributes:
        message: The stored message.
        new: False when an existing message was updated (delivery state).
    """

    message: ChatMessage
    new: bool = True


@dataclass(frozen=True, slots=True)
class RosterChanged(Event):
    """The stored roster of an account changed.

    Attributes:
        items: The items that were added or updated.
        removed: Addresses that left the roster.
    """

    items: tuple[RosterItem, ...]
    removed: tuple[Jid, ...] = ()


@dataclass(frozen=True, slots=True)
class PresenceChanged(Event):
    """A contact's combined availability (best of its resources) changed.

    Attributes:
        jid: Bare address.
        availability: Best availability over its resources.
        status: Status text of that resource.
    """

    jid: Jid
    availability: Availability
    status: str = ""


@dataclass(frozen=True, slots=True)
class DecisionRequested(Event):
    """A question for the user, answered through ``core.decisions``.

    Attributes:
        decision_id: Key to resolve the question with.
        kind: What is asked.
        subject: What it is about (an address, a fingerprint...).
        text: The question, fit to show.
    """

    decision_id: int
    kind: DecisionKind
    subject: str
    text: str


@dataclass(frozen=True, slots=True)
class DecisionClosed(Event):
    """A question was answered, or withdrawn (its account was disabled or removed).

    Attributes:
        decision_id: The question's key.
    """

    decision_id: int
