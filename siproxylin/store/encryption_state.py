"""Whether each conversation is end-to-end encrypted: the user's choice, remembered.

Owns ``conversation.encryption`` (NULL: never chosen, 0: off, 1: OMEMO).
:class:`EncryptionState` implements ``siproxylin.core.ports.EncryptionStateRepo``.
"""

from __future__ import annotations

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind
from siproxylin.store.db import Database
from siproxylin.store.messages import KIND_CODE


class EncryptionState:
    """Per-conversation encryption choice.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, account: AccountId, peer: Jid, kind: ChatKind) -> bool | None:
        """True (encrypt), False (clear text chosen), or None (never chosen)."""
        jid_id = self._db.find_jid_id(peer)
        if jid_id is None:
            return None
        row = self._db.read_one(
            "SELECT encryption FROM conversation WHERE account_id = ? AND jid_id = ? AND type = ?",
            (account, jid_id, KIND_CODE[kind]),
        )
        return None if row is None or row[0] is None else bool(row[0])

    def set(self, account: AccountId, peer: Jid, kind: ChatKind, encrypted: bool) -> None:
        """Remember the choice (the conversation is created when it does not exist yet)."""
        jid_id = self._db.jid_id(peer)
        self._db.write(
            "INSERT INTO conversation (account_id, jid_id, type, encryption)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (account_id, jid_id, type)"
            " DO UPDATE SET encryption = excluded.encryption",
            (account, jid_id, KIND_CODE[kind], int(encrypted)),
        )
