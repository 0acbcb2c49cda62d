-- Strata's extensions of versions: content hashes, the ETag counter, tags,
-- an index for item histories, and idempotency keys.

-- change_count is bumped by every mutation of the dataset: its ETag.
-- content_hash is the LtHash state (hash.go) of the working set, and of each
-- version's items; the migration computes both for existing data, in Go.
-- An empty state is the empty set's.
ALTER TABLE datasets ADD COLUMN change_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE datasets ADD COLUMN content_hash BLOB NOT NULL DEFAULT X'';
ALTER TABLE versions ADD COLUMN content_hash BLOB NOT NULL DEFAULT X'';

-- A tag names one version of its dataset; it can move, the version cannot.
CREATE TABLE version_tags (
    dataset_id TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    version_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (dataset_id, name),
    FOREIGN KEY (dataset_id, version_id) REFERENCES versions (dataset_id, id) ON DELETE CASCADE
);
CREATE INDEX version_tags_version ON version_tags (dataset_id, version_id);

-- The closed revisions of one item: with revisions_open_item, its history.
-- Partial, so that inserts (imports) do not maintain it; only closes do.
CREATE INDEX revisions_closed_item ON revisions (dataset_id, item_id) WHERE last_version IS NOT NULL;

-- An Idempotency-Key of a project: reserved (status NULL) while its first
-- request runs, then holding that request's response until it expires.
CREATE TABLE idempotency_keys (
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    fingerprint BLOB NOT NULL,
    status      INTEGER,
    header      TEXT,
    body        BLOB,
    truncated   INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (project_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
