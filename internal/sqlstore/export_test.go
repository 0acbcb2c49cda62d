package sqlstore

// BackfillContentHashes is the Go half of migration 0003, for tests.
var BackfillContentHashes = backfillContentHashes
