"""The OMEMO library's storage on our key repo: round trips, isolation, failures."""

from __future__ import annotations

from typing import Any

import pytest
from omemo.storage import StorageException

from siproxylin.domain.ids import AccountId
from siproxylin.xmpp.omemo.storage import MARKER_DAYS, AccountStorage


class MemoryKeys:
    """OmemoKeyRepo in a dict; ``broken`` makes every call fail."""

    def __init__(self) -> None:
        self.data: dict[tuple[AccountId, str], Any] = {}
        self.broken = False
        self.loads = 0

    def load(self, account: AccountId, key: str) -> tuple[bool, Any]:
        self._check()
        self.loads += 1
        if (account, key) in self.data:
            return True, self.data[(account, key)]
        return False, None

    def store(self, account: AccountId, key: str, value: Any) -> None:
        self._check()
        self.data[(account, key)] = value

    def delete(self, account: AccountId, key: str) -> None:
        self._check()
        self.data.pop((account, key), None)

    def prune(self, account: AccountId, prefix: str, below: int) -> int:
        self._check()
        old = [k for k, v in self.data.items() if k[0] == account and k[1].startswith(prefix)]
        old = [k for k in old if int(self.data[k]) < below]
        for k in old:
            del self.data[k]
        return len(old)

    def _check(self) -> None:
        if self.broken:
            raise OSError("disk on fire: secret-key-material")


async def test_values_and_bytes_round_trip() -> None:
    keys = MemoryKeys()
    storage = AccountStorage(keys, AccountId(1))
    await storage.store("/own/device_id", 42)
    await storage.store_bytes("/own/identity_key", b"\x00\x01secret")
    assert (await storage.load_primitive("/own/device_id", int)).from_just() == 42
    assert (await storage.load_bytes("/own/identity_key")).from_just() == b"\x00\x01secret"
    assert (await storage.load("/missing")).is_nothing
    await storage.delete("/own/device_id")
    assert (await storage.load("/own/device_id")).is_nothing
    assert (AccountId(1), "/own/device_id") not in keys.data


async def test_two_accounts_never_see_each_others_keys() -> None:
    keys = MemoryKeys()
    one, two = AccountStorage(keys, AccountId(1)), AccountStorage(keys, AccountId(2))
    await one.store("/own/device_id", 1)
    assert (await two.load("/own/device_id")).is_nothing
    await two.store("/own/device_id", 2)
    assert (await one.load_primitive("/own/device_id", int)).from_just() == 1
    assert keys.data == {(AccountId(1), "/own/device_id"): 1, (AccountId(2), "/own/device_id"): 2}


async def test_failures_become_storage_exceptions_without_the_value() -> None:
    keys = MemoryKeys()
    storage = AccountStorage(keys, AccountId(1))
    keys.broken = True
    with pytest.raises(StorageException) as stored:
        await storage.store("/own/identity_key", "c2VjcmV0")
    assert "c2VjcmV0" not in str(stored.value)
    with pytest.raises(StorageException):
        await storage.load("/other")
    with pytest.raises(StorageException):
        await storage.delete("/other")


async def test_decrypted_markers_skip_the_cache() -> None:
    keys = MemoryKeys()
    storage = AccountStorage(keys, AccountId(1))
    assert not storage.was_decrypted("me@example.org/abc")
    storage.mark_decrypted("me@example.org/abc")
    assert storage.was_decrypted("me@example.org/abc")
    assert not AccountStorage(keys, AccountId(2)).was_decrypted("me@example.org/abc")
    keys.broken = True
    assert not storage.was_decrypted("me@example.org/abc")  # a failed lookup is "no"


def test_decryption_markers_are_kept_ninety_days() -> None:
    keys = MemoryKeys()
    storage = AccountStorage(keys, AccountId(1))
    day = 86400.0
    storage.mark_decrypted("room@x/old", now=1000 * day)
    storage.mark_decrypted("room@x/new", now=1080 * day)
    assert storage.prune_markers(now=(1000 + MARKER_DAYS + 1) * day) == 1
    assert not storage.was_decrypted("room@x/old")
    assert storage.was_decrypted("room@x/new")
    keys.broken = True
    assert storage.prune_markers() == 0  # a failure costs only room
