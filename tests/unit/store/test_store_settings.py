"""Settings: typed roundtrip, global vs per account, defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from siproxylin.domain.ids import AccountId
from siproxylin.store.db import Database
from siproxylin.store.settings import Settings


def test_typed_roundtrip(db_path: Path, account: AccountId) -> None:
    with Database(db_path) as db:
        settings = Settings(db)
        settings.set("theme", "dark")
        settings.set("width", 1280)
        settings.set("tray", True)
        settings.set("sounds", False)
        settings.set("big", 2**62)
        settings.set("theme", "light", account=account)
    with Database(db_path) as db:
        settings = Settings(db)
        assert settings.get_str("theme") == "dark"
        assert settings.get_int("width") == 1280
        assert settings.get_bool("tray") is True
        assert settings.get_bool("sounds") is False
        assert settings.get_int("big") == 2**62
        assert settings.get_str("theme", account=account) == "light"
        assert settings.keys() == ["big", "sounds", "theme", "tray", "width"]
        assert settings.keys(account) == ["theme"]


def test_overwrite_delete_defaults(db: Database, account: AccountId) -> None:
    settings = Settings(db)
    assert settings.get_str("missing", "dflt") == "dflt"
    assert settings.get_int("missing", 7) == 7
    assert settings.get_bool("missing", True) is True
    settings.set("k", 1)
    settings.set("k", "2")
    assert settings.get_int("k") == 2
    assert settings.get_str("k", account=account) == ""
    settings.delete("k")
    settings.delete("k")
    assert settings.get_int("k", -1) == -1
    settings.set("k", "x", account=account)
    settings.delete("k", account=account)
    assert settings.keys(account) == []


def test_mismatched_types(db: Database) -> None:
    settings = Settings(db)
    settings.set("n", 5)
    settings.set("word", "yes")
    settings.set("junk", "not a number")
    assert settings.get_str("n", "dflt") == "dflt"
    assert settings.get_bool("n") is True
    assert settings.get_bool("word") is True
    assert settings.get_int("junk", 3) == 3
    assert settings.get_bool("junk", True) is True
    with pytest.raises(TypeError):
        settings.set("f", 1.5)  # type: ignore[arg-type]
