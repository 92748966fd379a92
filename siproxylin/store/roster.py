"""Stored rosters: the ``roster`` table.

Owns the mapping between ``roster`` rows and
:class:`~siproxylin.domain.models.RosterItem`. :class:`RosterStore` implements
``siproxylin.core.ports.RosterRepo``. Must not import the network, the XMPP
adapter, the GUI or core services.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from siproxylin.domain.errors import AccountNotFound
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import RosterItem, Subscription
from siproxylin.store.db import Database

_UPSERT = (
    "INSERT INTO roster (account_id, jid_id, name, subscription, ask, groups)"
    " VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (account_id, jid_id) DO UPDATE SET name = excluded.name,"
    " subscription = excluded.subscription, ask = excluded.ask,"
    " groups = excluded.groups"
)
_DELETE = "DELETE FROM roster WHERE account_id = ? AND jid_id = ?"


class RosterStore:
    """Every account's roster, implementing ``RosterRepo``.

    An item whose subscription is ``REMOVE`` (a roster push removing a contact)
    is removed rather than stored.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def roster(self, account: AccountId) -> list[RosterItem]:
        """An account's roster, sorted by address."""
        rows = self._db.read(
            "SELECT r.jid_id, r.name, r.subscription, r.ask, r.groups"
            " FROM roster AS r JOIN jid AS j ON j.id = r.jid_id"
            " WHERE r.account_id = ? ORDER BY j.bare_jid",
            (account,),
        )
        return [
            RosterItem(
                jid=self._db.jid(jid_id),
                name=name,
                subscription=_subscription(subscription),
                groups=_groups(groups),
                ask=bool(ask),
            )
            for jid_id, name, subscription, ask, groups in rows
        ]

    def replace_roster(self, account: AccountId, items: Sequence[RosterItem]) -> None:
        """Replace an account's whole roster, atomically.

        Raises:
            AccountNotFound: If the account does not exist.
        """
        with self._db.transaction():
            self._db.write("DELETE FROM roster WHERE account_id = ?", (account,))
            self._upsert(account, items)

    def upsert_roster(self, account: AccountId, items: Sequence[RosterItem]) -> None:
        """Add or update some items (removing those whose subscription is REMOVE).

        Raises:
            AccountNotFound: If the account does not exist.
        """
        with self._db.transaction():
            self._upsert(account, items)

    def remove_roster(self, account: AccountId, jids: Sequence[Jid]) -> None:
        """Remove some addresses from a roster; unknown ones are ignored."""
        ids = [self._db.find_jid_id(jid.bare) for jid in jids]
        rows = [(account, jid_id) for jid_id in ids if jid_id is not None]
        if rows:
            with self._db.transaction():
                self._db.write_many(_DELETE, rows)

    def _upsert(self, account: AccountId, items: Sequence[RosterItem]) -> None:
        db = self._db
        stored = []
        removed = []
        for item in items:
            jid_id = db.jid_id(item.jid.bare)
            if item.subscription is Subscription.REMOVE:
                removed.append((account, jid_id))
                continue
            groups = json.dumps(list(item.groups), ensure_ascii=False)
            stored.append(
                (
                    account,
                    jid_id,
                    item.name,
                    item.subscription.value,
                    int(item.ask),
                    groups,
                )
            )
        try:
            db.write_many(_UPSERT, stored)
        except sqlite3.IntegrityError as exc:
            raise AccountNotFound(f"no account {account}") from exc
        db.write_many(_DELETE, removed)


def _subscription(value: str) -> Subscription:
    try:
        return Subscription(value)
    except ValueError:
        return Subscription.NONE


def _groups(value: str) -> tuple[str, ...]:
    try:
        decoded = json.loads(value)
    except ValueError:
        return ()
    if not isinstance(decoded, list):
        return ()
    return tuple(group for group in decoded if isinstance(group, str))
