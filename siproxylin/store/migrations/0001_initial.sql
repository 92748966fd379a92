-- 0001: initial schema, inspired by Dino's.
-- Shipped migrations are never edited: change the schema in a new, higher-numbered file.
-- Timestamps are UTC integer milliseconds. Enumerations are stored as small integers
-- (direction, type, state, content_type) or as their protocol strings (subscription,
-- proxy kind, log level); the mapping lives in the store module that reads them.

-- Accounts. The account password and the proxy password live in the secret store.
CREATE TABLE account (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: secrets and logs are keyed by it
    bare_jid TEXT NOT NULL,
    resource TEXT NOT NULL DEFAULT '',
    server_host TEXT NOT NULL DEFAULT '',
    server_port INTEGER NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1,
    proxy_kind TEXT NOT NULL DEFAULT 'none',
    proxy_host TEXT NOT NULL DEFAULT '',
    proxy_port INTEGER NOT NULL DEFAULT 0,
    proxy_username TEXT NOT NULL DEFAULT '',
    tls_ca_file TEXT NOT NULL DEFAULT '',
    direct_tls INTEGER NOT NULL DEFAULT 0,
    log_level TEXT NOT NULL DEFAULT 'info',
    nickname TEXT NOT NULL DEFAULT '',
    created INTEGER NOT NULL
);

-- Bare addresses, shared by every account; rows are never deleted.
CREATE TABLE jid (
    id INTEGER PRIMARY KEY,
    bare_jid TEXT NOT NULL UNIQUE
);

-- One row per chat an account has (type 0 = chat, 1 = groupchat).
CREATE TABLE conversation (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    jid_id INTEGER NOT NULL REFERENCES jid (id),
    type INTEGER NOT NULL DEFAULT 0,
    last_active INTEGER NOT NULL DEFAULT 0,
    read_up_to INTEGER NOT NULL DEFAULT 0,  -- id of the last message read
    UNIQUE (account_id, jid_id, type)
);

-- Messages. direction: 0 = incoming, 1 = outgoing. state: 0 pending, 1 sent,
-- 2 acked, 3 received, 4 failed. counterpart_resource is the peer's resource,
-- our_resource the one we used; message_id is the stanza's id attribute.
CREATE TABLE message (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    counterpart_id INTEGER NOT NULL REFERENCES jid (id),
    counterpart_resource TEXT NOT NULL DEFAULT '',
    our_resource TEXT NOT NULL DEFAULT '',
    direction INTEGER NOT NULL,
    type INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL,
    time INTEGER NOT NULL,
    local_time INTEGER NOT NULL,
    origin_id TEXT NOT NULL DEFAULT '',
    stanza_id TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL DEFAULT '',
    state INTEGER NOT NULL
);

-- Dedupe: the server's stanza-id is unique per account...
CREATE UNIQUE INDEX message_stanza_id
    ON message (account_id, stanza_id) WHERE stanza_id != '';
-- ...and the sender's origin-id per conversation and direction.
CREATE UNIQUE INDEX message_origin_id
    ON message (account_id, counterpart_id, direction, origin_id) WHERE origin_id != '';
-- History paging.
CREATE INDEX message_history ON message (account_id, counterpart_id, id);
-- Delivery state updates of outgoing messages, and the outbox.
CREATE INDEX message_outgoing ON message (account_id, origin_id) WHERE direction = 1;
CREATE INDEX message_outbox
    ON message (account_id, id) WHERE direction = 1 AND state IN (0, 1);

-- What a conversation shows, in order (content_type 1 = message; foreign_id its id).
CREATE TABLE content_item (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversation (id) ON DELETE CASCADE,
    content_type INTEGER NOT NULL,
    foreign_id INTEGER NOT NULL,
    time INTEGER NOT NULL,
    local_time INTEGER NOT NULL,
    hide INTEGER NOT NULL DEFAULT 0,
    UNIQUE (content_type, foreign_id)
);
CREATE INDEX content_item_conversation ON content_item (conversation_id, time, id);

CREATE TRIGGER message_content_item_delete AFTER DELETE ON message BEGIN
    DELETE FROM content_item WHERE content_type = 1 AND foreign_id = old.id;
END;

-- Rosters; groups is a JSON array of strings.
CREATE TABLE roster (
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    jid_id INTEGER NOT NULL REFERENCES jid (id),
    name TEXT NOT NULL DEFAULT '',
    subscription TEXT NOT NULL DEFAULT 'none',
    ask INTEGER NOT NULL DEFAULT 0,
    groups TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, jid_id)
) WITHOUT ROWID;

-- Settings, global (account_id NULL) or per account. value has no declared type
-- so text and integers keep their type.
CREATE TABLE settings (
    id INTEGER PRIMARY KEY,
    account_id INTEGER REFERENCES account (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value
);
CREATE UNIQUE INDEX settings_global ON settings (key) WHERE account_id IS NULL;
CREATE UNIQUE INDEX settings_account
    ON settings (account_id, key) WHERE account_id IS NOT NULL;

-- Full text search over message bodies (external content). Deletes and body updates
-- are kept in sync by triggers. New rows are indexed by the code that inserts them
-- (MessagesRepo.add_message): an AFTER INSERT trigger would give every insert a
-- statement journal, which makes FTS5 flush its pending terms on each row and
-- costs about six times more per message.
CREATE VIRTUAL TABLE message_fts USING fts5 (
    body,
    content = 'message',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN
    INSERT INTO message_fts (message_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;

CREATE TRIGGER message_fts_update AFTER UPDATE OF body ON message BEGIN
    INSERT INTO message_fts (message_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO message_fts (rowid, body) VALUES (new.id, new.body);
END;
