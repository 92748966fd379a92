"""Stored messages: dedupe, delivery states, the outbox, history pages in time order.

Owns the ``message``, ``conversation`` and ``content_item`` tables and the mapping
between their rows and :class:`~siproxylin.domain.models.ChatMessage`.
:class:`MessagesRepo` implements ``siproxylin.core.ports.MessageRepo``. Must not
import the network, the XMPP adapter, the GUI or core services.
"""

from __future__ import annotations

import math
import sqlite3

from siproxylin.domain.errors import AccountNotFound
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, ChatMessage, DeliveryState, Direction, Encryption
from siproxylin.store.db import Database, Row, now_ms

# Stored codes; never renumber (the database keeps them).
DIRECTION_CODE = {Direction.INCOMING: 0, Direction.OUTGOING: 1}
STATE_CODE = {
    DeliveryState.PENDING: 0,
    DeliveryState.SENT: 1,
    DeliveryState.ACKED: 2,
    DeliveryState.RECEIVED: 3,
    DeliveryState.FAILED: 4,
    DeliveryState.DELIVERED: 5,
    DeliveryState.DISPLAYED: 6,
}
# Which states a new state may replace: delivery only ever moves forward.
_MAY_BECOME = {
    DeliveryState.SENT: (0,),
    DeliveryState.ACKED: (0, 1, 4),
    DeliveryState.DELIVERED: (0, 1, 2, 4),
    DeliveryState.DISPLAYED: (0, 1, 2, 4, 5),
    DeliveryState.FAILED: (0, 1, 2),
    DeliveryState.PENDING: (1, 4),
}
KIND_CODE = {ChatKind.CHAT: 0, ChatKind.GROUPCHAT: 1, ChatKind.GROUPCHAT_PM: 2}
ENCRYPTION_CODE = {Encryption.NONE: 0, Encryption.OMEMO: 1, Encryption.OMEMO2: 2}
CONTENT_MESSAGE = 1

_DIRECTIONS = {code: value for value, code in DIRECTION_CODE.items()}
_STATES = {code: value for value, code in STATE_CODE.items()}
_KINDS = {code: value for value, code in KIND_CODE.items()}
_ENCRYPTIONS = {code: value for value, code in ENCRYPTION_CODE.items()}
_OUT = DIRECTION_CODE[Direction.OUTGOING]
_MAX_SECONDS = 1e15  # beyond this a timestamp is garbage (and overflows int64 ms)
_NEWEST = 2**63 - 1

COLUMNS = (
    "m.id, m.account_id, m.counterpart_id, m.counterpart_resource, m.our_resource,"
    " m.direction, m.type, m.body, m.time, m.origin_id, m.stanza_id, m.state,"
    " m.message_id, m.occupant_id, m.thread, m.reply_to, m.reply_to_jid, m.edited,"
    " m.retracted, m.retracted_by, m.encryption, m.decryption_error, m.attachment"
)

_INSERT = (
    "INSERT INTO message (account_id, counterpart_id, counterpart_resource,"
    " our_resource, direction, type, body, time, local_time, origin_id, stanza_id,"
    " message_id, state, occupant_id, thread, reply_to, reply_to_jid, encryption,"
    " decryption_error, attachment)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT DO NOTHING"
)
_INSERT_FTS = "INSERT INTO message_fts (rowid, body) VALUES (?, ?)"
_INSERT_ITEM = (
    "INSERT INTO content_item (conversation_id, content_type, foreign_id, time,"
    " local_time) VALUES (?, ?, ?, ?, ?)"
)
_TOUCH = "UPDATE conversation SET last_active = ? WHERE id = ? AND last_active < ?"


def to_ms(seconds: float) -> int:
    """UTC seconds as integer milliseconds; garbage (NaN, absurd) becomes now."""
    if not math.isfinite(seconds) or abs(seconds) > _MAX_SECONDS:
        return now_ms()
    return round(seconds * 1000)


def message_from_row(db: Database, row: Row) -> ChatMessage:
    """Build a ChatMessage from a row selected with :data:`COLUMNS`."""
    (
        row_id,
        account,
        counterpart,
        counterpart_resource,
        our_resource,
        direction,
        kind,
        body,
        time_ms,
        origin_id,
        stanza_id,
        state,
        message_id,
        occupant_id,
        thread,
        reply_to,
        reply_to_jid,
        edited,
        retracted,
        retracted_by,
        encryption,
        decryption_error,
        attachment,
    ) = row
    return ChatMessage(
        id=row_id,
        account=AccountId(account),
        peer=db.jid(counterpart),
        direction=_DIRECTIONS[direction],
        body=body,
        timestamp=time_ms / 1000,
        origin_id=origin_id,
        stanza_id=stanza_id,
        resource=our_resource if direction == _OUT else counterpart_resource,
        state=_STATES.get(state, DeliveryState.FAILED),
        kind=_KINDS.get(kind, ChatKind.CHAT),
        message_id=message_id,
        occupant_id=occupant_id,
        thread=thread,
        reply_to=reply_to,
        reply_to_jid=reply_to_jid,
        edited=bool(edited),
        retracted=bool(retracted),
        retracted_by=retracted_by,
        encryption=_ENCRYPTIONS.get(encryption, Encryption.NONE),
        decryption_error=decryption_error,
        attachment=attachment,
    )


