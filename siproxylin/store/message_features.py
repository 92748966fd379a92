"""What happens to stored messages after they arrive: corrections, retractions, reactions,
receipts and markers, and finding the message a reference points to.

Owns the ``message_edit`` and ``reaction`` tables and the feature columns of
``message``. :class:`MessageFeatures` implements
``siproxylin.core.ports.MessageFeatureRepo``. Who may change what is the core's
decision; this module only applies it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, ChatMessage, DeliveryState, Direction, Reaction
from siproxylin.store.db import Database
from siproxylin.store.messages import (
    COLUMNS,
    STATE_CODE,
    conversation_jid,
    message_from_row,
    to_ms,
)

_SELECT = f"SELECT {COLUMNS} FROM message AS m"
_DELIVERED = STATE_CODE[DeliveryState.DELIVERED]
_DISPLAYED = STATE_CODE[DeliveryState.DISPLAYED]


class MessageFeatures:
    """Corrections, retractions, reactions and delivery marks on stored messages.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- lookups --------------------------------------------------------------------

    def find_target(
        self, account: AccountId, peer: Jid, kind: ChatKind, target_id: str
    ) -> ChatMessage | None:
        """The message in the conversation with ``peer`` that ``target_id`` names.

        In rooms references use the room's stanza-id (corrections use the stanza
        ``id``); in 1:1 chats the stanza ``id`` or origin-id. Each is tried.
        """
        db = self._db
        if not target_id:
            return None
        jid_id = db.find_jid_id(peer)
        if jid_id is None:
            return None
        where = " WHERE m.account_id = ? AND m.counterpart_id = ?"
        queries = [
            f"{_SELECT}{where} AND m.message_id = ? ORDER BY m.id DESC LIMIT 1",
            f"{_SELECT}{where} AND m.direction IN (0, 1) AND m.origin_id = ?"
            " ORDER BY m.id DESC LIMIT 1",
        ]
        by_stanza_id = f"{_SELECT} WHERE m.account_id = ? AND m.stanza_id = ?"
        if kind is ChatKind.GROUPCHAT:
            row = db.read_one(by_stanza_id, (account, target_id))
            if row is not None and row[2] == jid_id:
                return self._with_reactions(message_from_row(db, row))
        for sql in queries:
            row = db.read_one(sql, (account, jid_id, target_id))
            if row is not None:
                return self._with_reactions(message_from_row(db, row))
        if kind is not ChatKind.GROUPCHAT:
            row = db.read_one(by_stanza_id, (account, target_id))
            if row is not None and row[2] == jid_id:
                return self._with_reactions(message_from_row(db, row))
        return None

    def get(self, message_id: int) -> ChatMessage | None:
        """One stored message by its row id, with its reactions."""
        row = self._db.read_one(f"{_SELECT} WHERE m.id = ?", (message_id,))
        return None if row is None else self._with_reactions(message_from_row(self._db, row))

    def last_own(self, account: AccountId, peer: Jid) -> ChatMessage | None:
        """Our newest message in the conversation (what XEP-0308 lets us correct)."""
        jid_id = self._db.find_jid_id(peer)
        if jid_id is None:
            return None
        row = self._db.read_one(
            f"{_SELECT} WHERE m.account_id = ? AND m.counterpart_id = ? AND m.direction = 1"
            " ORDER BY m.time DESC, m.id DESC LIMIT 1",
            (account, jid_id),
        )
        return None if row is None else message_from_row(self._db, row)

    def with_reactions(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        """``messages`` with their stored reactions filled in (one query per page)."""
        if not messages:
            return []
        ids = [message.id for message in messages]
        found: dict[int, list[tuple[str, str, int, str]]] = {}
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            marks = ", ".join("?" * len(part))
            for message_id, sender, name, own, emojis in self._db.read(
                "SELECT message_id, sender, name, own, emojis FROM reaction"
                f" WHERE message_id IN ({marks}) ORDER BY time, sender",
                part,
            ):
                found.setdefault(message_id, []).append((sender, name, own, emojis))
        if not found:
            return list(messages)
        return [
            _replace_reactions(message, found[message.id]) if message.id in found else message
            for message in messages
        ]

    # --- changes --------------------------------------------------------------------

    def correct(self, message_id: int, body: str, timestamp: float) -> ChatMessage | None:
        """Replace a message's body, keeping the earlier one in ``message_edit``."""
        db = self._db
        with db.transaction():
            row = db.read_one(
                "SELECT body FROM message WHERE id = ? AND retracted = 0", (message_id,)
            )
            if row is None:
                return None
            db.write(
                "INSERT INTO message_edit (message_id, body, time) VALUES (?, ?, ?)",
                (message_id, row[0], to_ms(timestamp)),
            )
            db.write("UPDATE message SET body = ?, edited = 1 WHERE id = ?", (body, message_id))
        return self.get(message_id)

    def edits(self, message_id: int) -> list[str]:
        """Earlier bodies of a corrected message, oldest first."""
        rows = self._db.read(
            "SELECT body FROM message_edit WHERE message_id = ? ORDER BY id", (message_id,)
        )
        return [str(row[0]) for row in rows]

    def retract(self, message_id: int, moderated_by: str = "") -> ChatMessage | None:
        """Empty a message and forget its earlier bodies and reactions."""
        db = self._db
        with db.transaction():
            cursor = db.write(
                "UPDATE message SET body = '', retracted = 1, retracted_by = ? WHERE id = ?",
                (moderated_by, message_id),
            )
            if cursor.rowcount == 0:
                return None
            db.write("DELETE FROM message_edit WHERE message_id = ?", (message_id,))
            db.write("DELETE FROM reaction WHERE message_id = ?", (message_id,))
        return self.get(message_id)

    def set_reactions(
        self,
        message_id: int,
        sender: str,
        name: str,
        own: bool,
        emojis: tuple[str, ...],
        timestamp: float,
    ) -> ChatMessage | None:
        """Replace one person's reactions to a message (none: remove them)."""
        db = self._db
        if emojis:
            db.write(
                "INSERT INTO reaction (message_id, sender, name, own, emojis, time)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id, sender) DO UPDATE SET"
                " name = excluded.name, own = excluded.own, emojis = excluded.emojis,"
                " time = excluded.time",
                (message_id, sender, name, int(own), json.dumps(list(emojis)), to_ms(timestamp)),
            )
        else:
            db.write(
                "DELETE FROM reaction WHERE message_id = ? AND sender = ?", (message_id, sender)
            )
        return self.get(message_id)

    def own_reactions(self, message_id: int) -> tuple[str, ...]:
        """Our own reactions to a message."""
        row = self._db.read_one(
            "SELECT emojis FROM reaction WHERE message_id = ? AND own = 1", (message_id,)
        )
        return tuple(_emojis(row[0])) if row is not None else ()

    def mark_delivered(self, message: ChatMessage) -> ChatMessage | None:
        """An outgoing message reached the recipient's client (XEP-0184)."""
        cursor = self._db.write(
            "UPDATE message SET state = ? WHERE id = ? AND direction = 1 AND state IN (0, 1, 2, 4)",
            (_DELIVERED, message.id),
        )
        return self.get(message.id) if cursor.rowcount else None

    def mark_displayed(self, up_to: ChatMessage) -> list[ChatMessage]:
        """Our messages in ``up_to``'s conversation, up to it, were seen (XEP-0333)."""
        db = self._db
        jid_id = db.find_jid_id(conversation_jid(up_to))
        if jid_id is None:
            return []
        time = to_ms(up_to.timestamp)
        with db.transaction():
            # Read the returned rows before the statement's transaction ends.
            rows = db.write(
                "UPDATE message SET state = ? WHERE account_id = ? AND counterpart_id = ?"
                " AND direction = 1 AND state IN (1, 2, 5)"
                " AND (time < ? OR (time = ? AND id <= ?)) RETURNING id",
                (_DISPLAYED, up_to.account, jid_id, time, time, up_to.id),
            ).fetchall()
        changed = [self.get(int(row[0])) for row in rows]
        return sorted((message for message in changed if message is not None), key=lambda m: m.id)

    def newest(
        self, account: AccountId, peer: Jid, direction: Direction | None = None
    ) -> ChatMessage | None:
        """The newest message of a conversation (of one direction, if given)."""
        jid_id = self._db.find_jid_id(peer)
        if jid_id is None:
            return None
        where = " AND m.direction = ?" if direction is not None else ""
        params: tuple[object, ...] = (account, jid_id)
        if direction is not None:
            params += (1 if direction is Direction.OUTGOING else 0,)
        row = self._db.read_one(
            f"{_SELECT} WHERE m.account_id = ? AND m.counterpart_id = ?{where}"
            " ORDER BY m.time DESC, m.id DESC LIMIT 1",
            params,
        )
        return None if row is None else message_from_row(self._db, row)

    # --- internals ------------------------------------------------------------------

    def _with_reactions(self, message: ChatMessage) -> ChatMessage:
        return self.with_reactions([message])[0]


def _emojis(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [str(item) for item in value] if isinstance(value, list) else []


def _replace_reactions(message: ChatMessage, rows: list[tuple[str, str, int, str]]) -> ChatMessage:
    senders: dict[str, list[str]] = {}
    own: set[str] = set()
    for _sender, name, is_own, emojis in rows:
        for emoji in _emojis(emojis):
            senders.setdefault(emoji, []).append(name)
            if is_own:
                own.add(emoji)
    reactions = tuple(
        Reaction(emoji, tuple(names), emoji in own) for emoji, names in senders.items()
    )
    return replace(message, reactions=reactions)
