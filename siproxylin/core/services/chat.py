"""Messages of every conversation: store incoming ones (deduplicated, corrections applied),
send outgoing ones through an outbox, and give the GUI one place for every message action.

Rules owned here:

* a received message is persisted, then ``MessageStored`` is published;
* duplicates (same server stanza-id, or same origin-id in the conversation) are
  dropped, so a resent or re-delivered message shows once; our own message
  reflected by a room only confirms the stored copy (and gives it the room's
  stanza-id);
* a correction (XEP-0308) replaces the body of the message it names, only when
  it comes from that message's author; one for an unknown message is dropped;
* an outgoing message is stored PENDING first; it is written to the stream when
  the account is online (SENT) and confirmed by the server ack (ACKED). After a
  fresh (not resumed) login every unacknowledged message is sent again with the
  same origin-id, so it arrives exactly once.

Reactions, retractions, receipts and markers live in ``message_actions``, read
positions in ``unread``, typing in ``chat_states``; this class is their facade.
Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.ports import MessageFeatureRepo, MessageRepo, ReadStateRepo
from siproxylin.core.services.authorship import conversation_jid, conversation_of, same_author
from siproxylin.core.services.chat_states import ChatStates
from siproxylin.core.services.message_actions import MessageActions
from siproxylin.core.services.unread import Unread
from siproxylin.domain.events import (
    MessageAcked,
    MessageErrorReceived,
    MessageReceived,
    MessageStored,
    SessionStarted,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    ChatKind,
    ChatMessage,
    DeliveryState,
    Direction,
    Encryption,
    OutgoingMessage,
)

log = logging.getLogger(__name__)

MAX_QUOTE_CHARS = 200


class ChatService:
    """Receives, stores and sends messages, and applies what the user does to them.

    Args:
        bus: The event bus.
        accounts: The account manager (for sessions and configs).
        repo: Stored messages.
        features: Corrections, reactions, retractions and delivery marks.
        read_state: Read positions.
        may_see_presence: Whether a contact may learn we are online (answers to
            delivery receipt requests go only to those).
        encrypted: Whether a conversation must be end-to-end encrypted (see
            ``services.encryption``); messages to it are then sent encrypted or
            not at all.
    """

    def __init__(
        self,
        bus: EventBus,
        accounts: AccountManager,
        repo: MessageRepo,
        features: MessageFeatureRepo,
        read_state: ReadStateRepo,
        may_see_presence: Callable[[AccountId, Jid], bool] = lambda _a, _j: False,
        encrypted: Callable[[AccountId, Jid, ChatKind], bool] = lambda _a, _j, _k: False,
    ) -> None:
        self._bus = bus
        self._accounts = accounts
        self._repo = repo
        self._features = features
        self._may_see_presence = may_see_presence
        self._encrypted = encrypted
        # Outgoing messages not to be sent yet (a file still being uploaded).
        self.held: Callable[[ChatMessage], bool] = lambda _message: False
        self.unread = Unread(bus, accounts, features, read_state)
        self.actions = MessageActions(bus, accounts, features, self.unread)
        self.chat_states = ChatStates(bus, accounts)
        bus.subscribe(MessageReceived, self._on_message_received)
        bus.subscribe(MessageAcked, self._on_message_acked)
        bus.subscribe(MessageErrorReceived, self._on_message_error_received)
        bus.subscribe(SessionStarted, self._on_session_started)

    # --- queries -------------------------------------------------------------------

    def message(self, message_id: int) -> ChatMessage | None:
        """One stored message by its row id."""
        return self._features.get(message_id)

    def history(
        self, account: AccountId, peer: Jid, limit: int = 200, before_id: int = 0
    ) -> list[ChatMessage]:
        """Stored messages with ``peer`` (a bare address, or room/nick for a private
        message in a room), oldest first, with their reactions."""
        messages = self._repo.history(account, peer, limit, before_id)
        return self._features.with_reactions(messages)

    def conversations(self, account: AccountId) -> list[Jid]:
        """Peers with stored messages."""
        return self._repo.conversations(account)

    def can_correct(self, message: ChatMessage) -> bool:
        """True for our newest message in its conversation, unless it was retracted."""
        if message.direction is not Direction.OUTGOING or message.retracted:
            return False
        last = self._features.last_own(message.account, conversation_jid(message))
        return last is not None and last.id == message.id

    # --- commands ------------------------------------------------------------------

    def send_message(
        self,
        account: AccountId,
        peer: Jid,
        body: str,
        kind: ChatKind = ChatKind.CHAT,
        reply_to: ChatMessage | None = None,
        attachment: str = "",
        hold: bool = False,
    ) -> ChatMessage:
        """Store a message to ``peer`` and send it now, or when the account is online.

        Args:
            account: The sending account.
            peer: The recipient: a contact, a room (GROUPCHAT) or ``room/nick`` (PM).
            body: The text.
            kind: Chat, group chat or private message in a room.
            reply_to: The message this one answers (XEP-0461), if any.
            attachment: The URL of the file it shares (``body`` is the same URL).
            hold: Store it only; ``release`` sends it (a file being uploaded).

        Returns:
            The stored message (PENDING or SENT).
        """
        config = self._accounts.config(account)
        message = ChatMessage(
            id=0,
            account=account,
            peer=peer if kind is ChatKind.GROUPCHAT_PM else peer.bare,
            direction=Direction.OUTGOING,
            body=body,
            timestamp=time.time(),
            origin_id=str(uuid.uuid4()),
            resource=config.resource,
            state=DeliveryState.PENDING,
            kind=kind,
            thread=reply_to.thread if reply_to is not None else "",
            reply_to=_reference(reply_to) if reply_to is not None else "",
            reply_to_jid=_author(reply_to) if reply_to is not None else "",
            encryption=(
                Encryption.OMEMO if self._encrypted(account, peer, kind) else Encryption.NONE
            ),
            attachment=attachment,
        )
        stored = self._repo.add_message(message)
        assert stored is not None  # a fresh uuid is never a duplicate
        self._bus.publish(MessageStored(account, stored))
        self.unread.mark_read_up_to(stored, send_marker=False)
        self.chat_states.message_sent(account, stored.peer)
        if not hold and self._accounts.xmpp(account) is not None:
            self._transmit(stored, quote=reply_to)
        return stored

    def release(self, message: ChatMessage) -> None:
        """Send a message stored with ``hold`` (now complete): shown again, and sent
        now or once the account is online."""
        self._bus.publish(MessageStored(message.account, message, new=False))
        if self._accounts.xmpp(message.account) is not None:
            self._transmit(message)

    def mark_failed(self, message: ChatMessage) -> None:
        """An outgoing message that will not be sent (its file could not be shared)."""
        self._update_state(message.account, message.origin_id, DeliveryState.FAILED)

    def correct_message(self, account: AccountId, message_id: int, body: str) -> ChatMessage:
        """Replace the body of our last message and send the correction (XEP-0308).

        Raises:
            ValueError: If the message is not our newest one in its conversation.
            NotConnected: If the account is offline (a correction is not queued).
        """
        target = self._features.get(message_id)
        if target is None or target.account != account or not self.can_correct(target):
            raise ValueError("Only your last message can be corrected.")
        xmpp = self._accounts.online_xmpp(account)
        corrected = self._features.correct(target.id, body, time.time())
        if corrected is None:
            raise ValueError("The message cannot be corrected any more.")
        xmpp.send_message(
            OutgoingMessage(
                to=target.peer,
                body=body,
                origin_id=str(uuid.uuid4()),
                kind=target.kind,
                thread=target.thread,
                replaces=target.message_id or target.origin_id,
                encrypted=target.encryption is not Encryption.NONE
                or self._encrypted(account, target.peer, target.kind),
            )
        )
        self._bus.publish(MessageStored(account, corrected, new=False))
        return corrected

    def retract_message(self, account: AccountId, message_id: int) -> ChatMessage:
        """Retract one of our messages for everyone (XEP-0424)."""
        return self.actions.retract(account, message_id)

    def toggle_reaction(self, account: AccountId, message_id: int, emoji: str) -> ChatMessage:
        """Add ``emoji`` to our reactions to a message, or take it away (XEP-0444)."""
        return self.actions.toggle_reaction(account, message_id, emoji)

    def mark_read(self, account: AccountId, peer: Jid) -> None:
        """The user has seen the conversation with ``peer`` up to its newest message."""
        self.unread.mark_read(account, peer)

    def unread_count(self, account: AccountId, peer: Jid) -> int:
        """Unread messages with ``peer``."""
        return self.unread.count(account, peer)

    def unread_counts(self, account: AccountId) -> dict[Jid, int]:
        """Conversations of ``account`` with unread messages."""
        return self.unread.counts(account)

    def set_composing(self, account: AccountId, peer: Jid, composing: bool) -> None:
        """Tell ``peer`` we are typing (or stopped), if the account allows it."""
        self.chat_states.set_composing(account, peer, composing)

    # --- handlers ------------------------------------------------------------------

    def _on_message_received(self, event: MessageReceived) -> None:
        if event.replaces:
            self._apply_correction(event)
            return
        kind = event.kind
        peer = conversation_of(kind, event.sender, event.recipient, event.outgoing)
        if kind is ChatKind.GROUPCHAT:
            resource = event.sender.resource  # the author's nick
        else:
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
            kind=kind,
            message_id=event.message_id,
            occupant_id=event.occupant_id,
            thread=event.thread,
            reply_to=event.reply_to,
            reply_to_jid=event.reply_to_jid,
            encryption=event.encryption,
            decryption_error=event.decryption_error[:1000],
            attachment=event.attachment,
        )
        stored = self._repo.add_message(message)
        if stored is None:
            log.debug("duplicate message %s dropped", event.origin_id)
            if event.outgoing and kind is ChatKind.GROUPCHAT:
                # The room reflected our message: it reached the room.
                self._update_state(event.account, event.origin_id, DeliveryState.ACKED)
            return
        self._bus.publish(
            MessageStored(event.account, stored, archived=event.archived, delayed=event.delayed)
        )
        if stored.direction is Direction.OUTGOING:
            self.unread.mark_read_up_to(stored, send_marker=False)
        else:
            self.unread.incoming(stored)
            self.chat_states.message_arrived(event.account, peer, event.sender, kind)
            if event.wants_receipt and not event.archived:
                self._answer_receipt(event)

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
            if self.held(message):
                continue
            self._transmit(message)

    # --- internals -----------------------------------------------------------------

    def _apply_correction(self, event: MessageReceived) -> None:
        peer = conversation_of(event.kind, event.sender, event.recipient, event.outgoing)
        target = self._features.find_target(event.account, peer, event.kind, event.replaces)
        if target is None:
            log.info("correction of an unknown message from %s dropped", peer)
            return
        if not same_author(target, event.sender, event.occupant_id, event.outgoing):
            log.warning("correction by someone else than the author in %s dropped", peer)
            return
        if target.retracted or target.body == event.body:
            return  # retracted, or the same correction again (archive and live)
        corrected = self._features.correct(target.id, event.body, event.timestamp)
        if corrected is not None:
            self._bus.publish(MessageStored(event.account, corrected, new=False))

    def _answer_receipt(self, event: MessageReceived) -> None:
        if event.outgoing or not event.message_id:
            return
        if event.kind is ChatKind.CHAT and not self._may_see_presence(
            event.account, event.sender.bare
        ):
            return  # a receipt would tell a stranger we are online
        xmpp = self._accounts.xmpp(event.account)
        if xmpp is not None:
            xmpp.send_receipt(event.sender, event.message_id)

    def _transmit(self, message: ChatMessage, quote: ChatMessage | None = None) -> None:
        session = self._accounts.session(message.account)
        xmpp = session.xmpp if session is not None else None
        if xmpp is None:
            return
        body, fallback = message.body, 0
        if message.reply_to and quote is None:
            quote = self._features.find_target(
                message.account, conversation_jid(message), message.kind, message.reply_to
            )
        if message.reply_to and quote is not None:
            prefix = _quote(quote)
            body, fallback = prefix + message.body, len(prefix)
        xmpp.send_message(
            OutgoingMessage(
                to=message.peer,
                body=body,
                origin_id=message.origin_id,
                kind=message.kind,
                thread=message.thread,
                reply_to=message.reply_to,
                reply_to_jid=message.reply_to_jid,
                fallback_length=fallback,
                encrypted=message.encryption is not Encryption.NONE,
                attachment=message.attachment,
            )
        )
        if message.state is DeliveryState.PENDING:
            self._update_state(message.account, message.origin_id, DeliveryState.SENT)

    def _update_state(self, account: AccountId, origin_id: str, state: DeliveryState) -> None:
        current = self._repo.set_delivery_state(account, origin_id, state)
        if current is not None:
            self._bus.publish(MessageStored(account, current, new=False))


def _reference(message: ChatMessage) -> str:
    """How others name ``message``: the room's stanza-id in rooms, else its stanza id."""
    if message.kind is ChatKind.GROUPCHAT:
        return message.stanza_id or message.origin_id
    return message.message_id or message.origin_id


def _author(message: ChatMessage) -> str:
    if message.kind is ChatKind.GROUPCHAT:
        return str(message.peer.with_resource(message.resource))
    if message.direction is Direction.OUTGOING:
        return ""  # our own address; receivers know it
    return str(message.peer)


def _quote(message: ChatMessage) -> str:
    """The XEP-0428 fallback for a reply: the answered text quoted, then a newline."""
    text = message.body if len(message.body) <= MAX_QUOTE_CHARS else message.body[:200] + "…"
    lines = [f"> {line}" for line in text.splitlines() or [""]]
    return "\n".join(lines) + "\n"
