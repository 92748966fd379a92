-- 0002: per-account privacy options and Tor stream isolation.
-- Defaults disclose nothing optional; existing accounts get the same defaults.
ALTER TABLE account ADD COLUMN proxy_isolate INTEGER NOT NULL DEFAULT 1;
ALTER TABLE account ADD COLUMN send_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN send_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN send_idle INTEGER NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN chat_states INTEGER NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN read_markers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN random_resource INTEGER NOT NULL DEFAULT 1;
