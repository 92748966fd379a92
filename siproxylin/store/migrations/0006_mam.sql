-- 0006: message history from server archives (XEP-0313 with XEP-0059 paging).
-- An archive is the account's own (archive_id = the account's bare address) or a
-- room's (archive_id = the room). with_id names a 1:1 peer for what scrolling back
-- in that one conversation learnt; 0 is the whole archive. Archive ids are the
-- server's (the messages' XEP-0359 stanza-ids); times are UTC milliseconds.

-- Where each archive was read up to, and whether its beginning was reached.
CREATE TABLE archive_sync (
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    archive_id INTEGER NOT NULL REFERENCES jid (id),
    with_id INTEGER NOT NULL DEFAULT 0,  -- a jid row, or 0 (jid rows are never deleted)
    last_stanza_id TEXT NOT NULL DEFAULT '',  -- newest archive id stored: catch-up goes on after it
    last_time INTEGER NOT NULL DEFAULT 0,  -- its time: the fallback when the id is gone
    complete_to_start INTEGER NOT NULL DEFAULT 0,  -- 1: nothing older is left to fetch
    PRIMARY KEY (account_id, archive_id, with_id)
) WITHOUT ROWID;

-- Stretches of an archive known to be stored without a hole, from first to last
-- (inclusive). Pages fetched next to a range extend it; a page fetched after a
-- jump (the sync point was gone, so catch-up went on from a time) starts a new one.
CREATE TABLE archive_range (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    archive_id INTEGER NOT NULL REFERENCES jid (id),
    with_id INTEGER NOT NULL DEFAULT 0,
    first_stanza_id TEXT NOT NULL,
    first_time INTEGER NOT NULL,
    last_stanza_id TEXT NOT NULL,
    last_time INTEGER NOT NULL
);
CREATE INDEX archive_range_archive ON archive_range (account_id, archive_id, with_id, first_time);
