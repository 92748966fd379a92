-- 0011: call history. One row per finished call (outgoing or incoming, answered,
-- missed or declined): the JMI id, who called, when it was proposed (UTC ms), how
-- long the conversation lasted (ms, 0: never connected) and why it ended, in words.
CREATE TABLE call (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    jid_id INTEGER NOT NULL REFERENCES jid (id),
    call_id TEXT NOT NULL,
    outgoing INTEGER NOT NULL,
    started INTEGER NOT NULL,
    duration INTEGER NOT NULL DEFAULT 0,
    missed INTEGER NOT NULL DEFAULT 0,
    end_text TEXT NOT NULL DEFAULT '',
    UNIQUE (account_id, call_id)
);

CREATE INDEX call_by_peer ON call (account_id, jid_id, started);
