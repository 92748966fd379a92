"""Interfaces the core needs from the outside world, as ``typing.Protocol`` classes.

Adapters (``xmpp``, ``store``, ``net``) implement these; core services and the
composition root only ever see the protocols. Imports ``domain`` and ``core.bus``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from siproxylin.core.bus import EventBus
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    Availability,
    ChatMessage,
    DeliveryState,
    RosterItem,
)


class XmppSession(Protocol):
    """One account's XMPP connection. Facts it observes go to the bus as events."""

    @property
    def online(self) -> bool:
        """True while an authenticated stream is up."""
        ...

    async def connect(self) -> None:
        """Open (or resume) the stream; returns once the attempt is under way."""
        ...

    async def disconnect(self) -> None:
        """Close the stream cleanly and give up any resumable session."""
        ...

    def send_chat(self, to: Jid, body: str, origin_id: str) -> None:
        """Send a 1:1 chat message with ``origin_id`` as both stanza id and origin-id."""
        ...

    def add_contact(self, jid: Jid, name: str) -> None:
        """Add ``jid`` to the roster and ask for its presence."""
        ...

    def remove_contact(self, jid: Jid) -> None:
        """Remove ``jid`` from the roster (and cancel subscriptions)."""
        ...

    def answer_subscription(self, jid: Jid, allow: bool) -> None:
        """Allow or deny ``jid`` to see our presence."""
        ...

    def set_presence(self, availability: Availability, status: str) -> None:
        """Broadcast our own presence."""
        ...


class XmppSessionFactory(Protocol):
    """Makes the XMPP session of an account."""

    def __call__(self, config: AccountConfig, password: str, bus: EventBus) -> XmppSession:
        """Create (not connect) a session for ``config``."""
        ...


class AccountRepo(Protocol):
    """Stored accounts."""

    def list_accounts(self) -> list[AccountConfig]:
        """Every account, in creation order."""
        ...

    def add_account(self, config: AccountConfig) -> AccountConfig:
        """Store a new account; ``config.id`` is ignored and the new id returned."""
        ...

    def update_account(self, config: AccountConfig) -> None:
        """Replace an account's configuration."""
        ...

    def remove_account(self, account: AccountId) -> None:
        """Delete an account and everything stored for it, in one transaction."""
        ...


class MessageRepo(Protocol):
    """Stored messages of 1:1 conversations."""

    def add_message(self, message: ChatMessage) -> ChatMessage | None:
        """Store ``message`` (its ``id`` is ignored).

        Returns:
            The stored message with its id, or None when it is a duplicate: same
            server stanza-id, or same origin-id in the same conversation and direction.
        """
        ...

    def set_delivery_state(
        self, account: AccountId, origin_id: str, state: DeliveryState
    ) -> ChatMessage | None:
        """Change an outgoing message's state; None when there is no such message."""
        ...

    def unacked_outgoing(self, account: AccountId) -> list[ChatMessage]:
        """Outgoing messages not yet acknowledged by the server, oldest first."""
        ...

    def history(
        self, account: AccountId, peer: Jid, limit: int, before_id: int = 0
    ) -> list[ChatMessage]:
        """The last ``limit`` messages with ``peer``, oldest first.

        Args:
            account: The account.
            peer: The conversation's bare address.
            limit: How many messages at most.
            before_id: Only messages with a smaller id, when not 0 (paging back).
        """
        ...

    def conversations(self, account: AccountId) -> list[Jid]:
        """Peers this account has exchanged messages with."""
        ...


class RosterRepo(Protocol):
    """Stored rosters."""

    def roster(self, account: AccountId) -> list[RosterItem]:
        """An account's roster."""
        ...

    def replace_roster(self, account: AccountId, items: Sequence[RosterItem]) -> None:
        """Replace an account's whole roster."""
        ...

    def upsert_roster(self, account: AccountId, items: Sequence[RosterItem]) -> None:
        """Add or update some roster items."""
        ...

    def remove_roster(self, account: AccountId, jids: Sequence[Jid]) -> None:
        """Remove some addresses from a roster."""
        ...


class SecretStore(Protocol):
    """Where account passwords live: the OS keyring, or a file in the data dir."""

    @property
    def secure(self) -> bool:
        """False when passwords are kept in a file because no keyring is available."""
        ...

    def get_password(self, account: AccountId) -> str | None:
        """The stored password, if any."""
        ...

    def set_password(self, account: AccountId, password: str) -> None:
        """Store a password."""
        ...

    def delete_password(self, account: AccountId) -> None:
        """Forget a password."""
        ...


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A message found by a search, with a short excerpt around what matched.

    Attributes:
        message: The stored message.
        snippet: One line of the body around the matches (whitespace runs collapsed,
            ``…`` where text was left out); plain text, no markup.
        matches: ``(start, end)`` of every matched word in ``snippet``, as Python
            string (code point) indices, in order and not overlapping.
    """

    message: ChatMessage
    snippet: str
    matches: tuple[tuple[int, int], ...] = ()


class MessageSearch(Protocol):
    """Full text search of stored messages, and the history around one of them."""

    def search_hits(
        self,
        text: str,
        limit: int = 50,
        account: AccountId | None = None,
        peer: Jid | None = None,
    ) -> list[SearchHit]:
        """Messages whose body contains every word of ``text``, newest first.

        The text is taken literally (no query syntax); each word also matches as
        the beginning of a longer word, so a word being typed already finds.

        Args:
            text: What the user typed.
            limit: At most this many hits.
            account: Only this account's messages; every account when None.
            peer: Only the conversation with this bare address.
        """
        ...

    def history_around(
        self,
        account: AccountId,
        peer: Jid,
        message_id: int,
        before: int = 50,
        after: int = 50,
    ) -> list[ChatMessage]:
        """Messages with ``peer`` around ``message_id``, oldest first.

        Up to ``before`` messages older than ``message_id``, then the message itself
        (when it still exists) and up to ``after`` newer ones.
        """
        ...
