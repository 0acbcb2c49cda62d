-- A signed-in browser of the pages: the hash of the random id its cookie
-- holds (never the key), the key it signed in with, and when it expires. A
-- session is live while it is not expired and its key is not revoked.
CREATE TABLE web_sessions (
    hash       BLOB PRIMARY KEY,
    key_id     TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX web_sessions_key ON web_sessions (key_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
