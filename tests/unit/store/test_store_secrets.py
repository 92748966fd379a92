"""Secret stores: private file, keyring wrapper, choosing between them."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import keyring.errors
import pytest
from keyring.backends import chainer, fail, null

from siproxylin.core.ports import SecretStore
from siproxylin.domain.ids import AccountId
from siproxylin.store.secrets import (
    FileSecretStore,
    KeyringSecretStore,
    MemorySecretStore,
    SecretStoreError,
    open_secret_store,
)

ONE = AccountId(1)
TWO = AccountId(2)


class FakeBackend:
    """A keyring backend keeping entries in a dict."""

    priority = 5

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


class BrokenBackend(FakeBackend):
    """Like a Secret Service backend without a D-Bus session."""

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("locked")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_stores_implement_the_port(tmp_path: Path) -> None:
    stores: list[SecretStore] = [
        FileSecretStore(tmp_path / "s.json"),
        KeyringSecretStore(FakeBackend()),
        MemorySecretStore(),
    ]
    assert [store.secure for store in stores] == [False, True, False]


def test_file_store_is_private_and_roundtrips(tmp_path: Path) -> None:
    path = tmp_path / "data" / "secrets.json"
    store = FileSecretStore(path)
    assert store.get_password(ONE) is None
    store.set_password(ONE, "pässword ☺")
    store.set_proxy_password(ONE, "proxy")
    store.set_password(TWO, "two")
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    reopened = FileSecretStore(path)
    assert reopened.get_password(ONE) == "pässword ☺"
    assert reopened.get_proxy_password(ONE) == "proxy"
    reopened.delete_password(TWO)
    reopened.delete_password(TWO)  # no-op
    reopened.delete_proxy_password(ONE)
    assert FileSecretStore(path).names() == ["account-1"]
    assert json.loads(path.read_text("utf-8")) == {"account-1": "pässword ☺"}
    assert not store.secure


def test_file_store_tightens_loose_permissions(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text('{"account-1": "pw"}', "utf-8")
    path.chmod(0o644)
    assert FileSecretStore(path).get_password(ONE) == "pw"
    assert _mode(path) == 0o600


def test_corrupt_file_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text("{not json", "utf-8")
    store = FileSecretStore(path)
    assert store.get_password(ONE) is None
    assert (tmp_path / "secrets.json.corrupt").exists()
    store.set_password(ONE, "new")
    assert FileSecretStore(path).get_password(ONE) == "new"


def test_keyring_store(tmp_path: Path) -> None:
    backend = FakeBackend()
    store = KeyringSecretStore(backend)
    store.set_password(ONE, "pw")
    store.set_proxy_password(ONE, "proxy")
    assert backend.entries == {
        ("siproxylin", "account-1"): "pw",
        ("siproxylin", "account-1-proxy"): "proxy",
    }
    assert store.get_password(ONE) == "pw"
    store.delete_password(ONE)
    store.delete_password(ONE)  # missing: no error
    assert store.get_password(ONE) is None


def test_keyring_errors_become_secret_store_errors() -> None:
    store = KeyringSecretStore(BrokenBackend())
    with pytest.raises(SecretStoreError):
        store.get_password(ONE)
    with pytest.raises(SecretStoreError):
        store.set_password(ONE, "pw")


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), BrokenBackend()], ids=type)
def test_unusable_keyrings_fall_back_to_the_file(tmp_path: Path, backend: object) -> None:
    store = open_secret_store(tmp_path, backend)
    assert isinstance(store, FileSecretStore)
    assert not store.secure
    assert store.path == tmp_path / "secrets.json"


def test_empty_chainer_falls_back_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    store = open_secret_store(tmp_path, chainer.ChainerBackend())
    assert isinstance(store, FileSecretStore)


def test_usable_keyring_is_chosen(tmp_path: Path) -> None:
    store = open_secret_store(tmp_path, FakeBackend())
    assert isinstance(store, KeyringSecretStore)
    assert store.secure


def test_file_passwords_move_into_a_new_keyring(tmp_path: Path) -> None:
    FileSecretStore(tmp_path / "secrets.json").set_password(ONE, "pw")
    backend = FakeBackend()
    store = open_secret_store(tmp_path, backend)
    assert isinstance(store, KeyringSecretStore)
    assert store.get_password(ONE) == "pw"
    assert not (tmp_path / "secrets.json").exists()


def test_file_is_kept_when_the_keyring_refuses_writes(tmp_path: Path) -> None:
    class ReadOnly(FakeBackend):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.PasswordSetError("read only")

    FileSecretStore(tmp_path / "secrets.json").set_password(ONE, "pw")
    store = open_secret_store(tmp_path, ReadOnly())
    assert isinstance(store, FileSecretStore)
    assert store.get_password(ONE) == "pw"
