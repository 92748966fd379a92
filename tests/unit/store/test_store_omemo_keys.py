"""OMEMO key-value state: round trip, replace, delete, per-account isolation, cascade."""

from __future__ import annotations

import pytest

from siproxylin.domain.config import AccountConfig
from siproxylin.domain.errors import AccountNotFound
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.store.accounts import AccountsRepo
from siproxylin.store.db import Database
from siproxylin.store.omemo_keys import OmemoKeys


@pytest.fixture
def keys(db: Database) -> OmemoKeys:
    return OmemoKeys(db)


def _second_account(accounts: AccountsRepo) -> AccountId:
    return accounts.add_account(AccountConfig(AccountId(0), Jid.parse("bob@example.org"))).id


def test_values_come_back_as_json(keys: OmemoKeys, account: AccountId) -> None:
    value = {"ik": "AAEC", "ids": [1, 2, 3], "label": None, "ok": True, "n": 1.5}
    keys.store(account, "/own/identity", value)
    assert keys.load(account, "/own/identity") == (True, value)


def test_a_missing_key_is_reported_as_missing(keys: OmemoKeys, account: AccountId) -> None:
    assert keys.load(account, "/nothing") == (False, None)
    keys.store(account, "/null", None)  # a stored null is not a missing key
    assert keys.load(account, "/null") == (True, None)


def test_store_replaces_and_delete_forgets(keys: OmemoKeys, account: AccountId) -> None:
    keys.store(account, "/k", 1)
    keys.store(account, "/k", [2])
    assert keys.load(account, "/k") == (True, [2])
    keys.delete(account, "/k")
    keys.delete(account, "/k")  # deleting again is harmless
    assert keys.load(account, "/k") == (False, None)


def test_accounts_do_not_share_keys(
    keys: OmemoKeys, account: AccountId, accounts: AccountsRepo
) -> None:
    other = _second_account(accounts)
    keys.store(account, "/own/device_id", 111)
    keys.store(other, "/own/device_id", 222)
    assert keys.load(account, "/own/device_id") == (True, 111)
    assert keys.load(other, "/own/device_id") == (True, 222)
    keys.delete(other, "/own/device_id")
    assert keys.load(account, "/own/device_id") == (True, 111)


def test_removing_the_account_removes_its_keys(
    keys: OmemoKeys, account: AccountId, accounts: AccountsRepo, db: Database
) -> None:
    keys.store(account, "/own/identity", "secret")
    accounts.remove_account(account)
    assert keys.load(account, "/own/identity") == (False, None)
    assert db.read("SELECT count(*) FROM omemo_key") == [(0,)]


def test_unknown_account_and_non_json_are_refused(keys: OmemoKeys, account: AccountId) -> None:
    with pytest.raises(AccountNotFound):
        keys.store(AccountId(9999), "/k", 1)
    with pytest.raises(TypeError):
        keys.store(account, "/k", b"raw bytes")
    with pytest.raises(ValueError):
        keys.store(account, "/k", float("nan"))


def test_prune_forgets_only_old_values_under_the_prefix(
    keys: OmemoKeys, accounts: AccountsRepo, account: AccountId
) -> None:
    other = _second_account(accounts)
    for name, day in (("a", 10), ("b", 99), ("c", 100), ("d", 200)):
        keys.store(account, f"/marks/{name}", day)
    keys.store(account, "/marks0", 1)  # sorts right after the prefix: not under it
    keys.store(account, "/marka", 1)
    keys.store(account, "/own/device_id", 5)  # below the cut, other prefix: kept
    keys.store(other, "/marks/a", 1)  # another account: kept
    assert keys.prune(account, "/marks/", 100) == 2
    assert [n for n in "abcd" if keys.load(account, f"/marks/{n}")[0]] == ["c", "d"]
    for key in ("/marks0", "/marka", "/own/device_id"):
        assert keys.load(account, key)[0]
    assert keys.load(other, "/marks/a") == (True, 1)
    with pytest.raises(ValueError, match="prefix"):
        keys.prune(account, "", 100)
