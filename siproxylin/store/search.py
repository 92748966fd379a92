"""Full text search of message bodies through the ``message_fts`` FTS5 index.

Owns the translation of what a user types into a safe FTS5 query, the search
itself (in one account or across all of them), the snippets shown for hits with
the offsets of the matched words, and the history around a hit. The index is
filled by ``store.messages`` and kept in sync on deletes by triggers; it keeps
prefix indexes of 1 to 3 characters (migration 0003), so a word being typed is
found as fast as a whole word. :class:`MessageSearch` implements
``siproxylin.core.ports.MessageSearch``. Must not import the network, the XMPP
adapter, the GUI or core services.
"""

from __future__ import annotations

import sqlite3

from siproxylin.core.ports import SearchHit
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatMessage
from siproxylin.store.db import Database, Row
from siproxylin.store.messages import COLUMNS, message_from_row

_MAX_TERMS = 16
# FTS5 puts these around every matched token of a snippet. XML 1.0 cannot carry
# them, so a received body never contains them; a body that does (typed locally)
# gets a snippet without marks.
_START = "\x02"
_END = "\x03"
ELLIPSIS = "…"
SNIPPET_TOKENS = 16  # words of context FTS5 picks around the matches
SNIPPET_MAX = 160  # characters; a longer snippet (long words, URLs) is cut around a match
_CONTEXT = 40  # characters kept before the first match when cutting


def fts_query(text: str) -> str:
    """Turn free text into an FTS5 query: every word must match, as a prefix.

    Each word is quoted, so FTS5 operators and punctuation typed by the user are
    taken literally. Returns an empty string when there is nothing to search.
    """
    terms = []
    for word in text.split()[:_MAX_TERMS]:
        if not any(c.isalnum() for c in word):
            continue
        quoted = word.replace('"', '""')
        terms.append(f'"{quoted}"*')
    return " ".join(terms)


