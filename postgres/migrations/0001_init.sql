-- Times are bigint milliseconds since the Unix epoch, as in every Strata
-- store: one precision, one encoding, whatever the backend.

-- Projects, users and API keys: who may reach which datasets.
CREATE TABLE projects (
    id         uuid PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    created_at bigint NOT NULL
);

CREATE TABLE users (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    email      text NOT NULL DEFAULT '',
    created_at bigint NOT NULL
);
CREATE INDEX users_email ON users (email);

CREATE TABLE api_keys (
    id         uuid PRIMARY KEY,
    project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id),
    role       text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    hash       bytea NOT NULL UNIQUE,
    prefix     text NOT NULL,
    created_at bigint NOT NULL,
    revoked_at bigint
);

-- A dataset. head is its newest version number (the working version is
-- head + 1); item_count counts the working items and next_seq numbers new
-- ones, so that a snapshot reads no item.
CREATE TABLE datasets (
    id                  uuid PRIMARY KEY,
    project_id          uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    owner_id            uuid REFERENCES users (id) ON DELETE SET NULL,
    name                text NOT NULL,
    description         text,
    created_at          bigint NOT NULL,
    updated_at          bigint NOT NULL,
    head                integer NOT NULL DEFAULT 0,
    current_version_id  uuid,
    item_count          integer NOT NULL DEFAULT 0 CHECK (item_count >= 0),
    next_seq            bigint NOT NULL DEFAULT 1,
    evaluator_slot_1_id uuid,
    evaluator_slot_2_id uuid,
    evaluator_slot_3_id uuid,
    evaluator_slot_4_id uuid,
    evaluator_slot_5_id uuid,
    UNIQUE (project_id, name)
);
CREATE INDEX datasets_project ON datasets (project_id, created_at);

-- A snapshot: an immutable version number of a dataset.
CREATE TABLE versions (
    id                       uuid NOT NULL,
    dataset_id               uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    number                   integer NOT NULL CHECK (number >= 1),
    created_at               bigint NOT NULL,
    created_by               uuid,
    restored_from_version_id uuid,
    name                     text,
    description              text,
    item_count               integer NOT NULL,
    PRIMARY KEY (dataset_id, id),
    UNIQUE (dataset_id, number)
);

-- One content of one item, alive in versions [first_version, last_version).
-- See version.go for the model.
CREATE TABLE revisions (
    id                 uuid NOT NULL,
    dataset_id         uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    item_id            uuid NOT NULL,
    seq                bigint NOT NULL,
    first_version      integer NOT NULL,
    last_version       integer CHECK (last_version > first_version),
    input              text NOT NULL DEFAULT '',
    ground_truth       text,
    output             text,
    evaluator_result_1 text,
    evaluator_result_2 text,
    evaluator_result_3 text,
    evaluator_result_4 text,
    evaluator_result_5 text,
    created_at         bigint NOT NULL,
    updated_at         bigint NOT NULL,
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
