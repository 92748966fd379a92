"""Full text search of message bodies through the ``message_fts`` FTS5 index.

Owns the translation of what a user types into a safe FTS5 query, the search
itself (in one account or across all of them), the snippets shown for hits with
the offsets of the matched words, and the history around a hit. The index is
filled by ``store.messages`` and kept in sync on deletes by triggers; it keeps
prefix indexes of 1 to 3 characters (migration 0003), so a word being typed is
found as fast as a whole word. Hits come in descending rowid order straight from
FTS5 (no sort; the LIMIT ends the scan), except in a small conversation, which
is searched through a temporary index of its own messages. :class:`MessageSearch`
implements ``siproxylin.core.ports.MessageSearch`` (and builds its ``SearchHit``
values). Must not import the network, the XMPP adapter, the GUI or core services.
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
# The tokenizer of message_fts (migrations 0001 and 0003); a test checks they agree.
TOKENIZE = "unicode61 remove_diacritics 2"
# A conversation with at most this many messages is searched through an index of
# its own (see MessageSearch._match_small).
SMALL_CONVERSATION = 1000
_SCOPE = "message_scope_fts"


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
        rows = self._match(text, limit, account, peer, snippets=False)
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
        hits = []
        for row in self._match(text, limit, account, peer, snippets=True):
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
        db = self._db
        jid_id = db.find_jid_id(peer)
        if jid_id is None:
            return []
        where = (
            f"SELECT {COLUMNS} FROM message AS m WHERE m.account_id = ? AND m.counterpart_id = ?"
        )
        anchor = db.read_one("SELECT time FROM message WHERE id = ?", (message_id,))
        if anchor is None:
            # The message is gone: around where its id would have been stored.
            older = db.read(
                f"{where} AND m.id < ? ORDER BY m.id DESC LIMIT ?",
                (account, jid_id, message_id, max(before, 0)),
            )
            newer = db.read(
                f"{where} AND m.id > ? ORDER BY m.id LIMIT ?",
                (account, jid_id, message_id, max(after, 0)),
            )
        else:
            time = anchor[0]
            older = db.read(
                f"{where} AND (m.time < ? OR (m.time = ? AND m.id < ?))"
                " ORDER BY m.time DESC, m.id DESC LIMIT ?",
                (account, jid_id, time, time, message_id, max(before, 0)),
            )
            newer = db.read(
                f"{where} AND (m.time > ? OR (m.time = ? AND m.id >= ?))"
                " ORDER BY m.time, m.id LIMIT ?",
                (account, jid_id, time, time, message_id, max(after, 0) + 1),
            )
        older.reverse()
        return [message_from_row(db, row) for row in older + newer]

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
        text: str,
        limit: int,
        account: AccountId | None,
        peer: Jid | None,
        *,
        snippets: bool,
    ) -> list[Row]:
        """Rows of :data:`COLUMNS` (plus the marked snippet) of matches, newest first."""
        query = fts_query(text)
        if not query or limit <= 0:
            return []
        scope = ""
        params: list[object] = []
        if account is not None:
            scope += " AND m.account_id = ?"
            params.append(account)
        jid_id = None
        if peer is not None:
            jid_id = self._db.find_jid_id(peer)
            if jid_id is None:
                return []
            scope += " AND m.counterpart_id = ?"
            params.append(jid_id)
        try:
            if jid_id is not None and self._is_small(account, jid_id):
                return self._match_small(query, limit, account, jid_id, snippets=snippets)
            # FTS5 yields rowids in descending order itself: no sort, and the LIMIT
            # stops the scan early (the snippet is made for the rows returned only).
            return self._db.read(
                f"SELECT {_columns('message_fts', snippets)} FROM message_fts"
                " JOIN message AS m ON m.id = message_fts.rowid"
                f" WHERE message_fts MATCH ?{scope}"
                " ORDER BY message_fts.rowid DESC LIMIT ?",
                [query, *params, limit],
            )
        except sqlite3.OperationalError as exc:
            if "fts5" not in str(exc):
                raise
            return []  # a query FTS5 still rejects matches nothing

    def _is_small(self, account: AccountId | None, jid_id: int) -> bool:
        """True when a conversation (of one account, or of any) has few messages."""
        row = self._db.read_one(
            f"SELECT count(*) FROM (SELECT 1 FROM message AS m WHERE {_owner(account)}"
            " AND m.counterpart_id = ? LIMIT ?)",
            [*_account_param(account), jid_id, SMALL_CONVERSATION + 1],
        )
        return row is not None and int(row[0]) <= SMALL_CONVERSATION

    def _match_small(
        self,
        query: str,
        limit: int,
        account: AccountId | None,
        jid_id: int,
        *,
        snippets: bool,
    ) -> list[Row]:
        """Search one small conversation through a temporary index of its own.

        In the big index a word found in most messages (or a short prefix) has
        hundreds of thousands of entries, each checked against the conversation:
        100-400 ms over a million messages when the conversation is small.
        Indexing the conversation's few messages apart costs about 10 µs a
        message instead, whatever the words. The table lives in the connection's
        temporary database and is dropped at once.
        """
        conn = self._db.connection
        conn.execute(f"DROP TABLE IF EXISTS temp.{_SCOPE}")
        conn.execute(
            f"CREATE VIRTUAL TABLE temp.{_SCOPE} USING fts5 (body, tokenize = '{TOKENIZE}')"
        )
        try:
            conn.execute(
                f"INSERT INTO temp.{_SCOPE} (rowid, body) SELECT m.id, m.body FROM message AS m"
                f" WHERE {_owner(account)} AND m.counterpart_id = ?",
                [*_account_param(account), jid_id],
            )
            return self._db.read(
                f"SELECT {_columns(_SCOPE, snippets)} FROM temp.{_SCOPE}"
                f" JOIN message AS m ON m.id = {_SCOPE}.rowid WHERE {_SCOPE} MATCH ?"
                f" ORDER BY {_SCOPE}.rowid DESC LIMIT ?",
                (query, limit),
            )
        finally:
            conn.execute(f"DROP TABLE IF EXISTS temp.{_SCOPE}")


def _columns(fts_table: str, snippets: bool) -> str:
    """The message's columns, and the marked snippet from ``fts_table`` if wanted."""
    if not snippets:
        return COLUMNS
    return f"{COLUMNS}, snippet({fts_table}, 0, char(2), char(3), '{ELLIPSIS}', {SNIPPET_TOKENS})"


def _owner(account: AccountId | None) -> str:
    """The account condition on ``m``; for every account, still through the index."""
    if account is not None:
        return "m.account_id = ?"
    return "m.account_id IN (SELECT id FROM account)"


def _account_param(account: AccountId | None) -> list[object]:
    return [] if account is None else [account]


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
