package sqlstore

import "context"
import "database/sql"

// BackfillContentHashes is the Go half of migration 0003, for tests.
var BackfillContentHashes = backfillContentHashes

// SetChunkBytes sets the byte bounds of scan chunks and insert batches, and
// tells observe of each chunk; the returned function restores them.
func SetChunkBytes(scan, insert int, observe func(kind string, rows, bytes int)) (restore func()) {
	oldScan, oldInsert, oldObserver := chunkBytes, insertBatchBytes, chunkObserver
	chunkBytes, insertBatchBytes, chunkObserver = scan, insert, observe
	return func() { chunkBytes, insertBatchBytes, chunkObserver = oldScan, oldInsert, oldObserver }
}

// WriteForTest runs fn as a write that may be run again, for tests.
func (s *Store) WriteForTest(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.write(ctx, false, fn)
}

// VersionCreatedForTest notes a version written in tx, for tests.
func (s *Store) VersionCreatedForTest(tx *sql.Tx) { s.versionCreated(tx) }

// DropDraftsForTest is the statement with which a restore drops drafts.
func (s *Store) DropDraftsForTest() string { return s.dropDrafts() }

// ClosedHistoryForTest is the statement that reads an item's closed
// revisions.
func (s *Store) ClosedHistoryForTest() string { return s.closedHistory() }

// NewestClosedForTest is the statement that reads an item's newest closed
// revisions.
func (s *Store) NewestClosedForTest() string { return s.newestClosed() }

// SetMaxSortedKeys sets the most keys a diff sorts before it reads in item
// order instead; the returned function restores it.
func SetMaxSortedKeys(n int) (restore func()) {
	old := maxSortedKeys
	maxSortedKeys = n
	return func() { maxSortedKeys = old }
}

// DiffInItemOrderQuery is the statement of a diff read in item order.
const DiffInItemOrderQuery = diffInItemOrderQuery

// DeleteEvaluatorAsSeen runs the transaction of a delete of an evaluator
// that found it in the datasets held before it waited for their locks, for
// tests: what a delete does when the slots changed meanwhile.
func (s *Store) DeleteEvaluatorAsSeen(ctx context.Context, projectID, id string, held []string) error {
	return s.lockDatasets(ctx, held, func() error {
		return s.write(ctx, false, func(tx *sql.Tx) error { return s.deleteEvaluator(ctx, tx, projectID, id, held) })
	})
}

// DatasetLockKey is the key of a dataset's lock in the server's queue.
func DatasetLockKey(id string) string { return lockKey(id) }

// ErrHeldMeanwhile is a delete of an evaluator that found it in a dataset
// it had not locked (DeleteEvaluator then starts again).
var ErrHeldMeanwhile = errHeldMeanwhile
