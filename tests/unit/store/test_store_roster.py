"""RosterStore: replace, upsert, remove, per-account isolation."""

from __future__ import annotations

import pytest
from store_helpers import ALICE, BOB

from siproxylin.core.ports import RosterRepo
from siproxylin.domain.errors import AccountNotFound
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import RosterItem, Subscription
from siproxylin.store.accounts import AccountsRepo
from siproxylin.store.db import Database
from siproxylin.store.roster import RosterStore

CAROL = Jid.parse("carol@example.com")


def test_implements_the_port(db: Database) -> None:
    repo: RosterRepo = RosterStore(db)
    assert repo.roster(AccountId(1)) == []


def test_replace_upsert_remove(db: Database, account: AccountId) -> None:
    roster = RosterStore(db)
    alice = RosterItem(ALICE, "Alice", Subscription.BOTH, ("Friends", "Работа"))
    bob = RosterItem(BOB, "", Subscription.TO, (), ask=True)
    roster.replace_roster(account, [bob, alice])
    assert roster.roster(account) == [alice, bob]  # sorted by address

    carol = RosterItem(CAROL, "Carol")
    alice2 = RosterItem(ALICE, "Alice B.", Subscription.FROM, ())
    roster.upsert_roster(account, [carol, alice2])
    assert roster.roster(account) == [alice2, bob, carol]

    roster.upsert_roster(account, [RosterItem(BOB, subscription=Subscription.REMOVE)])
    assert roster.roster(account) == [alice2, carol]

    roster.remove_roster(account, [CAROL, Jid.parse("never@seen.org")])
    assert roster.roster(account) == [alice2]

    roster.replace_roster(account, [carol])
    assert roster.roster(account) == [carol]
    roster.replace_roster(account, [])
    assert roster.roster(account) == []


def test_rosters_are_per_account(db: Database, accounts: AccountsRepo, account: AccountId) -> None:
    other = accounts.add_account(accounts.list_accounts()[0]).id
    roster = RosterStore(db)
    roster.replace_roster(account, [RosterItem(ALICE)])
    roster.replace_roster(other, [RosterItem(BOB)])
    roster.remove_roster(other, [ALICE])
    assert roster.roster(account) == [RosterItem(ALICE)]
    assert roster.roster(other) == [RosterItem(BOB)]


def test_full_jids_are_stored_bare(db: Database, account: AccountId) -> None:
    roster = RosterStore(db)
    roster.upsert_roster(account, [RosterItem(ALICE.with_resource("r"), "A")])
    assert [item.jid for item in roster.roster(account)] == [ALICE]


def test_unknown_account_is_rolled_back(db: Database, account: AccountId) -> None:
    roster = RosterStore(db)
    roster.replace_roster(account, [RosterItem(ALICE)])
    with pytest.raises(AccountNotFound):
        roster.replace_roster(AccountId(999), [RosterItem(BOB)])
    assert roster.roster(account) == [RosterItem(ALICE)]
