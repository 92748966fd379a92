"""Where passwords live: the OS keyring, or a private file when there is none.

Owns account and proxy passwords, keyed ``account-{id}`` and
``account-{id}-proxy`` under the service name ``siproxylin``. The stores
implement ``siproxylin.core.ports.SecretStore`` (and ``store.accounts.ProxySecrets``)
structurally. The only module that imports ``keyring``. Must not import the
network, the XMPP adapter, the GUI or core services; never logs a secret.
"""

from __future__ import annotations

import abc
import contextlib
import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
from keyring.backends import chainer, fail, null

from siproxylin.domain.errors import SiproxylinError
from siproxylin.domain.ids import AccountId

log = logging.getLogger(__name__)

SERVICE = "siproxylin"
SECRETS_FILE = "secrets.json"
_PROBE = "probe"


class SecretStoreError(SiproxylinError):
    """The secret store could not be read or written."""


def account_key(account: AccountId) -> str:
    """The name under which an account's password is kept."""
    return f"account-{account}"


def proxy_key(account: AccountId) -> str:
    """The name under which an account's proxy password is kept."""
    return f"account-{account}-proxy"


class _Secrets(abc.ABC):
    """Account and proxy passwords on top of named secrets."""

    @property
    @abc.abstractmethod
    def secure(self) -> bool:
        """False when passwords are not protected by an OS keyring."""

    @abc.abstractmethod
    def get_secret(self, name: str) -> str | None:
        """The secret stored under ``name``, if any."""

    @abc.abstractmethod
    def set_secret(self, name: str, value: str) -> None:
        """Store a secret under ``name``."""

    @abc.abstractmethod
    def delete_secret(self, name: str) -> None:
        """Forget the secret under ``name`` (a no-op when there is none)."""

    def get_password(self, account: AccountId) -> str | None:
        """The stored account password, if any."""
        return self.get_secret(account_key(account))

    def set_password(self, account: AccountId, password: str) -> None:
        """Store an account password."""
        self.set_secret(account_key(account), password)

    def delete_password(self, account: AccountId) -> None:
        """Forget an account password."""
        self.delete_secret(account_key(account))

    def get_proxy_password(self, account: AccountId) -> str | None:
        """The stored proxy password of an account, if any."""
        return self.get_secret(proxy_key(account))

    def set_proxy_password(self, account: AccountId, password: str) -> None:
        """Store an account's proxy password."""
        self.set_secret(proxy_key(account), password)

    def delete_proxy_password(self, account: AccountId) -> None:
        """Forget an account's proxy password."""
        self.delete_secret(proxy_key(account))


class KeyringSecretStore(_Secrets):
    """Passwords in the OS keyring (Secret Service, KWallet, macOS, Windows).

    Args:
        backend: The keyring backend; the detected one by default.
        service: The service name entries are filed under.
    """

    def __init__(self, backend: Any = None, service: str = SERVICE) -> None:
        self._backend = keyring.get_keyring() if backend is None else backend
        self._service = service

    @property
    def secure(self) -> bool:
        """Always True."""
        return True

    def get_secret(self, name: str) -> str | None:
        """The secret stored under ``name``, if any."""
        try:
            value = self._backend.get_password(self._service, name)
        except Exception as exc:  # backends raise D-Bus, OS errors...
            raise SecretStoreError(f"the keyring cannot be read: {exc}") from exc
        return value if isinstance(value, str) else None

    def set_secret(self, name: str, value: str) -> None:
        """Store a secret under ``name``."""
        try:
            self._backend.set_password(self._service, name, value)
        except Exception as exc:
            raise SecretStoreError(f"the keyring cannot be written: {exc}") from exc

    def delete_secret(self, name: str) -> None:
        """Forget the secret under ``name`` (a no-op when there is none)."""
        try:
            self._backend.delete_password(self._service, name)
        except keyring.errors.PasswordDeleteError:
            pass  # there was none
        except Exception as exc:
            raise SecretStoreError(f"the keyring cannot be written: {exc}") from exc


