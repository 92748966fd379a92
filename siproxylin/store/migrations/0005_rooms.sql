-- 0005: group chats kept across restarts: rooms joined with "remember" (rejoined on
-- login), rooms mirrored as XEP-0402 bookmarks, the last subject seen; and whether an
-- account's XEP-0048 bookmarks were already copied to XEP-0402 (done once).
CREATE TABLE room (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    jid_id INTEGER NOT NULL REFERENCES jid (id),
    nick TEXT NOT NULL,
    password TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    autojoin INTEGER NOT NULL DEFAULT 1,
    bookmarked INTEGER NOT NULL DEFAULT 0,
    subject TEXT NOT NULL DEFAULT '',
    UNIQUE (account_id, jid_id)
);

CREATE TABLE room_account (
    account_id INTEGER PRIMARY KEY REFERENCES account (id) ON DELETE CASCADE,
    legacy_bookmarks_converted INTEGER NOT NULL DEFAULT 0
);
