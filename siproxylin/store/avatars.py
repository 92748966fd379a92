"""Remembered profiles: the ``avatar`` and ``nickname`` tables and the avatar file cache.

:class:`AvatarStore` implements ``core.ports.AvatarRepo``; :class:`AvatarCache`
implements ``core.ports.AvatarFiles`` (``<cache>/avatars/<sha1>``, readable by
the owner only, written atomically). Only verified pictures are given to it.
Must not import the network, the XMPP adapter, the GUI or core services.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.profiles import AvatarSource
from siproxylin.store.db import Database

_SHA1 = re.compile(r"[0-9a-f]{40}")


class AvatarStore:
    """Every account's remembered avatar hashes and nicknames.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def avatars(self, account: AccountId) -> dict[Jid, tuple[str, AvatarSource]]:
        """Every remembered avatar hash of an account."""
        rows = self._db.read(
            "SELECT jid_id, hash, source FROM avatar WHERE account_id = ?", (account,)
        )
        return {
            self._db.jid(jid_id): (digest, AvatarSource(source))
            for jid_id, digest, source in rows
            if source in {s.value for s in AvatarSource}
        }

    def set_avatar(self, account: AccountId, jid: Jid, digest: str, source: AvatarSource) -> None:
        """Remember ``jid``'s avatar hash; "" forgets it."""
        jid_id = self._db.jid_id(jid.bare)
        if not digest:
            self._db.write(
                "DELETE FROM avatar WHERE account_id = ? AND jid_id = ?", (account, jid_id)
            )
            return
        self._db.write(
            "INSERT INTO avatar (account_id, jid_id, hash, source) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (account_id, jid_id) DO UPDATE SET hash = excluded.hash,"
            " source = excluded.source",
            (account, jid_id, digest, source.value),
        )

    def nicknames(self, account: AccountId) -> dict[Jid, str]:
        """Every remembered nickname of an account."""
        rows = self._db.read("SELECT jid_id, nick FROM nickname WHERE account_id = ?", (account,))
        return {self._db.jid(jid_id): nick for jid_id, nick in rows}

    def set_nickname(self, account: AccountId, jid: Jid, nick: str) -> None:
        """Remember ``jid``'s nickname; "" forgets it."""
        jid_id = self._db.jid_id(jid.bare)
        if not nick:
            self._db.write(
                "DELETE FROM nickname WHERE account_id = ? AND jid_id = ?", (account, jid_id)
            )
            return
        self._db.write(
            "INSERT INTO nickname (account_id, jid_id, nick) VALUES (?, ?, ?)"
            " ON CONFLICT (account_id, jid_id) DO UPDATE SET nick = excluded.nick",
            (account, jid_id, nick),
        )


class AvatarCache:
    """Avatar files named by hash under ``<cache>/avatars``.

    Args:
        cache: The application's cache folder.
    """

    def __init__(self, cache: Path) -> None:
        self._folder = cache / "avatars"

    def path(self, digest: str) -> Path | None:
        """The cached file of ``digest``, or None."""
        if not _SHA1.fullmatch(digest):
            return None
        path = self._folder / digest
        return path if path.is_file() else None

    def put(self, digest: str, data: bytes) -> Path:
        """Write ``data`` as the file of ``digest`` (replacing nothing that exists).

        Raises:
            ValueError: If ``digest`` is not a SHA-1 in hex.
        """
        if not _SHA1.fullmatch(digest):
            raise ValueError("not a SHA-1 hash")
        path = self._folder / digest
        if path.is_file():
            return path
        self._folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=self._folder, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return path