class MessageSearch:
    """Searches stored messages, implementing ``siproxylin.core.ports.MessageSearch``.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def search(
        self,
        account: AccountId | None,
        text: str,
        limit: int = 50,
        peer: Jid | None = None,
    ) -> list[ChatMessage]:
        """Messages whose body contains every word of ``text`` (word prefixes match).

        Args:
            account: The account whose messages are searched; every account when None.
            text: What the user typed.
            limit: At most this many results.
            peer: Only messages with this bare address.

        Returns:
            Matching messages, newest (last stored) first.
        """
        rows = self._match(COLUMNS, text, limit, account, peer)
        return [message_from_row(self._db, row) for row in rows]

    def search_hits(
        self,
        text: str,
        limit: int = 50,
        account: AccountId | None = None,
        peer: Jid | None = None,
    ) -> list[SearchHit]:
        """Like :meth:`search`, each message with a snippet and its matched words.

        Args:
            text: What the user typed, taken literally.
            limit: At most this many hits.
            account: Only this account; every account when None.
            peer: Only the conversation with this bare address.

        Returns:
            Hits, newest (last stored) first.
        """
        columns = (
            f"{COLUMNS}, snippet(message_fts, 0, char(2), char(3), '{ELLIPSIS}', {SNIPPET_TOKENS})"
        )
        hits = []
        for row in self._match(columns, text, limit, account, peer):
            message = message_from_row(self._db, row[:-1])
            snippet, matches = make_snippet(row[-1], message.body)
            hits.append(SearchHit(message, snippet, matches))
        return hits

    def history_around(
        self,
        account: AccountId,
        peer: Jid,
        message_id: int,
        before: int = 50,
        after: int = 50,
    ) -> list[ChatMessage]:
        """Messages with ``peer`` around ``message_id``, oldest first.

        Up to ``before`` messages stored before ``message_id``, the message itself
        when it still exists, and up to ``after`` stored after it. When it was
        deleted, the messages around where it was.
        """
        jid_id = self._db.find_jid_id(peer)
        if jid_id is None:
            return []
        where = (
            f"SELECT {COLUMNS} FROM message AS m WHERE m.account_id = ? AND m.counterpart_id = ?"
        )
        older = self._db.read(
            f"{where} AND m.id < ? ORDER BY m.id DESC LIMIT ?",
            (account, jid_id, message_id, max(before, 0)),
        )
        newer = self._db.read(
            f"{where} AND m.id >= ? ORDER BY m.id LIMIT ?",
            (account, jid_id, message_id, max(after, 0) + 1),
        )
        if newer and newer[0][0] != message_id:
            del newer[after:]  # the message is gone: ``after`` newer ones only
        older.reverse()
        return [message_from_row(self._db, row) for row in older + newer]

    def index_ok(self) -> bool:
        """True when the index matches the stored messages exactly."""
        try:
            self._db.write(
                "INSERT INTO message_fts (message_fts, rank) VALUES ('integrity-check', 1)"
            )
        except sqlite3.DatabaseError:
            return False
        return True

    def rebuild_index(self) -> None:
        """Rebuild the index from the stored messages (repairs a broken index)."""
        self._db.write("INSERT INTO message_fts (message_fts) VALUES ('rebuild')")

    # --- internals ----------------------------------------------------------------

    def _match(
        self,
        columns: str,
        text: str,
        limit: int,
        account: AccountId | None,
        peer: Jid | None,
    ) -> list[Row]:
        """Rows of ``columns`` (over ``m``, the message) of matches, newest first."""
        query = fts_query(text)
        if not query or limit <= 0:
            return []
        # FTS5 yields rowids in descending order itself: no sort, and the LIMIT
        # stops the scan early (the snippet is made for the rows returned only).
        sql = (
            f"SELECT {columns} FROM message_fts JOIN message AS m"
            " ON m.id = message_fts.rowid WHERE message_fts MATCH ?"
        )
        params: list[object] = [query]
        if account is not None:
            sql += " AND m.account_id = ?"
            params.append(account)
        if peer is not None:
            jid_id = self._db.find_jid_id(peer)
            if jid_id is None:
                return []
            sql += " AND m.counterpart_id = ?"
            params.append(jid_id)
        sql += " ORDER BY message_fts.rowid DESC LIMIT ?"
        params.append(limit)
        try:
            return self._db.read(sql, params)
        except sqlite3.OperationalError as exc:
            if "fts5" not in str(exc):
                raise
            return []  # a query FTS5 still rejects matches nothing


def make_snippet(marked: str | None, body: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Turn FTS5's marked snippet into one line of text and the matched words' offsets.

    Args:
        marked: The output of ``snippet()`` with ``\\x02``/``\\x03`` around matches.
        body: The whole message body (used when the body itself holds the marks).

    Returns:
        The snippet, whitespace runs collapsed to one space, at most about
        ``SNIPPET_MAX`` characters, and the ``(start, end)`` of every match in it.
    """
    if marked is None or _START in body or _END in body:
        plain = body.replace(_START, " ").replace(_END, " ")
        text, _ = _collapse(plain)
        return _cut(text, ())
    text, matches = _collapse(marked)
    return _cut(text, matches)


def _collapse(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Drop the marks (recording where they were) and collapse whitespace."""
    out: list[str] = []
    matches: list[tuple[int, int]] = []
    length = 0
    start = -1
    space = False
    for char in marked:
        if char == _START:
            start = length + (1 if space and length else 0)
        elif char == _END:
            if start >= 0 and length > start:
                matches.append((start, length))
            start = -1
        elif char.isspace():
            space = True
        else:
            if space and length:
                out.append(" ")
                length += 1
            space = False
            out.append(char)
            length += 1
    return "".join(out), tuple(matches)


def _cut(
    text: str, matches: tuple[tuple[int, int], ...]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Keep at most ``SNIPPET_MAX`` characters, starting a little before the first match."""
    if len(text) <= SNIPPET_MAX:
        return text, matches
    first = matches[0][0] if matches else 0
    begin = max(0, min(first - _CONTEXT, len(text) - SNIPPET_MAX))
    end = begin + SNIPPET_MAX
    prefix = ELLIPSIS if begin > 0 else ""
    shift = len(prefix) - begin
    kept = tuple(
        (max(s, begin) + shift, min(e, end) + shift) for s, e in matches if s < end and e > begin
    )
    suffix = ELLIPSIS if end < len(text) else ""
    return f"{prefix}{text[begin:end]}{suffix}", kept
