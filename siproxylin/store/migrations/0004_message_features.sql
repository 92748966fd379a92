-- 0004: message features and read positions.
-- Corrections (XEP-0308) replace the body in place and keep the earlier bodies in
-- message_edit; retractions (XEP-0424/0425) empty the body and say by whom; replies
-- (XEP-0461), threads (XEP-0201) and occupant ids (XEP-0421) are kept per message;
-- reactions (XEP-0444) are one row per message and reacting person. History is
-- ordered by message time (archive pages fetched later are older than live
-- messages stored before them), so the history index is on time. The read
-- position of a conversation is the (time, id) of the newest message read.
-- From this version the jid table also holds full addresses: a private
-- conversation with a room occupant is named by room@service/nick.
ALTER TABLE message ADD COLUMN occupant_id TEXT NOT NULL DEFAULT '';
ALTER TABLE message ADD COLUMN thread TEXT NOT NULL DEFAULT '';
ALTER TABLE message ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
ALTER TABLE message ADD COLUMN reply_to_jid TEXT NOT NULL DEFAULT '';
ALTER TABLE message ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;  -- 1 once corrected
ALTER TABLE message ADD COLUMN retracted INTEGER NOT NULL DEFAULT 0;  -- 1 once retracted
ALTER TABLE message ADD COLUMN retracted_by TEXT NOT NULL DEFAULT '';  -- moderator, if any

-- Incoming messages keep their stanza id too (1:1 corrections and reactions name it).
UPDATE message SET message_id = origin_id WHERE message_id = '' AND direction = 0;
CREATE INDEX message_message_id
    ON message (account_id, counterpart_id, message_id) WHERE message_id != '';

DROP INDEX message_history;
CREATE INDEX message_timeline ON message (account_id, counterpart_id, time, id);

CREATE TABLE message_edit (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES message (id) ON DELETE CASCADE,
    body TEXT NOT NULL,  -- the body before this correction
    time INTEGER NOT NULL
);
CREATE INDEX message_edit_message ON message_edit (message_id);

-- sender: who reacted (a bare address in 1:1 chats, the occupant id or nick in rooms);
-- name: what is shown; emojis: a JSON array, never empty (no reactions: no row).
CREATE TABLE reaction (
    message_id INTEGER NOT NULL REFERENCES message (id) ON DELETE CASCADE,
    sender TEXT NOT NULL,
    name TEXT NOT NULL,
    own INTEGER NOT NULL DEFAULT 0,
    emojis TEXT NOT NULL,
    time INTEGER NOT NULL,
    PRIMARY KEY (message_id, sender)
) WITHOUT ROWID;

ALTER TABLE conversation ADD COLUMN read_time INTEGER NOT NULL DEFAULT 0;
-- What was stored before this version counts as read.
UPDATE conversation SET
    read_up_to = coalesce((SELECT max(m.id) FROM message AS m
        WHERE m.account_id = conversation.account_id
          AND m.counterpart_id = conversation.jid_id), 0),
    read_time = coalesce((SELECT max(m.time) FROM message AS m
        WHERE m.account_id = conversation.account_id
          AND m.counterpart_id = conversation.jid_id), 0);
