-- 0007: OMEMO (XEP-0384) state of each account: identity and pre keys, sessions,
-- device lists, trust. The OMEMO library sees a key-value storage with path-like
-- keys and JSON values; each account has its own namespace, removed with the account.
CREATE TABLE omemo_key (
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,  -- JSON
    PRIMARY KEY (account_id, key)
) WITHOUT ROWID;
