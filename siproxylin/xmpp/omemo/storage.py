"""The OMEMO library's key-value storage for one account, kept in our store.

``AccountStorage`` adapts a ``core.ports.OmemoKeyRepo`` (the SQLite table) to
``omemo.storage.Storage``: one instance per account, never shared, so two
accounts never see each other's keys. Values (private keys among them) are never
logged here.
"""

from __future__ import annotations

from omemo.storage import Just, Maybe, Nothing, Storage, StorageException
from omemo.types import JSONType

from siproxylin.core.ports import OmemoKeyRepo
from siproxylin.domain.ids import AccountId

# Archive keys of messages decrypted once; an OMEMO message cannot be decrypted twice.
_DECRYPTED = "/siproxylin/decrypted/"


class AccountStorage(Storage):
    """The OMEMO state of one account.

    Args:
        repo: Where the values live.
        account: Whose namespace this is.
    """

    def __init__(self, repo: OmemoKeyRepo, account: AccountId) -> None:
        super().__init__()  # the base class caches loaded values
        self._repo = repo
        self._account = account

    @property
    def account(self) -> AccountId:
        """The account this storage belongs to."""
        return self._account

    def was_decrypted(self, key: str) -> bool:
        """True when the message with this archive key was decrypted before (any run)."""
        try:
            found, _value = self._repo.load(self._account, _DECRYPTED + key)
        except Exception:  # noqa: BLE001 - a lookup failure only costs a notice
            return False
        return found

    def mark_decrypted(self, key: str) -> None:
        """Remember that the message with this archive key was decrypted (bypasses the
        cache: one row per message, read only when a message cannot be decrypted)."""
        try:
            self._repo.store(self._account, _DECRYPTED + key, 1)
        except Exception as exc:
            raise StorageException(f"cannot store {_DECRYPTED}: {type(exc).__name__}") from exc

    async def _load(self, key: str) -> Maybe[JSONType]:
        try:
            found, value = self._repo.load(self._account, key)
        except Exception as exc:
            raise StorageException(f"cannot load {key}: {type(exc).__name__}") from exc
        return Just(value) if found else Nothing()

    async def _store(self, key: str, value: JSONType) -> None:
        try:
            self._repo.store(self._account, key, value)
        except Exception as exc:
            raise StorageException(f"cannot store {key}: {type(exc).__name__}") from exc

    async def _delete(self, key: str) -> None:
        try:
            self._repo.delete(self._account, key)
        except Exception as exc:
            raise StorageException(f"cannot delete {key}: {type(exc).__name__}") from exc
