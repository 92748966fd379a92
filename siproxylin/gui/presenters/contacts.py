"""ContactsPresenter: keeps the contact tree in step with accounts, roster and messages.

Owns the mapping from batches of core events to ``ContactTreeModel`` changes:
account rows with their state text and proxy, roster contacts, presence dots, "not in
roster" entries for strangers who wrote to us, and unread counts for
conversations that are not open. An account it has not seen yet (the core
loaded it before the window existed) is read in whole from the services.
Each batch ends in at most one model update per account. No widgets; imports
``domain``, ``core`` and ``gui.models``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from siproxylin.core.accounts import AccountManager
from siproxylin.core.services.chat import ChatService
from siproxylin.core.services.roster import RosterService
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.errors import AccountNotFound
from siproxylin.domain.events import (
    AccountAdded,
    AccountRemoved,
    AccountStateChanged,
    AccountUpdated,
    MessageStored,
    PresenceChanged,
    RosterChanged,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Availability, Direction, RosterItem
from siproxylin.gui.bridge import EventBridge
from siproxylin.gui.models.contact_entries import AccountEntry, ContactEntry
from siproxylin.gui.models.contacts import ContactTreeModel

log = logging.getLogger(__name__)

Conversation = tuple[AccountId, Jid]


class ContactsPresenter:
    """Maps account, roster, presence and message events onto the contact tree."""

    def __init__(
        self,
        model: ContactTreeModel,
        accounts: AccountManager,
        roster: RosterService,
        chat: ChatService,
    ) -> None:
        self.model = model
        self._accounts = accounts
        self._roster = roster
        self._chat = chat
        self._active: Conversation | None = None

    def register(self, bridge: EventBridge) -> None:
        """Subscribe the handlers to the bridge."""
        bridge.register(AccountAdded, self._on_account_added)
        bridge.register(AccountUpdated, self._on_account_updated)
        bridge.register(AccountRemoved, self._on_account_removed)
        bridge.register(AccountStateChanged, self._on_account_state_changed)
        bridge.register(RosterChanged, self._on_roster_changed)
        bridge.register(PresenceChanged, self._on_presence_changed)
        bridge.register(MessageStored, self._on_message_stored)

    def load(self) -> None:
        """Show every account the core already has."""
        for config in self._accounts.accounts():
            if self.model.account_entry(config.id) is None:
                self._add_account(config)

    def set_active(self, conversation: Conversation | None) -> None:
        """The conversation on screen: its messages count as read."""
        self._active = conversation
        if conversation is None:
            return
        account, jid = conversation
        entry = self.model.contact(account, jid)
        if entry is not None and entry.unread:
            self.model.update_contacts(account, [replace(entry, unread=0)])

    def forget(self, account: AccountId, jid: Jid) -> None:
        """Drop a contact's row (someone not in the roster whom the user hid)."""
        self.model.update_contacts(account, removed=[jid])

    # --- handlers ----------------------------------------------------------------

    def _on_account_added(self, events: Sequence[AccountAdded]) -> None:
        for event in events:
            if self.model.account_entry(event.account) is None:
                self._add_account(event.config)

    def _on_account_updated(self, events: Sequence[AccountUpdated]) -> None:
        for event in events:
            entry = self.model.account_entry(event.account)
            if entry is None:
                self._add_account(event.config)
            else:
                config = event.config
                self.model.upsert_account(
                    replace(entry, jid=config.jid, enabled=config.enabled, proxy=config.proxy)
                )

    def _on_account_removed(self, events: Sequence[AccountRemoved]) -> None:
        for event in events:
            self.model.remove_account(event.account)
            if self._active is not None and self._active[0] == event.account:
                self._active = None

    def _on_account_state_changed(self, events: Sequence[AccountStateChanged]) -> None:
        latest = {event.account: event.status for event in events}
        for account, status in latest.items():
            entry = self.model.account_entry(account)
            if entry is not None:
                self.model.upsert_account(replace(entry, status=status))
            else:
                self._discover(account)

    def _on_roster_changed(self, events: Sequence[RosterChanged]) -> None:
        changes: dict[AccountId, dict[Jid, RosterItem | None]] = {}
        for event in events:
            if not self._known(event.account):
                continue
            per_account = changes.setdefault(event.account, {})
            for item in event.items:
                per_account[item.jid] = item
            for jid in event.removed:
                per_account[jid] = None
        for account, items in changes.items():
            entries: list[ContactEntry] = []
            removed: list[Jid] = []
            for jid, change in items.items():
                if change is None:
                    removed.append(jid)
                else:
                    entries.append(self._entry_for(account, change))
            self.model.update_contacts(account, entries, removed)

    def _on_presence_changed(self, events: Sequence[PresenceChanged]) -> None:
        latest: dict[AccountId, dict[Jid, tuple[Availability, str]]] = {}
        for event in events:
            latest.setdefault(event.account, {})[event.jid] = (
                event.availability,
                event.status,
            )
        for account, presences in latest.items():
            if not self._known(account):
                continue
            entries: list[ContactEntry] = []
            for jid, (availability, status) in presences.items():
                entry = self.model.contact(account, jid)
                if entry is not None:
                    entries.append(replace(entry, availability=availability, status=status))
            self.model.update_contacts(account, entries)

    def _on_message_stored(self, events: Sequence[MessageStored]) -> None:
        counts: dict[Conversation, int] = {}
        active = self._active
        for event in events:
            if not event.new:
                continue
            message = event.message
            key = (event.account, message.peer)
            unread = message.direction is Direction.INCOMING and key != active
            counts[key] = counts.get(key, 0) + unread
        per_account: dict[AccountId, list[ContactEntry]] = {}
        for (account, peer), count in counts.items():
            entry = self.model.contact(account, peer)
            if entry is None:
                if self.model.account_entry(account) is None:
                    continue
                entry = ContactEntry(peer, in_roster=False)
            elif not count:
                continue
            per_account.setdefault(account, []).append(replace(entry, unread=entry.unread + count))
        for account, entries in per_account.items():
            self.model.update_contacts(account, entries)

    # --- internals ---------------------------------------------------------------

    def _known(self, account: AccountId) -> bool:
        """True if the tree has the account; if not, load it whole and return False."""
        if self.model.account_entry(account) is not None:
            return True
        self._discover(account)
        return False

    def _discover(self, account: AccountId) -> None:
        try:
            config = self._accounts.config(account)
        except AccountNotFound:
            return  # removed since: its events are stale
        self._add_account(config)

    def _add_account(self, config: AccountConfig) -> None:
        account = config.id
        status = self._accounts.status(account)
        self.model.upsert_account(
            AccountEntry(account, config.jid, status, config.enabled, config.proxy)
        )
        entries = [self._entry_for(account, item) for item in self._roster.roster(account)]
        known = {entry.jid for entry in entries}
        entries.extend(
            ContactEntry(peer, in_roster=False)
            for peer in self._chat.conversations(account)
            if peer not in known and peer != config.jid
        )
        self.model.update_contacts(account, entries)

    def _entry_for(self, account: AccountId, item: RosterItem) -> ContactEntry:
        current = self.model.contact(account, item.jid)
        if current is not None:
            availability, status, unread = (
                current.availability,
                current.status,
                current.unread,
            )
        else:
            availability, status = self._roster.availability(account, item.jid)
            unread = 0
        return ContactEntry(
            item.jid,
            item.name,
            availability,
            status,
            in_roster=True,
            subscription=item.subscription,
            unread=unread,
        )
