"""Message history from server archives (XEP-0313): catch-up after being offline, scroll back.

Rules owned here:

* after a fresh (not resumed) login the account's own archive is read forward
  from the last synced archive id; after ``RoomJoined(archived=True)`` the room's
  archive likewise. Page by page, the page's events are published in order (the
  chat service stores each message as it is published) and then the new sync
  point is recorded, in the same store transaction, so a crash resumes after the
  last completed page: nothing is fetched twice or skipped;
* the first time an archive is read (no sync point) only its newest pages are
  fetched, backwards, and the sync point is set to the newest id; an archive that
  was empty then is read from its beginning next time;
* when the server no longer knows the sync point (``item-not-found``), catch-up
  goes on from the sync point's time, and the store records the break between
  the known ranges;
* copies that also arrive live, as carbons or from offline storage, are the same
  message to the store (the archive id is their stanza-id), so each is kept once;
* ``load_older`` pages back through the archive when the stored history runs out,
  and remembers when the beginning is reached;
* ``HistorySyncStateChanged`` says when a catch-up starts and ends.

Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.ports import ArchivePage, ArchiveQueryError, ArchiveSyncRepo, XmppSession
from siproxylin.domain.errors import NotConnected
from siproxylin.domain.events import (
    HistorySyncStateChanged,
    MessageReceived,
    MessageStored,
    RoomJoined,
    SessionEnded,
    SessionStarted,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind

log = logging.getLogger(__name__)

PAGE_SIZE = 50  # Prosody's default upper limit
FIRST_SYNC_PAGES = 2  # pages read back from the newest when an archive is new to us
MAX_EMPTY_PAGES = 5  # scrolling back: pages of known messages skipped before giving up
GONE = "item-not-found"  # the archive id paged from is not in the archive (any more)
TIME_SLACK = 1.0  # seconds: the time fallback starts a little early (stamps are rounded)


class HistoryService:
    """Catches up server archives and pages back through them.

    Args:
        bus: The event bus.
        accounts: The account manager (sessions and their tasks).
        repo: Archive sync state.
        page_size: Results asked per archive query.
        first_sync_pages: Pages fetched back from the newest for a new archive.
    """

    def __init__(
        self,
        bus: EventBus,
        accounts: AccountManager,
        repo: ArchiveSyncRepo,
        page_size: int = PAGE_SIZE,
        first_sync_pages: int = FIRST_SYNC_PAGES,
    ) -> None:
        self._bus = bus
        self._accounts = accounts
        self._repo = repo
        self.page_size = page_size
        self.first_sync_pages = first_sync_pages
        self._running: dict[tuple[AccountId, Jid], asyncio.Task[Any]] = {}
        self._stored = 0  # new messages stored so far (MessageStored with new=True)
        bus.subscribe(SessionStarted, self._on_session_started)
        bus.subscribe(RoomJoined, self._on_room_joined)
        bus.subscribe(SessionEnded, self._on_session_ended)
        bus.subscribe(MessageStored, self._on_message_stored)

    def syncing(self, account: AccountId, archive: Jid) -> bool:
        """True while a catch-up of ``archive`` runs."""
        task = self._running.get((account, archive.bare))
        return task is not None and not task.done()

    async def wait_synced(self, account: AccountId, archive: Jid) -> None:
        """Return once no catch-up of ``archive`` runs (for tests and tools)."""
        task = self._running.get((account, archive.bare))
        if task is not None:
            await asyncio.wait({task})

    async def load_older(self, account: AccountId, peer: Jid, kind: ChatKind) -> int:
        """Fetch the archive page before the oldest stored message of a conversation.

        Args:
            account: The account.
            peer: The conversation: a contact's or a room's bare address.
            kind: Chat (the account's own archive, ``with`` the peer) or group chat
                (the room's archive).

        Returns:
            How many messages were newly stored; 0 once the beginning of the
            conversation's history is reached (remembered, so later calls ask
            the server nothing). Always 0 for a private chat with a room
            occupant: the server's ``with`` filter cannot tell occupants apart.

        Raises:
            NotConnected: If the account is not online.
            ArchiveQueryError: If the server refused or did not answer.
        """
        if kind is ChatKind.GROUPCHAT_PM:
            return 0
        room = kind is ChatKind.GROUPCHAT
        peer = peer.bare
        archive = peer if room else self._accounts.config(account).jid.bare
        with_jid = None if room else peer
        if self._repo.sync_state(account, archive, with_jid).complete_to_start:
            return 0
        xmpp = self._accounts.xmpp(account)
        if xmpp is None:
            raise NotConnected("the account is offline")
        before, ceiling = self._repo.oldest_archived(account, peer, kind)
        stored = 0
        for _ in range(MAX_EMPTY_PAGES):
            page = await xmpp.query_archive(
                peer if room else None,
                with_jid=with_jid,
                before=before,
                max_items=self.page_size,
            )
            stored += self._store(_below(page, ceiling) if before else page)
            self._repo.record_backward(account, archive, with_jid, before, page)
            if stored or page.complete or not page.first:
                break
            before = page.first  # every message of that page was known: look further back
        return stored

    # --- handlers ------------------------------------------------------------------

    def _on_session_started(self, event: SessionStarted) -> None:
        if event.resumed:  # a resumed stream lost nothing
            return
        # A new stream: queries sent on the old one (kept while it might have been
        # resumed) will never be answered. Their catch-ups start over.
        for key, task in list(self._running.items()):
            if key[0] == event.account:
                del self._running[key]
                task.cancel()
        self._start(event.account, event.bound.bare, room=False)

    def _on_room_joined(self, event: RoomJoined) -> None:
        if event.archived:
            self._start(event.account, event.room.bare, room=True)

    def _on_session_ended(self, event: SessionEnded) -> None:
        if event.resumable:
            return  # a resumption brings the answers we wait for
        for (account, _archive), task in list(self._running.items()):
            if account == event.account:
                task.cancel()

    def _on_message_stored(self, event: MessageStored) -> None:
        if event.new:
            self._stored += 1

    # --- catch-up ------------------------------------------------------------------

    def _start(self, account: AccountId, archive: Jid, *, room: bool) -> None:
        key = (account, archive)
        if self.syncing(account, archive):
            return
        session = self._accounts.session(account)
        xmpp = session.xmpp if session is not None else None
        if session is None or xmpp is None:
            return
        task = session.spawn(self._catch_up(xmpp, account, archive, room))
        self._running[key] = task
        task.add_done_callback(lambda done: self._finished(key, done))

    def _finished(self, key: tuple[AccountId, Jid], task: asyncio.Task[Any]) -> None:
        if self._running.get(key) is task:
            del self._running[key]

    async def _catch_up(
        self, xmpp: XmppSession, account: AccountId, archive: Jid, room: bool
    ) -> None:
        self._bus.publish(HistorySyncStateChanged(account, archive, syncing=True))
        counter = [0]
        try:
            state = self._repo.sync_state(account, archive)
            target = archive if room else None
            if state.last_id or state.complete_to_start:
                await self._forward(xmpp, account, archive, target, counter)
            else:
                await self._first_sync(xmpp, account, archive, target, counter)
        except ArchiveQueryError as exc:
            log.warning("account %s: catch-up of %s stopped: %s", account, archive, exc)
            self._ended(account, archive, counter[0], False, str(exc))
            return
        except asyncio.CancelledError:
            if self._running.get((account, archive)) is asyncio.current_task():
                self._ended(account, archive, counter[0], False, "cancelled")
            # else a newer catch-up of the same archive has started: it reports.
            raise
        log.info("account %s: %s caught up, %d new messages", account, archive, counter[0])
        self._ended(account, archive, counter[0], True, "")

    def _ended(
        self, account: AccountId, archive: Jid, fetched: int, complete: bool, detail: str
    ) -> None:
        self._bus.publish(
            HistorySyncStateChanged(account, archive, False, fetched, complete, detail)
        )

    async def _forward(
        self,
        xmpp: XmppSession,
        account: AccountId,
        archive: Jid,
        target: Jid | None,
        counter: list[int],
    ) -> None:
        """Page forward from the sync point (or the beginning) to the archive's newest message."""
        state = self._repo.sync_state(account, archive)
        after = state.last_id  # "": the archive was empty when first read, so all of it is new
        start: float | None = None
        while True:
            try:
                page = await xmpp.query_archive(
                    target, start=start, after=after or None, max_items=self.page_size
                )
            except ArchiveQueryError as exc:
                if exc.condition != GONE or start is not None or not after:
                    raise
                log.info(
                    "account %s: sync point of %s is gone; going on from its time",
                    account,
                    archive,
                )
                # What follows is not known to join the earlier range: a new one starts.
                after, start = "", max(0.0, state.last_time - TIME_SLACK)
                continue
            counter[0] += self._store(page)
            self._repo.record_forward(account, archive, after, page)
            if page.complete or not page.last or page.last == after:
                return
            after = page.last

    async def _first_sync(
        self,
        xmpp: XmppSession,
        account: AccountId,
        archive: Jid,
        target: Jid | None,
        counter: list[int],
    ) -> None:
        """Fetch the newest pages of an archive read for the first time."""
        pages: list[tuple[str, ArchivePage]] = []
        before = ""
        for _ in range(self.first_sync_pages):
            page = await xmpp.query_archive(target, before=before, max_items=self.page_size)
            pages.append((before, page))
            if page.complete or not page.first:
                break
            before = page.first
        # Stored oldest first: archive stamps are whole seconds, and within one
        # second the store keeps the order messages were stored in.
        for _before, page in reversed(pages):
            counter[0] += self._store(page)
        for before, page in pages:
            self._repo.record_backward(account, archive, None, before, page)

    def _store(self, page: ArchivePage) -> int:
        """Publish a page's events in order (the chat service stores them); new messages."""
        stored = self._stored
        publish = self._bus.publish
        for event in page.events:
            publish(event)
        return self._stored - stored


def _below(page: ArchivePage, ceiling: float) -> ArchivePage:
    """A page fetched before the oldest stored message, with times kept below it.

    Archive stamps have whole seconds, and history is ordered by time, then by
    storage order: a message of this (older) page stamped in the same second as
    the oldest stored one would otherwise show after it. Such times are moved a
    millisecond each below it, in page order.
    """
    events = list(page.events)
    late = [
        i
        for i, event in enumerate(events)
        if isinstance(event, MessageReceived) and event.timestamp >= ceiling
    ]
    for rank, i in enumerate(late):
        event = events[i]
        assert isinstance(event, MessageReceived)
        events[i] = replace(event, timestamp=ceiling - (len(late) - rank) / 1000)
    return replace(page, events=tuple(events)) if late else page
