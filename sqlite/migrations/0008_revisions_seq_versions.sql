-- Any version in item order, with each revision's life in the index: a page
-- of a version tests first_version and last_version on index entries, and
-- reads from the table only the revisions the page returns, so a page costs
-- the same however many closed revisions lie between its items. It replaces
-- revisions_seq (dataset_id, seq), its prefix.
DROP INDEX revisions_seq;
CREATE INDEX revisions_seq_versions ON revisions (dataset_id, seq, first_version, last_version);