def conversation_jid(message: ChatMessage) -> Jid:
    """The address naming a message's conversation: the full occupant address for
    a private message in a room, the bare address otherwise."""
    return message.peer if message.kind is ChatKind.GROUPCHAT_PM else message.peer.bare


def _clean(text: str) -> str:
    """Replace lone surrogates, which UTF-8 cannot carry, with U+FFFD."""
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)


class MessagesRepo:
    """Messages of 1:1 and group conversations, implementing ``MessageRepo``.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conversations: dict[tuple[int, int, int], int] = {}
        self._touched: dict[int, int] = {}  # conversation -> last_active written
        db.register_cache(self._conversations)
        db.register_cache(self._touched)

    def add_message(self, message: ChatMessage) -> ChatMessage | None:
        """Store ``message`` (its ``id`` is ignored).

        A duplicate has the same server stanza-id in the account, or the same
        origin-id in the same conversation and direction. When a duplicate found by
        origin-id brings a stanza-id the stored copy lacks, the stanza-id is kept.

        Returns:
            The stored message with its id, or None for a duplicate.

        Raises:
            AccountNotFound: If the account does not exist.
        """
        db = self._db
        peer = conversation_jid(message)
        jid_id = db.jid_id(peer)
        direction = DIRECTION_CODE[message.direction]
        kind = KIND_CODE[message.kind]
        time_ms = to_ms(message.timestamp)
        local = now_ms()
        texts = (
            message.body,
            message.origin_id,
            message.stanza_id,
            message.resource,
            message.message_id or message.origin_id,
        )
        # No savepoint here (it would make FTS5 flush on every message): the
        # insert is the only statement expected to fail, and it comes first.
        with db.batch():
            conversation = self._conversation(message.account, jid_id, kind)
            try:
                cursor = self._insert(message, jid_id, time_ms, local, texts)
            except UnicodeEncodeError:
                texts = (
                    _clean(texts[0]),
                    _clean(texts[1]),
                    _clean(texts[2]),
                    _clean(texts[3]),
                    _clean(texts[4]),
                )
                cursor = self._insert(message, jid_id, time_ms, local, texts)
            if cursor.rowcount == 0:
                self._keep_stanza_id(message, jid_id, direction)
                return None
            row_id = cursor.lastrowid
            assert row_id is not None
            db.write(_INSERT_FTS, (row_id, texts[0]))
            db.write(_INSERT_ITEM, (conversation, CONTENT_MESSAGE, row_id, time_ms, local))
            active = min(time_ms, local)
            # Ordering conversations needs no finer grain than a second; a burst
            # then costs one UPDATE per second instead of one per message.
            if active >= self._touched.get(conversation, 0) + 1000:
                db.write(_TOUCH, (active, conversation, active))
                self._touched[conversation] = active
        return ChatMessage(
            id=row_id,
            account=message.account,
            peer=peer,
            direction=message.direction,
            body=texts[0],
            timestamp=time_ms / 1000,
            origin_id=texts[1],
            stanza_id=texts[2],
            resource=texts[3],
            state=message.state,
            kind=message.kind,
            message_id=texts[4],
            occupant_id=message.occupant_id,
            thread=message.thread,
            reply_to=message.reply_to,
            reply_to_jid=message.reply_to_jid,
            encryption=message.encryption,
            decryption_error=message.decryption_error,
            attachment=message.attachment,
        )

    def set_delivery_state(
        self, account: AccountId, origin_id: str, state: DeliveryState
    ) -> ChatMessage | None:
        """Change an outgoing message's state; None when there is no such message."""
        if not origin_id:
            return None
        allowed = ", ".join(str(code) for code in _MAY_BECOME.get(state, ()))
        cursor = self._db.write(
            "UPDATE message SET state = ? WHERE account_id = ? AND direction = 1"
            f" AND origin_id = ? AND state IN ({allowed})",
            (STATE_CODE[state], account, origin_id),
        )
        if cursor.rowcount == 0:
            return None
        row = self._db.read_one(
            f"SELECT {COLUMNS} FROM message AS m"
            " WHERE m.account_id = ? AND m.direction = 1 AND m.origin_id = ?"
            " ORDER BY m.id DESC LIMIT 1",
            (account, origin_id),
        )
        return None if row is None else message_from_row(self._db, row)

    def unacked_outgoing(self, account: AccountId) -> list[ChatMessage]:
        """Outgoing messages still PENDING or SENT, oldest first."""
        rows = self._db.read(
            f"SELECT {COLUMNS} FROM message AS m"
            " WHERE m.account_id = ? AND m.direction = 1 AND m.state IN (0, 1)"
            " ORDER BY m.id",
            (account,),
        )
        return [message_from_row(self._db, row) for row in rows]

    def history(
        self, account: AccountId, peer: Jid, limit: int, before_id: int = 0
    ) -> list[ChatMessage]:
        """The last ``limit`` messages with ``peer`` (older than message ``before_id`` if set).

        Messages are ordered by their time (then storage order), so archive pages
        fetched later still sort before the newer messages stored earlier.

        Returns:
            Messages oldest first.
        """
        db = self._db
        jid_id = db.find_jid_id(peer)
        if jid_id is None or limit <= 0:
            return []
        where = "m.account_id = ? AND m.counterpart_id = ?"
        params: tuple[object, ...] = (account, jid_id)
        if before_id > 0:
            anchor = db.read_one("SELECT time FROM message WHERE id = ?", (before_id,))
            if anchor is not None:
                where += " AND (m.time < ? OR (m.time = ? AND m.id < ?))"
                params += (anchor[0], anchor[0], before_id)
            else:
                where += " AND m.id < ?"
                params += (before_id,)
        rows = db.read(
            f"SELECT {COLUMNS} FROM message AS m WHERE {where}"
            " ORDER BY m.time DESC, m.id DESC LIMIT ?",
            (*params, limit),
        )
        rows.reverse()
        return [message_from_row(db, row) for row in rows]

    def conversations(self, account: AccountId) -> list[Jid]:
        """Peers this account has conversations with, most recently active first."""
        rows = self._db.read(
            "SELECT jid_id FROM conversation WHERE account_id = ?"
            " ORDER BY last_active DESC, id DESC",
            (account,),
        )
        seen: dict[Jid, None] = {}
        for (jid_id,) in rows:
            seen.setdefault(self._db.jid(jid_id), None)
        return list(seen)

    def get_message(self, account: AccountId, message_id: int) -> ChatMessage | None:
        """One message by its id, or None."""
        row = self._db.read_one(
            f"SELECT {COLUMNS} FROM message AS m WHERE m.id = ? AND m.account_id = ?",
            (message_id, account),
        )
        return None if row is None else message_from_row(self._db, row)

    def delete_message(self, account: AccountId, message_id: int) -> bool:
        """Delete one message (and its search entry); False when there was none."""
        cursor = self._db.write(
            "DELETE FROM message WHERE id = ? AND account_id = ?",
            (message_id, account),
        )
        return cursor.rowcount > 0

    # --- internals ----------------------------------------------------------------

    def _insert(
        self,
        message: ChatMessage,
        jid_id: int,
        time_ms: int,
        local: int,
        texts: tuple[str, str, str, str, str],
    ) -> sqlite3.Cursor:
        body, origin_id, stanza_id, resource, message_id = texts
        outgoing = message.direction is Direction.OUTGOING
        return self._db.write(
            _INSERT,
            (
                message.account,
                jid_id,
                "" if outgoing else resource,
                resource if outgoing else "",
                DIRECTION_CODE[message.direction],
                KIND_CODE[message.kind],
                body,
                time_ms,
                local,
                origin_id,
                stanza_id,
                message_id,
                STATE_CODE[message.state],
                message.occupant_id,
                message.thread,
                message.reply_to,
                message.reply_to_jid,
                ENCRYPTION_CODE[message.encryption],
                message.decryption_error[:1000],
                message.attachment[:4096],
            ),
        )

    def _conversation(self, account: AccountId, jid_id: int, kind: int) -> int:
        key = (account, jid_id, kind)
        found = self._conversations.get(key)
        if found is not None:
            return found
        db = self._db
        row = db.read_one(
            "SELECT id FROM conversation WHERE account_id = ? AND jid_id = ? AND type = ?",
            key,
        )
        if row is None:
            if db.read_one("SELECT 1 FROM account WHERE id = ?", (account,)) is None:
                raise AccountNotFound(f"no account {account}")
            cursor = db.write(
                "INSERT INTO conversation (account_id, jid_id, type) VALUES (?, ?, ?)",
                key,
            )
            assert cursor.lastrowid is not None
            found = cursor.lastrowid
        else:
            found = int(row[0])
        self._conversations[key] = found
        return found

    def _keep_stanza_id(self, message: ChatMessage, jid_id: int, direction: int) -> None:
        if not (message.stanza_id and message.origin_id):
            return
        self._db.write(
            "UPDATE OR IGNORE message SET stanza_id = ?"
            " WHERE account_id = ? AND counterpart_id = ? AND direction = ?"
            " AND origin_id = ? AND origin_id != '' AND stanza_id = ''",
            (message.stanza_id, message.account, jid_id, direction, message.origin_id),
        )
