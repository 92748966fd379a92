"""Avatar hashes, nicknames and the avatar file cache."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.profiles import AvatarSource
from siproxylin.store.accounts import AccountsRepo
from siproxylin.store.avatars import AvatarCache, AvatarStore
from siproxylin.store.db import Database

ALICE = Jid.parse("alice@example.org")
H1 = "a" * 40
H2 = "b" * 40


def test_avatar_hashes_are_remembered_replaced_and_forgotten(
    db: Database, account: AccountId
) -> None:
    store = AvatarStore(db)
    store.set_avatar(account, ALICE, H1, AvatarSource.PEP)
    store.set_avatar(account, ALICE, H2, AvatarSource.VCARD)
    assert AvatarStore(db).avatars(account) == {ALICE: (H2, AvatarSource.VCARD)}
    store.set_avatar(account, ALICE, "", AvatarSource.PEP)
    assert store.avatars(account) == {}


def test_nicknames_are_remembered_and_forgotten(db: Database, account: AccountId) -> None:
    store = AvatarStore(db)
    store.set_nickname(account, ALICE, "Al")
    store.set_nickname(account, ALICE, "Alice")
    assert store.nicknames(account) == {ALICE: "Alice"}
    store.set_nickname(account, ALICE, "")
    assert store.nicknames(account) == {}


def test_rows_go_with_their_account(
    db: Database, account: AccountId, accounts: AccountsRepo
) -> None:
    store = AvatarStore(db)
    store.set_avatar(account, ALICE, H1, AvatarSource.PEP)
    store.set_nickname(account, ALICE, "Al")
    accounts.remove_account(account)
    assert store.avatars(account) == {}
    assert store.nicknames(account) == {}


def test_cache_files_are_named_by_hash_and_private(tmp_path: Path) -> None:
    cache = AvatarCache(tmp_path / "cache")
    assert cache.path(H1) is None
    path = cache.put(H1, b"picture")
    assert path == tmp_path / "cache" / "avatars" / H1
    assert cache.path(H1) == path
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [H1]  # no temporary left


def test_cache_refuses_names_that_are_not_hashes(tmp_path: Path) -> None:
    cache = AvatarCache(tmp_path)
    assert cache.path("../secret") is None
    with pytest.raises(ValueError, match="SHA-1"):
        cache.put("../secret", b"x")
