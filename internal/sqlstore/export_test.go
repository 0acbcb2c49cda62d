package sqlstore

// BackfillContentHashes is the Go half of migration 0003, for tests.
var BackfillContentHashes = backfillContentHashes

// SetChunkBytes sets the byte bounds of scan chunks and insert batches, and
// tells observe of each chunk; the returned function restores them.
func SetChunkBytes(scan, insert int, observe func(kind string, rows, bytes int)) (restore func()) {
	oldScan, oldInsert, oldObserver := chunkBytes, insertBatchBytes, chunkObserver
	chunkBytes, insertBatchBytes, chunkObserver = scan, insert, observe
	return func() { chunkBytes, insertBatchBytes, chunkObserver = oldScan, oldInsert, oldObserver }
}
