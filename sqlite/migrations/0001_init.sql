-- Projects, users and API keys: who may reach which datasets.
CREATE TABLE projects (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX users_email ON users (email);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id),
    role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    hash       BLOB NOT NULL UNIQUE,
    prefix     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- A dataset. head is its newest version number (the working version is
-- head + 1); item_count counts the working items and next_seq numbers new
-- ones, so that a snapshot reads no item.
CREATE TABLE datasets (
    id                  TEXT PRIMARY KEY,
    project_id          TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    owner_id            TEXT REFERENCES users (id) ON DELETE SET NULL,
    name                TEXT NOT NULL,
    description         TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    head                INTEGER NOT NULL DEFAULT 0,
    current_version_id  TEXT,
    item_count          INTEGER NOT NULL DEFAULT 0 CHECK (item_count >= 0),
    next_seq            INTEGER NOT NULL DEFAULT 1,
    evaluator_slot_1_id TEXT,
    evaluator_slot_2_id TEXT,
    evaluator_slot_3_id TEXT,
    evaluator_slot_4_id TEXT,
    evaluator_slot_5_id TEXT,
    UNIQUE (project_id, name)
);

-- A snapshot: an immutable version number of a dataset.
CREATE TABLE versions (
    id                       TEXT NOT NULL,
    dataset_id               TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    number                   INTEGER NOT NULL CHECK (number >= 1),
    created_at               INTEGER NOT NULL,
    created_by               TEXT,
    restored_from_version_id TEXT,
    name                     TEXT,
    description              TEXT,
    item_count               INTEGER NOT NULL,
    PRIMARY KEY (dataset_id, id),
    UNIQUE (dataset_id, number)
);

-- One content of one item, alive in versions [first_version, last_version).
-- See version.go for the model.
CREATE TABLE revisions (
    id                 TEXT NOT NULL,
    dataset_id         TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    item_id            TEXT NOT NULL,
    seq                INTEGER NOT NULL,
    first_version      INTEGER NOT NULL,
    last_version       INTEGER CHECK (last_version > first_version),
    input              TEXT NOT NULL DEFAULT '',
    ground_truth       TEXT,
    output             TEXT,
    evaluator_result_1 TEXT,
    evaluator_result_2 TEXT,
    evaluator_result_3 TEXT,
    evaluator_result_4 TEXT,
    evaluator_result_5 TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    PRIMARY KEY (dataset_id, id)
);
-- At most one open revision per item: the item's working content.
CREATE UNIQUE INDEX revisions_open_item ON revisions (dataset_id, item_id) WHERE last_version IS NULL;
-- The working set in item order.
CREATE INDEX revisions_open_seq ON revisions (dataset_id, seq) WHERE last_version IS NULL;
-- Any version in item order.
CREATE INDEX revisions_seq ON revisions (dataset_id, seq);
-- What changed between two versions: revisions opened or closed in a range.
CREATE INDEX revisions_first ON revisions (dataset_id, first_version);
CREATE INDEX revisions_last ON revisions (dataset_id, last_version);
