"""Application and per-account settings: the ``settings`` table.

Owns typed access (text, integers, booleans) to key/value settings, global ones
(no account) and per-account ones (deleted with their account). Must not import
the network, the XMPP adapter, the GUI or core services.
"""

from __future__ import annotations

from siproxylin.domain.ids import AccountId
from siproxylin.store.db import Database

SettingValue = str | int | bool

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})

_SET_GLOBAL = (
    "INSERT INTO settings (account_id, key, value) VALUES (NULL, ?, ?)"
    " ON CONFLICT (key) WHERE account_id IS NULL DO UPDATE SET value = excluded.value"
)
_SET_ACCOUNT = (
    "INSERT INTO settings (account_id, key, value) VALUES (?, ?, ?)"
    " ON CONFLICT (account_id, key) WHERE account_id IS NOT NULL"
    " DO UPDATE SET value = excluded.value"
)


class Settings:
    """Typed settings. ``account=None`` means a global setting.

    Getters return ``default`` when the key is not set or holds a value that
    cannot be read as the asked type.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def get_str(self, key: str, default: str = "", account: AccountId | None = None) -> str:
        """A text setting."""
        value = self._get(key, account)
        return value if isinstance(value, str) else default

    def get_int(self, key: str, default: int = 0, account: AccountId | None = None) -> int:
        """An integer setting (text holding a number is accepted)."""
        value = self._get(key, account)
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                return default
        return default

    def get_bool(self, key: str, default: bool = False, account: AccountId | None = None) -> bool:
        """A boolean setting (stored as 0/1; "true"/"false" text is accepted)."""
        value = self._get(key, account)
        if isinstance(value, int):
            return bool(value)
        if isinstance(value, str):
            text = value.strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
        return default

    def set(self, key: str, value: SettingValue, account: AccountId | None = None) -> None:
        """Store a setting, replacing any previous value.

        Raises:
            TypeError: If ``value`` is not text, an integer or a boolean.
        """
        if not isinstance(value, str | int):
            raise TypeError(f"a setting is text, an integer or a boolean, not {value!r}")
        stored = int(value) if isinstance(value, bool) else value
        if account is None:
            self._db.write(_SET_GLOBAL, (key, stored))
        else:
            self._db.write(_SET_ACCOUNT, (account, key, stored))

    def delete(self, key: str, account: AccountId | None = None) -> None:
        """Forget a setting (a no-op when it is not set)."""
        if account is None:
            self._db.write("DELETE FROM settings WHERE account_id IS NULL AND key = ?", (key,))
        else:
            self._db.write("DELETE FROM settings WHERE account_id = ? AND key = ?", (account, key))

    def keys(self, account: AccountId | None = None) -> list[str]:
        """The keys set globally (or for ``account``), sorted."""
        if account is None:
            rows = self._db.read("SELECT key FROM settings WHERE account_id IS NULL ORDER BY key")
        else:
            rows = self._db.read(
                "SELECT key FROM settings WHERE account_id = ? ORDER BY key", (account,)
            )
        return [key for (key,) in rows]

    def _get(self, key: str, account: AccountId | None) -> object:
        if account is None:
            row = self._db.read_one(
                "SELECT value FROM settings WHERE account_id IS NULL AND key = ?",
                (key,),
            )
        else:
            row = self._db.read_one(
                "SELECT value FROM settings WHERE account_id = ? AND key = ?",
                (account, key),
            )
        return None if row is None else row[0]
