"""Contacts: the stored roster, live presence per contact, and subscription requests.

Owns the rules: the roster is persisted before ``RosterChanged`` is published;
a contact's shown availability is the best of its resources; an account that
goes offline shows all its contacts offline; a subscription request from someone
we asked first is accepted without bothering the user, others become decisions.
Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

import asyncio
import logging

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.decisions import Decisions
from siproxylin.core.ports import RosterRepo
from siproxylin.domain.errors import NotConnected
from siproxylin.domain.events import (
    AccountRemoved,
    AccountStateChanged,
    PresenceChanged,
    PresenceReceived,
    RosterChanged,
    RosterReceived,
    SubscriptionRequested,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    Availability,
    ConnectionState,
    DecisionKind,
    RosterItem,
    Subscription,
)

log = logging.getLogger(__name__)

_RANK = {availability: rank for rank, availability in enumerate(Availability)}


class RosterService:
    """Keeps rosters and presence for every account."""

    def __init__(
        self,
        bus: EventBus,
        accounts: AccountManager,
        repo: RosterRepo,
        decisions: Decisions,
    ) -> None:
        self._bus = bus
        self._accounts = accounts
        self._repo = repo
        self._decisions = decisions
        # account -> bare jid -> resource -> (availability, status)
        self._presence: dict[AccountId, dict[Jid, dict[str, tuple[Availability, str]]]] = {}
        bus.subscribe(RosterReceived, self._on_roster_received)
        bus.subscribe(PresenceReceived, self._on_presence_received)
        bus.subscribe(SubscriptionRequested, self._on_subscription_requested)
        bus.subscribe(AccountStateChanged, self._on_account_state_changed)
        bus.subscribe(AccountRemoved, self._on_account_removed)

    # --- queries -------------------------------------------------------------------

    def roster(self, account: AccountId) -> list[RosterItem]:
        """The stored roster of an account."""
        return self._repo.roster(account)

    def availability(self, account: AccountId, jid: Jid) -> tuple[Availability, str]:
        """Best availability over a contact's resources, with its status text."""
        resources = self._presence.get(account, {}).get(jid.bare)
        if not resources:
            return Availability.OFFLINE, ""
        return min(resources.values(), key=lambda value: _RANK[value[0]])

    # --- commands ------------------------------------------------------------------

    def add_contact(self, account: AccountId, jid: Jid, name: str = "") -> None:
        """Add a contact and ask to see its presence."""
        self._accounts.online_xmpp(account).add_contact(jid.bare, name)

    def remove_contact(self, account: AccountId, jid: Jid) -> None:
        """Remove a contact from the roster."""
        self._accounts.online_xmpp(account).remove_contact(jid.bare)

    def answer_subscription(self, account: AccountId, jid: Jid, allow: bool) -> None:
        """Let ``jid`` see our presence (and ask for theirs back), or refuse."""
        xmpp = self._accounts.online_xmpp(account)
        xmpp.answer_subscription(jid.bare, allow)
        if allow and not self._subscribed_to(account, jid):
            xmpp.add_contact(jid.bare, "")

    # --- handlers ------------------------------------------------------------------

    def _on_roster_received(self, event: RosterReceived) -> None:
        removed = tuple(i.jid for i in event.items if i.subscription is Subscription.REMOVE)
        kept = tuple(i for i in event.items if i.subscription is not Subscription.REMOVE)
        if event.complete:
            before = {item.jid for item in self._repo.roster(event.account)}
            self._repo.replace_roster(event.account, kept)
            removed = tuple(before - {item.jid for item in kept})
        else:
            self._repo.upsert_roster(event.account, kept)
            self._repo.remove_roster(event.account, removed)
        self._bus.publish(RosterChanged(event.account, kept, removed))

    def _on_presence_received(self, event: PresenceReceived) -> None:
        bare = event.sender.bare
        before = self.availability(event.account, bare)
        resources = self._presence.setdefault(event.account, {}).setdefault(bare, {})
        if event.availability is Availability.OFFLINE:
            resources.pop(event.sender.resource, None)
        else:
            resources[event.sender.resource] = (event.availability, event.status)
        after = self.availability(event.account, bare)
        if after != before:
            self._bus.publish(PresenceChanged(event.account, bare, after[0], after[1]))

    def _on_subscription_requested(self, event: SubscriptionRequested) -> None:
        account, jid = event.account, event.sender.bare
        if self._subscribed_to(account, jid):
            self.answer_subscription(account, jid, allow=True)
            return
        future = self._decisions.ask(
            account,
            DecisionKind.SUBSCRIPTION,
            str(jid),
            f"{jid} wants to add you as a contact and see when you are online.",
        )
        future.add_done_callback(lambda f: self._on_subscription_decided(account, jid, f))

    def _on_subscription_decided(
        self, account: AccountId, jid: Jid, future: asyncio.Future[bool]
    ) -> None:
        if future.cancelled():
            return
        try:
            self.answer_subscription(account, jid, future.result())
        except NotConnected:
            log.info("subscription answer for %s dropped: account offline", jid)

    def _on_account_state_changed(self, event: AccountStateChanged) -> None:
        if event.status.state is ConnectionState.ONLINE:
            return
        contacts = self._presence.pop(event.account, {})
        for jid, resources in contacts.items():
            if resources:
                self._bus.publish(PresenceChanged(event.account, jid, Availability.OFFLINE))

    def _on_account_removed(self, event: AccountRemoved) -> None:
        self._presence.pop(event.account, None)

    def shares_presence_with(self, account: AccountId, jid: Jid) -> bool:
        """True when ``jid`` may see our presence (subscription from or both)."""
        item = self._item(account, jid.bare)
        return item is not None and item.subscription in (Subscription.FROM, Subscription.BOTH)

    # --- internals -----------------------------------------------------------------

    def _item(self, account: AccountId, jid: Jid) -> RosterItem | None:
        return next((i for i in self._repo.roster(account) if i.jid == jid), None)

    def _subscribed_to(self, account: AccountId, jid: Jid) -> bool:
        """True when we see (or asked to see) ``jid``'s presence."""
        item = self._item(account, jid)
        return item is not None and (
            item.ask or item.subscription in (Subscription.TO, Subscription.BOTH)
        )
