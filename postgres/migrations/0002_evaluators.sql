-- Evaluators, the five evaluator slots of a dataset, and evaluator runs.

-- An evaluator of a project. params (a JSON object) and filters (a JSON
-- array) are JSON texts. Builtin evaluators are seeded, one of each type, in
-- every project.
CREATE TABLE evaluators (
    id          uuid PRIMARY KEY,
    project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    owner_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    name        text NOT NULL,
    slug        text NOT NULL,
    type        text NOT NULL,
    mode        text NOT NULL,
    description text,
    params      text NOT NULL,
    filters     text NOT NULL,
    kind        text NOT NULL DEFAULT 'custom' CHECK (kind IN ('custom', 'builtin')),
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
);
CREATE INDEX evaluators_project ON evaluators (project_id, created_at);

-- The config of a dataset's slot (the evaluator itself is in
-- datasets.evaluator_slot_N_id): what passes.
CREATE TABLE evaluator_configs (
    dataset_id uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    slot       smallint NOT NULL CHECK (slot BETWEEN 1 AND 5),
    config     text NOT NULL,
    PRIMARY KEY (dataset_id, slot)
);

-- A run of a dataset's evaluators. A synchronous run is inserted completed;
-- an asynchronous one running, its heartbeat_at renewed while it computes, so
-- that a run whose server stopped can be told from one still computing.
CREATE TABLE evaluator_runs (
    id                 uuid NOT NULL,
    dataset_id         uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    version_id         uuid,
    name               text,
    created_by         uuid,
    created_at         bigint NOT NULL,
    updated_at         bigint NOT NULL,
    total_items        integer NOT NULL,
    updated_item_count integer NOT NULL DEFAULT 0,
    processed_items    integer NOT NULL DEFAULT 0,
    status             text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    error              text,
    heartbeat_at       bigint NOT NULL,
    PRIMARY KEY (dataset_id, id)
);
CREATE INDEX evaluator_runs_created ON evaluator_runs (dataset_id, created_at);
CREATE INDEX evaluator_runs_running ON evaluator_runs (heartbeat_at) WHERE status = 'running';

-- The summary of one slot of a completed run.
CREATE TABLE evaluator_run_slots (
    dataset_id      uuid NOT NULL,
    run_id          uuid NOT NULL,
    slot            smallint NOT NULL CHECK (slot BETWEEN 1 AND 5),
    evaluator_id    uuid,
    evaluator_name  text,
    evaluator_kind  text,
    evaluator_type  text,
    pass_count      integer NOT NULL DEFAULT 0,
    fail_count      integer NOT NULL DEFAULT 0,
    unknown_count   integer NOT NULL DEFAULT 0,
    evaluated_count integer NOT NULL DEFAULT 0,
    pass_rate       double precision,
    coverage        double precision,
    config          text,
    PRIMARY KEY (dataset_id, run_id, slot),
    FOREIGN KEY (dataset_id, run_id) REFERENCES evaluator_runs (dataset_id, id) ON DELETE CASCADE
);

-- The builtin evaluators of the projects that exist already; new projects
-- get theirs when they are created.
INSERT INTO evaluators (id, project_id, name, slug, type, mode, params, filters, kind, created_at, updated_at)
SELECT gen_random_uuid(), p.id, b.name, b.slug, b.type, 'normal', '{}', '["AND"]', 'builtin', p.created_at, p.created_at
FROM projects p
CROSS JOIN (VALUES ('Language', 'language', 'language', 1),
                   ('PII Detection', 'pii-detection', 'pii', 2),
                   ('Topics Detection', 'topics-detection', 'topics', 3),
                   ('Intent Detection', 'intent-detection', 'intent', 4),
                   ('Toxicity', 'toxicity', 'toxicity', 5)) AS b (name, slug, type, n)
ORDER BY p.id, b.n;
