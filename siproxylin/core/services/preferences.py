"""The user's preferences: typed settings of the app, of each account, of each chat.

``PreferencesService`` is the one place the GUI and core services read and write
preferences that are not part of an account's connection settings (theme,
notification privacy, spell-check language per chat, …). Keys are plain strings
owned by the feature that uses them; chat preferences are stored per account
under ``chat/<bare or full address>/<key>``. A change is published as
``PreferenceChanged`` so open views follow it. Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

from siproxylin.core.bus import EventBus
from siproxylin.core.ports import SettingsRepo
from siproxylin.domain.events import PreferenceChanged
from siproxylin.domain.ids import AccountId, Jid

Value = str | int | bool


class PreferencesService:
    """Typed preferences (see the module doc).

    Args:
        bus: The event bus (``PreferenceChanged``).
        repo: Where they are kept.
    """

    def __init__(self, bus: EventBus, repo: SettingsRepo) -> None:
        self._bus = bus
        self._repo = repo

    # --- the app --------------------------------------------------------------------

    def text(self, key: str, default: str = "", account: AccountId | None = None) -> str:
        """A text preference of the app (or of ``account``)."""
        return self._repo.get_str(key, default, account)

    def number(self, key: str, default: int = 0, account: AccountId | None = None) -> int:
        """An integer preference of the app (or of ``account``)."""
        return self._repo.get_int(key, default, account)

    def flag(self, key: str, default: bool = False, account: AccountId | None = None) -> bool:
        """A yes/no preference of the app (or of ``account``)."""
        return self._repo.get_bool(key, default, account)

    def set(self, key: str, value: Value, account: AccountId | None = None) -> None:
        """Store a preference and tell who listens."""
        self._repo.set(key, value, account)
        shown = "(set)" if _secret(key) else str(value)  # a secret never travels in events
        self._bus.publish(PreferenceChanged(account or AccountId(0), key, shown))

    def reset(self, key: str, account: AccountId | None = None) -> None:
        """Forget a preference (its default applies again)."""
        self._repo.delete(key, account)
        self._bus.publish(PreferenceChanged(account or AccountId(0), key, ""))

    # --- one chat -------------------------------------------------------------------

    def chat_text(self, account: AccountId, peer: Jid, key: str, default: str = "") -> str:
        """A text preference of one conversation."""
        return self._repo.get_str(chat_key(peer, key), default, account)

    def set_chat(self, account: AccountId, peer: Jid, key: str, value: Value) -> None:
        """Store a preference of one conversation."""
        self.set(chat_key(peer, key), value, account)

    def reset_chat(self, account: AccountId, peer: Jid, key: str) -> None:
        """Forget a preference of one conversation."""
        self.reset(chat_key(peer, key), account)


def _secret(key: str) -> bool:
    """Keys whose values are secrets (a TURN server's password)."""
    return "password" in key.rsplit("/", 1)[-1].casefold() or key.endswith(".password")


def chat_key(peer: Jid, key: str) -> str:
    """The stored key of a conversation's preference."""
    return f"chat/{peer}/{key}"
