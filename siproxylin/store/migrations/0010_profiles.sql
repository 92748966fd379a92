-- 0010: profiles shown at start without the network. avatar: which picture (by its
-- SHA-1, the file cache/avatars/<hash>) a contact or we have, and where it was
-- announced ('pep' or 'vcard'). nickname: the nickname a contact published.
CREATE TABLE avatar (
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    jid_id INTEGER NOT NULL REFERENCES jid (id),
    hash TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (account_id, jid_id)
) WITHOUT ROWID;

CREATE TABLE nickname (
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    jid_id INTEGER NOT NULL REFERENCES jid (id),
    nick TEXT NOT NULL,
    PRIMARY KEY (account_id, jid_id)
) WITHOUT ROWID;
