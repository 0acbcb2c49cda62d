-- Evaluators, the five evaluator slots of a dataset, and evaluator runs.

-- An evaluator of a project. params (a JSON object) and filters (a JSON
-- array) are JSON texts. Builtin evaluators are seeded, one of each type, in
-- every project.
CREATE TABLE evaluators (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    owner_id    TEXT REFERENCES users (id) ON DELETE SET NULL,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL,
    type        TEXT NOT NULL,
    mode        TEXT NOT NULL,
    description TEXT,
    params      TEXT NOT NULL,
    filters     TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'custom' CHECK (kind IN ('custom', 'builtin')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX evaluators_project ON evaluators (project_id, created_at);

-- The config of a dataset's slot (the evaluator itself is in
-- datasets.evaluator_slot_N_id): what passes.
CREATE TABLE evaluator_configs (
    dataset_id TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    slot       INTEGER NOT NULL CHECK (slot BETWEEN 1 AND 5),
    config     TEXT NOT NULL,
    PRIMARY KEY (dataset_id, slot)
);

-- A run of a dataset's evaluators. A synchronous run is inserted completed;
-- an asynchronous one running, its heartbeat_at renewed while it computes, so
-- that a run whose server stopped can be told from one still computing.
CREATE TABLE evaluator_runs (
    id                 TEXT NOT NULL,
    dataset_id         TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    version_id         TEXT,
    name               TEXT,
    created_by         TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    total_items        INTEGER NOT NULL,
    updated_item_count INTEGER NOT NULL DEFAULT 0,
    processed_items    INTEGER NOT NULL DEFAULT 0,
    status             TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    error              TEXT,
    heartbeat_at       INTEGER NOT NULL,
    PRIMARY KEY (dataset_id, id)
);
CREATE INDEX evaluator_runs_created ON evaluator_runs (dataset_id, created_at);
CREATE INDEX evaluator_runs_running ON evaluator_runs (heartbeat_at) WHERE status = 'running';

-- The summary of one slot of a completed run.
CREATE TABLE evaluator_run_slots (
    dataset_id      TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    slot            INTEGER NOT NULL CHECK (slot BETWEEN 1 AND 5),
    evaluator_id    TEXT,
    evaluator_name  TEXT,
    evaluator_kind  TEXT,
    evaluator_type  TEXT,
    pass_count      INTEGER NOT NULL DEFAULT 0,
    fail_count      INTEGER NOT NULL DEFAULT 0,
    unknown_count   INTEGER NOT NULL DEFAULT 0,
    evaluated_count INTEGER NOT NULL DEFAULT 0,
    pass_rate       REAL,
    coverage        REAL,
    config          TEXT,
    PRIMARY KEY (dataset_id, run_id, slot),
    FOREIGN KEY (dataset_id, run_id) REFERENCES evaluator_runs (dataset_id, id) ON DELETE CASCADE
);

-- The builtin evaluators of the projects that exist already; new projects
-- get theirs when they are created.
INSERT INTO evaluators (id, project_id, name, slug, type, mode, params, filters, kind, created_at, updated_at)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
             substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
       p.id, b.name, b.slug, b.type, 'normal', '{}', '["AND"]', 'builtin', p.created_at, p.created_at
FROM projects p
CROSS JOIN (SELECT 'Language' AS name, 'language' AS slug, 'language' AS type, 1 AS n
            UNION ALL SELECT 'PII Detection', 'pii-detection', 'pii', 2
            UNION ALL SELECT 'Topics Detection', 'topics-detection', 'topics', 3
            UNION ALL SELECT 'Intent Detection', 'intent-detection', 'intent', 4
            UNION ALL SELECT 'Toxicity', 'toxicity', 'toxicity', 5) b
ORDER BY p.id, b.n;
