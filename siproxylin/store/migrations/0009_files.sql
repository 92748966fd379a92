-- 0009: shared files (XEP-0363 uploads, XEP-0066 out-of-band data, XEP-0454).
-- message.attachment: the file's URL (http(s):// or aesgcm://) when the message
-- shares a file; its body is that URL (what clients without file support show).
-- file_transfer: the local side of a shared file, one row per message: where it
-- is kept, how much of it is here, and what went wrong.
-- account.auto_download_max: files up to this size (bytes) from a contact's own
-- upload host are fetched without asking; 0 (the default): never.
ALTER TABLE message ADD COLUMN attachment TEXT NOT NULL DEFAULT '';
ALTER TABLE account ADD COLUMN auto_download_max INTEGER NOT NULL DEFAULT 0;
CREATE TABLE file_transfer (
    message_id INTEGER PRIMARY KEY REFERENCES message (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT -1,  -- bytes; -1 unknown
    mime TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL DEFAULT '',  -- the local file (ours, or downloaded), '' if none
    state INTEGER NOT NULL,  -- domain.models.TransferState codes (store/file_transfers.py)
    done INTEGER NOT NULL DEFAULT 0,  -- bytes transferred so far
    error TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
