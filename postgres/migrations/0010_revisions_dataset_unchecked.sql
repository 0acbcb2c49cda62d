-- revisions no longer has a foreign key to datasets. PostgreSQL checks a
-- foreign key row by row, with a query and a lock of the parent row for
-- each new revision: a third of the COPY of an import (BENCHMARKS.md, tenth
-- round). The store keeps the reference itself: every write of revisions
-- runs in a transaction that holds its dataset's row lock, and a dataset's
-- delete removes its revisions under that lock (internal/sqlstore,
-- DeleteDataset); strata check reports a revision without a dataset.
ALTER TABLE revisions DROP CONSTRAINT IF EXISTS revisions_dataset_id_fkey;
