"""The OMEMO library's key-value storage for one account, kept in our store.

``AccountStorage`` adapts a ``core.ports.OmemoKeyRepo`` (the SQLite table) to
``omemo.storage.Storage``: one instance per account, never shared, so two
accounts never see each other's keys. Values (private keys among them) are never
logged here.
"""

from __future__ import annotations

import logging
import time

from omemo.storage import Just, Maybe, Nothing, Storage, StorageException
from omemo.types import JSONType

from siproxylin.core.ports import OmemoKeyRepo
from siproxylin.domain.ids import AccountId

# Archive keys of messages decrypted once; an OMEMO message cannot be decrypted twice.
# The value is the UTC day it was decrypted on; markers are kept MARKER_DAYS days.
_DECRYPTED = "/siproxylin/decrypted/"
MARKER_DAYS = 90
_DAY = 86400

log = logging.getLogger(__name__)


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

    def mark_decrypted(self, key: str, now: float | None = None) -> None:
        """Remember that the message with this archive key was decrypted (bypasses the
        cache: one row per message, read only when a message cannot be decrypted)."""
        day = int((time.time() if now is None else now) // _DAY)
        try:
            self._repo.store(self._account, _DECRYPTED + key, day)
        except Exception as exc:
            raise StorageException(f"cannot store {_DECRYPTED}: {type(exc).__name__}") from exc

    def prune_markers(self, now: float | None = None) -> int:
        """Forget the markers older than ``MARKER_DAYS`` (a message that old comes
        again only from a scroll back, whose copy the store already has)."""
        today = int((time.time() if now is None else now) // _DAY)
        try:
            return self._repo.prune(self._account, _DECRYPTED, today - MARKER_DAYS)
        except Exception as exc:  # noqa: BLE001 - kept markers only cost room
            log.info("OMEMO markers not pruned: %s", type(exc).__name__)
            return 0

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
