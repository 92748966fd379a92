"""Read positions of conversations and the unread counts derived from them.

Owns ``conversation.read_time`` / ``read_up_to``: the (time, id) of the newest
message read. Unread = incoming, not retracted messages after that position,
counted from the store, so counts are the same after a restart. Positions only
move forward: a marker for an older message (from another device, or a
late archive page) never makes read messages unread again.
:class:`ReadState` implements ``siproxylin.core.ports.ReadStateRepo``.
"""

from __future__ import annotations

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatMessage
from siproxylin.store.db import Database
from siproxylin.store.messages import conversation_jid, to_ms

_UNREAD = (
    "SELECT count(*) FROM message AS m WHERE m.account_id = ? AND m.counterpart_id = ?"
    " AND m.direction = 0 AND m.retracted = 0"
    " AND (m.time > ? OR (m.time = ? AND m.id > ?))"
)


class ReadState:
    """Where the user stopped reading each conversation.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def mark_read(self, message: ChatMessage) -> bool:
        """Move the read position of ``message``'s conversation up to it.

        Returns:
            True when the position moved (it never moves back).
        """
        db = self._db
        jid_id = db.find_jid_id(conversation_jid(message))
        if jid_id is None:
            return False
        time = to_ms(message.timestamp)
        cursor = db.write(
            "UPDATE conversation SET read_time = ?, read_up_to = ?"
            " WHERE account_id = ? AND jid_id = ?"
            " AND (read_time < ? OR (read_time = ? AND read_up_to < ?))",
            (time, message.id, message.account, jid_id, time, time, message.id),
        )
        return cursor.rowcount > 0

    def unread_count(self, account: AccountId, peer: Jid) -> int:
        """Unread incoming messages in the conversation with ``peer``."""
        db = self._db
        jid_id = db.find_jid_id(peer)
        if jid_id is None:
            return 0
        row = db.read_one(
            "SELECT max(read_time), max(read_up_to) FROM conversation"
            " WHERE account_id = ? AND jid_id = ?",
            (account, jid_id),
        )
        if row is None or row[0] is None:
            return 0
        read_time, read_id = row
        counted = db.read_one(_UNREAD, (account, jid_id, read_time, read_time, read_id))
        return int(counted[0]) if counted is not None else 0

    def unread_counts(self, account: AccountId) -> dict[Jid, int]:
        """Every conversation of ``account`` with unread messages, and how many."""
        db = self._db
        rows = db.read(
            "SELECT c.jid_id, ("
            "  SELECT count(*) FROM message AS m WHERE m.account_id = c.account_id"
            "  AND m.counterpart_id = c.jid_id AND m.direction = 0 AND m.retracted = 0"
            "  AND (m.time > c.read_time OR (m.time = c.read_time AND m.id > c.read_up_to))"
            ") FROM conversation AS c WHERE c.account_id = ?",
            (account,),
        )
        counts: dict[Jid, int] = {}
        for jid_id, count in rows:
            if count:
                jid = db.jid(jid_id)
                counts[jid] = counts.get(jid, 0) + int(count)
        return counts
