"""1:1 chat: store incoming messages (deduplicated), send outgoing ones through an outbox.

Rules owned here:

* a received message is persisted, then ``MessageStored`` is published;
* duplicates (same server stanza-id, or same origin-id in the conversation) are
  dropped, so a resent or re-delivered message shows once;
* an outgoing message is stored PENDING first; it is written to the stream when
  the account is online (SENT) and confirmed by the server ack (ACKED). After a
  fresh (not resumed) login every unacknowledged message is sent again with the
  same origin-id, so it arrives exactly once.

Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

import logging
import time
import uuid

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.ports import MessageRepo
from siproxylin.domain.events import (
    MessageAcked,
    MessageErrorReceived,
    MessageReceived,
    MessageStored,
    SessionStarted,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatMessage, DeliveryState, Direction

log = logging.getLogger(__name__)


class ChatService:
    """Receives, stores and sends 1:1 messages."""

    def __init__(self, bus: EventBus, accounts: AccountManager, repo: MessageRepo) -> None:
        self._bus = bus
        self._accounts = accounts
        self._repo = repo
        bus.subscribe(MessageReceived, self._on_message_received)
        bus.subscribe(MessageAcked, self._on_message_acked)
        bus.subscribe(MessageErrorReceived, self._on_message_error_received)
        bus.subscribe(SessionStarted, self._on_session_started)

    def history(
        self, account: AccountId, peer: Jid, limit: int = 200, before_id: int = 0
    ) -> list[ChatMessage]:
        """Stored messages with ``peer``, oldest first."""
        return self._repo.history(account, peer.bare, limit, before_id)

    def conversations(self, account: AccountId) -> list[Jid]:
        """Peers with stored messages."""
        return self._repo.conversations(account)

    def send_message(self, account: AccountId, peer: Jid, body: str) -> ChatMessage:
        """Store a message to ``peer`` and send it now, or when the account is online.

        Args:
            account: The sending account.
            peer: The recipient; its bare address names the conversation.
            body: The text.

        Returns:
            The stored message (PENDING or SENT).
        """
        config = self._accounts.config(account)
        message = ChatMessage(
            id=0,
            account=account,
            peer=peer.bare,
            direction=Direction.OUTGOING,
            body=body,
            timestamp=time.time(),
            origin_id=str(uuid.uuid4()),
            resource=config.resource,
            state=DeliveryState.PENDING,
        )
        stored = self._repo.add_message(message)
        assert stored is not None  # a fresh uuid is never a duplicate
        self._bus.publish(MessageStored(account, stored))
        xmpp = self._accounts.xmpp(account)
        if xmpp is not None:
            self._transmit(stored)
        return stored

    # --- handlers ------------------------------------------------------------------

    def _on_message_received(self, event: MessageReceived) -> None:
        peer = event.recipient.bare if event.outgoing else event.sender.bare
        resource = event.recipient.resource if event.outgoing else event.sender.resource
        message = ChatMessage(
            id=0,
            account=event.account,
            peer=peer,
            direction=Direction.OUTGOING if event.outgoing else Direction.INCOMING,
            body=event.body,
            timestamp=event.timestamp,
            origin_id=event.origin_id,
            stanza_id=event.stanza_id,
            resource=resource,
            state=DeliveryState.ACKED if event.outgoing else DeliveryState.RECEIVED,
        )
        stored = self._repo.add_message(message)
        if stored is None:
            log.debug("duplicate message %s dropped", event.origin_id)
            return
        self._bus.publish(MessageStored(event.account, stored))

    def _on_message_acked(self, event: MessageAcked) -> None:
        self._update_state(event.account, event.origin_id, DeliveryState.ACKED)

    def _on_message_error_received(self, event: MessageErrorReceived) -> None:
        log.info("message %s bounced: %s", event.origin_id, event.detail)
        self._update_state(event.account, event.origin_id, DeliveryState.FAILED)

    def _on_session_started(self, event: SessionStarted) -> None:
        for message in self._repo.unacked_outgoing(event.account):
            # After a resumption the stream itself resends what was in flight.
            if event.resumed and message.state is DeliveryState.SENT:
                continue
            self._transmit(message)

    # --- internals -----------------------------------------------------------------

    def _transmit(self, message: ChatMessage) -> None:
        session = self._accounts.session(message.account)
        xmpp = session.xmpp if session is not None else None
        if xmpp is None:
            return
        xmpp.send_chat(message.peer, message.body, message.origin_id)
        if message.state is DeliveryState.PENDING:
            self._update_state(message.account, message.origin_id, DeliveryState.SENT)

    def _update_state(self, account: AccountId, origin_id: str, state: DeliveryState) -> None:
        current = self._repo.set_delivery_state(account, origin_id, state)
        if current is not None:
            self._bus.publish(MessageStored(account, current, new=False))
