"""Stored group chats: the ``room`` and ``room_account`` tables.

Owns the mapping between ``room`` rows and
:class:`~siproxylin.domain.models.RoomSettings`, and the per-account flag saying the
XEP-0048 bookmarks were already converted. :class:`RoomStore` implements
``siproxylin.core.ports.RoomRepo``. Must not import the network, the XMPP adapter,
the GUI or core services.
"""

from __future__ import annotations

import sqlite3

from siproxylin.domain.errors import AccountNotFound
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import RoomSettings
from siproxylin.store.db import Database

_UPSERT = (
    "INSERT INTO room (account_id, jid_id, nick, password, name, autojoin, bookmarked, subject)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (account_id, jid_id) DO UPDATE SET nick = excluded.nick,"
    " password = excluded.password, name = excluded.name, autojoin = excluded.autojoin,"
    " bookmarked = excluded.bookmarked, subject = excluded.subject"
)


class RoomStore:
    """Every account's stored rooms, implementing ``RoomRepo``.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def rooms(self, account: AccountId) -> list[RoomSettings]:
        """An account's stored rooms, sorted by address."""
        rows = self._db.read(
            "SELECT r.jid_id, r.nick, r.password, r.name, r.autojoin, r.bookmarked, r.subject"
            " FROM room AS r JOIN jid AS j ON j.id = r.jid_id"
            " WHERE r.account_id = ? ORDER BY j.bare_jid",
            (account,),
        )
        return [
            RoomSettings(
                room=self._db.jid(jid_id),
                nick=nick,
                password=password,
                name=name,
                autojoin=bool(autojoin),
                bookmarked=bool(bookmarked),
                subject=subject,
            )
            for jid_id, nick, password, name, autojoin, bookmarked, subject in rows
        ]

    def save_room(self, account: AccountId, room: RoomSettings) -> None:
        """Add or replace a stored room.

        Raises:
            AccountNotFound: If the account does not exist.
        """
        jid_id = self._db.jid_id(room.room.bare)
        row = (
            account,
            jid_id,
            room.nick,
            room.password,
            room.name,
            int(room.autojoin),
            int(room.bookmarked),
            room.subject,
        )
        try:
            self._db.write(_UPSERT, row)
        except sqlite3.IntegrityError as exc:
            raise AccountNotFound(f"no account {account}") from exc

    def remove_room(self, account: AccountId, room: Jid) -> None:
        """Forget a stored room; unknown ones are ignored."""
        jid_id = self._db.find_jid_id(room.bare)
        if jid_id is not None:
            self._db.write(
                "DELETE FROM room WHERE account_id = ? AND jid_id = ?", (account, jid_id)
            )

    def set_subject(self, account: AccountId, room: Jid, subject: str) -> None:
        """Remember the last subject of a stored room; unknown rooms are ignored."""
        jid_id = self._db.find_jid_id(room.bare)
        if jid_id is not None:
            self._db.write(
                "UPDATE room SET subject = ? WHERE account_id = ? AND jid_id = ?",
                (subject, account, jid_id),
            )

    def legacy_bookmarks_converted(self, account: AccountId) -> bool:
        """True once the account's XEP-0048 bookmarks were copied to XEP-0402."""
        row = self._db.read_one(
            "SELECT legacy_bookmarks_converted FROM room_account WHERE account_id = ?",
            (account,),
        )
        return bool(row and row[0])

    def set_legacy_bookmarks_converted(self, account: AccountId) -> None:
        """Remember that the XEP-0048 bookmarks were copied.

        Raises:
            AccountNotFound: If the account does not exist.
        """
        try:
            self._db.write(
                "INSERT INTO room_account (account_id, legacy_bookmarks_converted) VALUES (?, 1)"
                " ON CONFLICT (account_id) DO UPDATE SET legacy_bookmarks_converted = 1",
                (account,),
            )
        except sqlite3.IntegrityError as exc:
            raise AccountNotFound(f"no account {account}") from exc
