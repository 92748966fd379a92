"""ContactsPresenter: keeps the contact tree in step with accounts, roster and messages.

Owns the mapping from batches of core events to ``ContactTreeModel`` changes:
account rows with their state text and proxy, roster contacts, presence dots, "not in
roster" entries for strangers who wrote to us, and unread counts as the core keeps
them (``unread_counts`` on load, ``UnreadChanged`` after), so they survive
restarts and follow reads on other devices. An account it has not seen yet (the core
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
from siproxylin.core.services.profiles import ProfileService
from siproxylin.core.services.roster import RosterService
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.errors import AccountNotFound
from siproxylin.domain.events import (
    AccountAdded,
    AccountRemoved,
    AccountStateChanged,
    AccountUpdated,
    AvatarChanged,
    MessageStored,
    NicknameChanged,
    PresenceChanged,
    RosterChanged,
    UnreadChanged,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Availability, ChatKind, RoomState, RosterItem
from siproxylin.gui import avatars
from siproxylin.gui.bridge import EventBridge
from siproxylin.gui.models.contact_entries import AccountEntry, ContactEntry
from siproxylin.gui.models.contacts import ContactTreeModel
from siproxylin.gui.presenters.rooms import RoomsPresenter

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
        self._room_presenter: RoomsPresenter | None = None
        self._profiles: ProfileService | None = None

    def attach_profiles(self, profiles: ProfileService) -> None:
        """Show avatars and nicknames (from ``profiles``) in the contact rows."""
        self._profiles = profiles
        for entry in self.model.accounts():
            contacts = self.model.contacts(entry.account)
            self.model.update_contacts(
                entry.account, [self._with_profile(entry.account, c) for c in contacts]
            )

    def attach_rooms(self, rooms: RoomsPresenter) -> None:
        """List each account's group chats (from ``rooms``) above its contacts."""
        self._room_presenter = rooms
        rooms.listing_changed.connect(self.refresh_rooms)
        for entry in self.model.accounts():
            self.refresh_rooms(entry.account)

    def refresh_rooms(self, account: AccountId) -> None:
        """Bring an account's group chat rows up to date."""
        rooms = self._room_presenter
        if rooms is None or self.model.account_entry(account) is None:
            return
        listed = rooms.listed_rooms(account)
        current = {entry.jid: entry for entry in self.model.contacts(account) if entry.is_room}
        unread = self._unread_counts(account) if set(listed) - set(current) else {}
        entries = []
        for room, name in listed.items():
            state = rooms.state(account, room)
            old = current.get(room)
            entries.append(
                ContactEntry(
                    room,
                    name,
                    Availability.ONLINE if state is RoomState.JOINED else Availability.OFFLINE,
                    rooms.state_text(account, room),
                    unread=old.unread if old is not None else unread.get(room, 0),
                    room_state=state,
                    avatar=self._avatar(account, room),
                )
            )
        removed = [room for room in current if room not in listed]
        self.model.update_contacts(account, entries, removed)

    def register(self, bridge: EventBridge) -> None:
        """Subscribe the handlers to the bridge."""
        bridge.register(AccountAdded, self._on_account_added)
        bridge.register(AccountUpdated, self._on_account_updated)
        bridge.register(AccountRemoved, self._on_account_removed)
        bridge.register(AccountStateChanged, self._on_account_state_changed)
        bridge.register(RosterChanged, self._on_roster_changed)
        bridge.register(PresenceChanged, self._on_presence_changed)
        bridge.register(MessageStored, self._on_message_stored)
        bridge.register(UnreadChanged, self._on_unread_changed)
        bridge.register(AvatarChanged, self._on_profile_changed)
        bridge.register(NicknameChanged, self._on_profile_changed)

    def load(self) -> None:
        """Show every account the core already has."""
        for config in self._accounts.accounts():
            if self.model.account_entry(config.id) is None:
                self._add_account(config)

    def set_active(self, conversation: Conversation | None) -> None:
        """The conversation on screen (the chat presenter marks it read in the core)."""
        self._active = conversation

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
        """Someone not in the roster who writes to us gets a row."""
        strangers: dict[AccountId, dict[Jid, None]] = {}
        for event in events:
            message = event.message
            if not event.new or message.kind is not ChatKind.CHAT:
                continue
            if self.model.contact(event.account, message.peer) is None:
                strangers.setdefault(event.account, {})[message.peer] = None
        for account, peers in strangers.items():
            if self.model.account_entry(account) is None:
                continue
            unread = self._unread_counts(account)
            entries = [
                self._with_profile(
                    account, ContactEntry(peer, in_roster=False, unread=unread.get(peer, 0))
                )
                for peer in peers
            ]
            self.model.update_contacts(account, entries)

    def _on_unread_changed(self, events: Sequence[UnreadChanged]) -> None:
        latest: dict[AccountId, dict[Jid, int]] = {}
        for event in events:
            latest.setdefault(event.account, {})[event.peer] = event.count
        for account, counts in latest.items():
            if self.model.account_entry(account) is None:
                continue
            entries: list[ContactEntry] = []
            for peer, count in counts.items():
                entry = self.model.contact(account, peer)
                if entry is not None and entry.unread != count:
                    entries.append(replace(entry, unread=count))
            if entries:
                self.model.update_contacts(account, entries)

    def _on_profile_changed(self, events: Sequence[AvatarChanged | NicknameChanged]) -> None:
        if any(isinstance(event, AvatarChanged) for event in events):
            avatars.forget_cached()  # a picture may be shown under a path it had before
        changed: dict[AccountId, dict[Jid, ContactEntry]] = {}
        for event in events:
            entry = self.model.contact(event.account, event.jid)
            if entry is not None:
                changed.setdefault(event.account, {})[entry.jid] = self._with_profile(
                    event.account, entry
                )
        for account, entries in changed.items():
            self.model.update_contacts(account, list(entries.values()))

    # --- internals ---------------------------------------------------------------

    def _with_profile(self, account: AccountId, entry: ContactEntry) -> ContactEntry:
        profiles = self._profiles
        if profiles is None:
            return entry
        if entry.is_room:  # a room has an avatar, not a nickname
            return replace(entry, avatar=self._avatar(account, entry.jid))
        return replace(
            entry,
            avatar=self._avatar(account, entry.jid),
            nickname=profiles.nickname(account, entry.jid),
        )

    def _avatar(self, account: AccountId, jid: Jid) -> str:
        """The path of ``jid``'s cached picture, "" for none (or no profiles)."""
        path = None if self._profiles is None else self._profiles.avatar(account, jid)
        return "" if path is None else str(path)

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
        unread = self._unread_counts(account)
        entries = [
            replace(self._entry_for(account, item), unread=unread.get(item.jid, 0))
            for item in self._roster.roster(account)
        ]
        known = {entry.jid for entry in entries}
        rooms = self._room_presenter
        if rooms is not None:
            known.update(rooms.listed_rooms(account))
        entries.extend(
            ContactEntry(peer, in_roster=False, unread=unread.get(peer, 0))
            for peer in self._chat.conversations(account)
            if peer not in known
            and peer != config.jid
            and peer.is_bare
            and not self._was_room(account, peer)
        )
        self.model.update_contacts(account, entries)
        self.refresh_rooms(account)

    def _was_room(self, account: AccountId, peer: Jid) -> bool:
        """True for the conversation of a room no longer listed (left and forgotten)."""
        newest = self._chat.history(account, peer, 1)
        return bool(newest) and newest[-1].kind is ChatKind.GROUPCHAT

    def _unread_counts(self, account: AccountId) -> dict[Jid, int]:
        try:
            return self._chat.unread_counts(account)
        except AccountNotFound:
            return {}

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
        return self._with_profile(
            account,
            ContactEntry(
                item.jid,
                item.name,
                availability,
                status,
                in_roster=True,
                subscription=item.subscription,
                unread=unread,
            ),
        )
