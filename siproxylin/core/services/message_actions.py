"""Reactions, retractions, delivery receipts and displayed markers, both ways.

Rules owned here (each incoming one names a stored message; one naming a
message we do not have, or coming from someone not entitled, is dropped with a
log line):

* reactions (XEP-0444): any participant of the conversation; each person's
  latest set replaces their earlier one; an empty set removes them;
* retractions (XEP-0424): only by the author; in a room also by the room itself
  on a moderator's behalf (XEP-0425); the body is erased locally;
* receipts (XEP-0184): from the other party, for our messages only;
* displayed markers (XEP-0333): from the other party they mark our messages
  seen up to the one named; from our own other device they move our read position.

Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

import logging
import time
import uuid

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.ports import MessageFeatureRepo
from siproxylin.core.services.authorship import conversation_of, same_author
from siproxylin.core.services.unread import Unread
from siproxylin.domain.events import (
    MarkerReceived,
    MessageStored,
    ReactionsReceived,
    ReceiptReceived,
    RetractionReceived,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, ChatMessage, Direction

log = logging.getLogger(__name__)


class MessageActions:
    """Applies and sends reactions, retractions, receipts and markers."""

    def __init__(
        self,
        bus: EventBus,
        accounts: AccountManager,
        features: MessageFeatureRepo,
        unread: Unread,
    ) -> None:
        self._bus = bus
        self._accounts = accounts
        self._features = features
        self._unread = unread
        bus.subscribe(ReactionsReceived, self._on_reactions)
        bus.subscribe(RetractionReceived, self._on_retraction)
        bus.subscribe(ReceiptReceived, self._on_receipt)
        bus.subscribe(MarkerReceived, self._on_marker)

    # --- commands ------------------------------------------------------------------

    def toggle_reaction(self, account: AccountId, message_id: int, emoji: str) -> ChatMessage:
        """Add ``emoji`` to our reactions to a message, or remove it, and send the new set.

        Raises:
            ValueError: If there is no such message, or it was retracted.
            NotConnected: If the account is offline.
        """
        target = self._features.get(message_id)
        if target is None or target.account != account or target.retracted:
            raise ValueError("There is no such message to react to.")
        reference = _reference(target)
        if not reference:
            raise ValueError("This message cannot be reacted to (the room gave it no id).")
        xmpp = self._accounts.online_xmpp(account)
        current = self._features.own_reactions(target.id)
        emojis = tuple(e for e in current if e != emoji) if emoji in current else (*current, emoji)
        config = self._accounts.config(account)
        if target.kind is ChatKind.GROUPCHAT:
            sender, name = _OWN_KEY, config.nickname or config.jid.local
        else:
            sender, name = str(config.jid.bare), config.nickname or str(config.jid.bare)
        changed = self._features.set_reactions(target.id, sender, name, True, emojis, time.time())
        xmpp.send_reactions(target.peer, target.kind, reference, emojis)
        assert changed is not None
        self._bus.publish(MessageStored(account, changed, new=False))
        return changed

    def retract(self, account: AccountId, message_id: int) -> ChatMessage:
        """Retract one of our messages for everyone.

        Raises:
            ValueError: If it is not ours or already retracted.
            NotConnected: If the account is offline.
        """
        target = self._features.get(message_id)
        if (
            target is None
            or target.account != account
            or target.direction is not Direction.OUTGOING
            or target.retracted
        ):
            raise ValueError("Only your own messages can be retracted.")
        reference = _reference(target)
        if not reference:
            raise ValueError("This message has no id the others know yet.")
        xmpp = self._accounts.online_xmpp(account)
        xmpp.send_retraction(target.peer, target.kind, reference, str(uuid.uuid4()))
        retracted = self._features.retract(target.id)
        assert retracted is not None
        self._bus.publish(MessageStored(account, retracted, new=False))
        return retracted

    # --- handlers ------------------------------------------------------------------

    def _on_reactions(self, event: ReactionsReceived) -> None:
        _peer, target = self._target(event, "reactions to")
        if target is None:
            return
        if target.retracted:
            return
        if event.kind is ChatKind.GROUPCHAT:
            if event.outgoing:
                sender, name = _OWN_KEY, event.sender.resource
            else:
                key = event.occupant_id or event.sender.resource
                sender = f"id:{key}" if event.occupant_id else f"nick:{key}"
                name = event.sender.resource
        elif event.outgoing:
            config = self._accounts.config(event.account)
            sender, name = str(config.jid.bare), config.nickname or str(config.jid.bare)
        else:
            sender = name = str(event.sender.bare)
            if event.kind is ChatKind.GROUPCHAT_PM:
                sender, name = str(event.sender), event.sender.resource
        changed = self._features.set_reactions(
            target.id,
            sender,
            name,
            event.outgoing,
            event.emojis,
            event.timestamp or time.time(),
        )
        if changed is not None:
            self._bus.publish(MessageStored(event.account, changed, new=False))

    def _on_retraction(self, event: RetractionReceived) -> None:
        peer, target = self._target(event, "retraction of")
        if target is None:
            return
        if event.moderated_by:
            # Only the room itself (a bare address) relays a moderator's decision.
            if event.kind is not ChatKind.GROUPCHAT or event.sender.resource:
                log.warning("moderation not sent by the room %s dropped", peer)
                return
        elif not same_author(target, event.sender, event.occupant_id, event.outgoing):
            log.warning("retraction by someone else than the author in %s dropped", peer)
            return
        if target.retracted:
            return
        retracted = self._features.retract(target.id, _moderator(event))
        if retracted is not None:
            self._bus.publish(MessageStored(event.account, retracted, new=False))
            if retracted.direction is Direction.INCOMING:
                self._unread.changed(retracted)

    def _on_receipt(self, event: ReceiptReceived) -> None:
        peer = event.sender.bare
        kind = ChatKind.CHAT
        target = self._features.find_target(event.account, peer, kind, event.message_id)
        if target is None:
            # A private message in a room is named by the occupant's full address.
            kind = ChatKind.GROUPCHAT_PM
            target = self._features.find_target(event.account, event.sender, kind, event.message_id)
        if target is None or target.direction is not Direction.OUTGOING:
            log.info("receipt for an unknown message from %s dropped", peer)
            return
        delivered = self._features.mark_delivered(target)
        if delivered is not None:
            self._bus.publish(MessageStored(event.account, delivered, new=False))

    def _on_marker(self, event: MarkerReceived) -> None:
        _peer, target = self._target(event, "marker for")
        if target is None:
            return
        if event.outgoing:
            # One of our other devices showed the conversation up to there.
            self._unread.mark_read_up_to(target, send_marker=False)
            return
        if event.kind is ChatKind.GROUPCHAT:
            return  # others' read positions in rooms are not tracked
        for changed in self._features.mark_displayed(target):
            self._bus.publish(MessageStored(event.account, changed, new=False))

    # --- internals -----------------------------------------------------------------

    def _target(
        self, event: ReactionsReceived | RetractionReceived | MarkerReceived, what: str
    ) -> tuple[Jid, ChatMessage | None]:
        """The conversation an event belongs to, and the stored message it names."""
        peer = conversation_of(event.kind, event.sender, event.recipient, event.outgoing)
        target = self._features.find_target(event.account, peer, event.kind, event.target_id)
        if target is None:
            log.info("%s an unknown message in %s dropped", what, peer)
        return peer, target


_OWN_KEY = "own"


def _reference(message: ChatMessage) -> str:
    """How others name ``message``: the room's stanza-id in rooms, else its stanza id."""
    if message.kind is ChatKind.GROUPCHAT:
        return message.stanza_id
    return message.message_id or message.origin_id


def _moderator(event: RetractionReceived) -> str:
    if not event.moderated_by:
        return ""
    by = event.moderated_by
    return by.split("/", 1)[1] if "/" in by else by