class FileSecretStore(_Secrets):
    """Passwords in a JSON file readable only by its owner (mode 0600).

    Used when no keyring works. The passwords are in clear text in that file:
    :attr:`secure` is False so the GUI can tell the user.

    Args:
        path: The file; created (with its folder, mode 0700) on the first write.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._data = self._load()

    @property
    def path(self) -> Path:
        """The file."""
        return self._path

    @property
    def secure(self) -> bool:
        """Always False."""
        return False

    def names(self) -> list[str]:
        """Every stored name."""
        return sorted(self._data)

    def get_secret(self, name: str) -> str | None:
        """The secret stored under ``name``, if any."""
        return self._data.get(name)

    def set_secret(self, name: str, value: str) -> None:
        """Store a secret under ``name``."""
        if self._data.get(name) == value:
            return
        self._data[name] = value
        self._save()

    def delete_secret(self, name: str) -> None:
        """Forget the secret under ``name`` (a no-op when there is none)."""
        if self._data.pop(name, None) is not None:
            self._save()

    def _load(self) -> dict[str, str]:
        try:
            mode = self._path.stat().st_mode
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise SecretStoreError(f"cannot read {self._path}: {exc}") from exc
        try:
            if stat.S_IMODE(mode) & 0o077:
                self._path.chmod(0o600)
            decoded = json.loads(self._path.read_text("utf-8"))
        except OSError as exc:
            raise SecretStoreError(f"cannot read {self._path}: {exc}") from exc
        except ValueError:
            decoded = None
        if not isinstance(decoded, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in decoded.items()
        ):
            aside = self._path.with_name(self._path.name + ".corrupt")
            log.error("%s is corrupt; moved to %s", self._path, aside)
            with contextlib.suppress(OSError):
                self._path.replace(aside)
            return {}
        return decoded

    def _save(self) -> None:
        text = json.dumps(self._data, ensure_ascii=False, indent=1, sort_keys=True)
        temp = self._path.with_name(self._path.name + ".tmp")
        try:
            self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, text.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, self._path)
        except OSError as exc:
            raise SecretStoreError(f"cannot write {self._path}: {exc}") from exc


class MemorySecretStore(_Secrets):
    """Passwords kept in memory only (tests, throw-away profiles)."""

    def __init__(self) -> None:
        self._data: dict[str, str] = {}

    @property
    def secure(self) -> bool:
        """False: nothing is kept, but nothing is protected either."""
        return False

    def get_secret(self, name: str) -> str | None:
        """The secret stored under ``name``, if any."""
        return self._data.get(name)

    def set_secret(self, name: str, value: str) -> None:
        """Store a secret under ``name``."""
        self._data[name] = value

    def delete_secret(self, name: str) -> None:
        """Forget the secret under ``name``."""
        self._data.pop(name, None)


def usable_keyring(backend: Any = None) -> Any | None:
    """The keyring backend to use, or None when none works.

    Rejects the ``fail`` and ``null`` backends, a chainer with nothing to chain
    and anything of priority 0 or less, then probes once with a read, which
    fails without a D-Bus session or with a locked, unreachable wallet.
    """
    try:
        chosen = keyring.get_keyring() if backend is None else backend
        if isinstance(chosen, fail.Keyring | null.Keyring):
            return None
        if isinstance(chosen, chainer.ChainerBackend) and not chosen.backends:
            return None
        if getattr(chosen, "priority", 1) <= 0:
            return None
        chosen.get_password(SERVICE, _PROBE)
    except Exception as exc:  # noqa: BLE001 - any failure means "no keyring"
        log.info("no usable keyring (%s): passwords go to a file", type(exc).__name__)
        return None
    return chosen


def open_secret_store(data_dir: Path, backend: Any = None) -> KeyringSecretStore | FileSecretStore:
    """The keyring when a usable one exists, else ``data_dir/secrets.json``.

    When a keyring is usable and a secrets file was left by an earlier run
    without one, its passwords move into the keyring and the file is deleted.

    Args:
        data_dir: The application's data folder.
        backend: A keyring backend to try instead of the detected one.
    """
    path = data_dir / SECRETS_FILE
    chosen = usable_keyring(backend)
    if chosen is None:
        return FileSecretStore(path)
    store = KeyringSecretStore(chosen)
    if path.exists():
        leftover = FileSecretStore(path)
        try:
            for name in leftover.names():
                value = leftover.get_secret(name)
                if value is not None:
                    store.set_secret(name, value)
        except SecretStoreError:
            log.warning("cannot move file passwords into the keyring; keeping the file")
            return leftover
        path.unlink(missing_ok=True)
        log.info("moved stored passwords from %s into the keyring", path)
    return store
