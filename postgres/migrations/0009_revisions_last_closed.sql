-- revisions_last finds the revisions a version closed (diffs, restores and
-- the walk of content hashes all ask for last_version in a range). An open
-- revision has no last version: partial, the index holds no entry for it,
-- and an import, whose revisions are all open, writes one index entry fewer
-- for each item.
DROP INDEX revisions_last;
CREATE INDEX revisions_last ON revisions (dataset_id, last_version) WHERE last_version IS NOT NULL;
