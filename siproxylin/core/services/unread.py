"""Unread counters and read positions: right after a restart, and in step with our other devices.

Rules owned here:

* the count of a conversation is derived from its stored read position (never
  kept only in memory), so it is the same after a restart;
* the position moves forward only: when the user reads a conversation, when we
  send a message in it, and when one of our own other devices read it: through
  XEP-0490 (a private PEP node of our own account; a position naming a message
  not stored yet waits for it) or a XEP-0333 displayed marker it sent;
* what the user read is always shared with our own devices through XEP-0490
  (nobody else can read that node); a displayed marker goes to the contact only
  when the account allows read markers (off by default), and only for the
  newest incoming message.

Counts are cached per conversation once read from the store and then updated
incrementally, so a burst of messages costs no counting query per message.
What goes out about a read (XEP-0490, XEP-0333) leaves ``share_delay`` seconds
after the first read of a series, once per conversation: reading along while
messages pour in costs one publish, not one per batch.
Publishes ``UnreadChanged`` after every change. Imports ``domain`` and ``core``.
"""

from __future__ import annotations

import asyncio

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.ports import MessageFeatureRepo, ReadStateRepo
from siproxylin.core.services.authorship import conversation_jid
from siproxylin.domain.events import AccountRemoved, DisplayedSynced, UnreadChanged
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, ChatMessage, Direction


class Unread:
    """Read positions and unread counts of every conversation."""

    def __init__(
        self,
        bus: EventBus,
        accounts: AccountManager,
        features: MessageFeatureRepo,
        repo: ReadStateRepo,
    ) -> None:
        self._bus = bus
        self._accounts = accounts
        self._features = features
        self._repo = repo
        self._counts: dict[tuple[AccountId, Jid], int] = {}
        # Positions from our other devices naming messages not stored yet.
        self._pending: dict[tuple[AccountId, Jid], str] = {}
        self._scheduled: dict[tuple[AccountId, Jid], asyncio.TimerHandle] = {}
        self.share_delay = 0.5
        bus.subscribe(AccountRemoved, self._on_account_removed)
        bus.subscribe(DisplayedSynced, self._on_displayed_synced)

    def count(self, account: AccountId, peer: Jid) -> int:
        """Unread incoming messages in the conversation with ``peer``."""
        key = (account, peer)
        found = self._counts.get(key)
        if found is None:
            found = self._counts[key] = self._repo.unread_count(account, peer)
        return found

    def counts(self, account: AccountId) -> dict[Jid, int]:
        """Every conversation of ``account`` with unread messages."""
        counts = self._repo.unread_counts(account)
        for key in [key for key in self._counts if key[0] == account]:
            del self._counts[key]
        for peer, count in counts.items():
            self._counts[(account, peer)] = count
        return counts

    def mark_read(self, account: AccountId, peer: Jid) -> None:
        """The user saw the whole conversation with ``peer``."""
        newest = self._features.newest(account, peer)
        if newest is not None:
            self.mark_read_up_to(newest, send_marker=True)

    def mark_read_up_to(self, message: ChatMessage, send_marker: bool) -> None:
        """Move the read position of ``message``'s conversation up to it.

        Args:
            message: The newest message read.
            send_marker: Tell the contact with a displayed marker, if allowed.
        """
        moved = self._repo.mark_read(message)
        peer = conversation_jid(message)
        if moved:
            self._recount(message.account, peer)
        if send_marker and moved:
            self._schedule_share(message.account, peer)

    def incoming(self, message: ChatMessage) -> None:
        """A new incoming message was stored."""
        key = (message.account, conversation_jid(message))
        if message.stanza_id and self._pending.get(key) == message.stanza_id:
            del self._pending[key]
            self.mark_read_up_to(message, send_marker=False)
            return
        if key not in self._counts:
            self._recount(*key)
            return
        self._counts[key] += 1
        self._bus.publish(UnreadChanged(message.account, key[1], self._counts[key]))

    def changed(self, message: ChatMessage) -> None:
        """A stored message changed in a way that may change the count (retraction)."""
        self._recount(message.account, conversation_jid(message))

    # --- internals -----------------------------------------------------------------

    def _recount(self, account: AccountId, peer: Jid) -> None:
        count = self._repo.unread_count(account, peer)
        if self._counts.get((account, peer)) == count:
            return
        self._counts[(account, peer)] = count
        self._bus.publish(UnreadChanged(account, peer, count))

    def _on_displayed_synced(self, event: DisplayedSynced) -> None:
        key = (event.account, event.peer)
        target = self._features.find_target(
            event.account, event.peer, ChatKind.GROUPCHAT, event.stanza_id
        )  # looked up by stanza-id first, whatever the conversation's kind
        if target is None or target.stanza_id != event.stanza_id:
            self._pending[key] = event.stanza_id
            return
        self._pending.pop(key, None)
        self.mark_read_up_to(target, send_marker=False)

    def _schedule_share(self, account: AccountId, peer: Jid) -> None:
        key = (account, peer)
        if key in self._scheduled:
            return  # goes out with the position it will have by then
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or self.share_delay <= 0:
            self._flush(account, peer)
            return
        self._scheduled[key] = loop.call_later(self.share_delay, self._flush, account, peer)

    def _flush(self, account: AccountId, peer: Jid) -> None:
        self._scheduled.pop((account, peer), None)
        self._share(account, peer)
        self._send_marker(account, peer)

    def _share(self, account: AccountId, peer: Jid) -> None:
        """Tell our other devices (only them) how far the conversation was read."""
        xmpp = self._accounts.xmpp(account)
        newest = self._features.newest(account, peer)
        if xmpp is None or newest is None or not newest.stanza_id:
            return
        if newest.kind is ChatKind.GROUPCHAT_PM:
            return  # XEP-0490 names conversations by bare address
        by = peer if newest.kind is ChatKind.GROUPCHAT else self._accounts.config(account).jid
        xmpp.publish_displayed(peer, newest.stanza_id, by)

    def _send_marker(self, account: AccountId, peer: Jid) -> None:
        if not self._accounts.config(account).privacy.read_markers:
            return
        xmpp = self._accounts.xmpp(account)
        newest = self._features.newest(account, peer, Direction.INCOMING)
        if xmpp is None or newest is None:
            return
        if newest.kind is ChatKind.GROUPCHAT:
            target = newest.stanza_id
        else:
            target = newest.message_id or newest.origin_id
        if target:
            xmpp.send_marker(newest.peer, newest.kind, target, newest.thread)

    def _on_account_removed(self, event: AccountRemoved) -> None:
        for key in [key for key in self._counts if key[0] == event.account]:
            del self._counts[key]
        for key in [key for key in self._scheduled if key[0] == event.account]:
            self._scheduled.pop(key).cancel()
