-- Metadata, splits and external ids of items: columns of the revision, like
-- input and output (see itemfields.go). Existing items get none: {}, no
-- split, no external id, which leaves their content hashes as they were.
ALTER TABLE revisions ADD COLUMN metadata text NOT NULL DEFAULT '{}';
ALTER TABLE revisions ADD COLUMN splits text NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN external_id text;

-- An external id names at most one live item of a dataset, and finds it.
CREATE UNIQUE INDEX revisions_open_external_id ON revisions (dataset_id, external_id)
    WHERE last_version IS NULL AND external_id IS NOT NULL;

-- One row per split of a revision: a split filter walks (dataset, split,
-- seq) in item order. The rows go with their revision.
CREATE TABLE revision_splits (
    dataset_id  uuid NOT NULL,
    revision_id uuid NOT NULL,
    split       text NOT NULL,
    seq         bigint NOT NULL,
    PRIMARY KEY (dataset_id, revision_id, split),
    FOREIGN KEY (dataset_id, revision_id) REFERENCES revisions (dataset_id, id) ON DELETE CASCADE
);
CREATE INDEX revision_splits_seq ON revision_splits (dataset_id, split, seq);

-- An evaluator run over the items a filter selects records the filter (as
-- the query string that selects them); NULL for a run over every item.
ALTER TABLE evaluator_runs ADD COLUMN item_filter text;
