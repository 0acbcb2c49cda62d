package sqlite

// SetLargeLog sets the length of log beyond which a commit leaves its
// checkpoint to the store, until the returned function restores it.
func SetLargeLog(n int64) (restore func()) {
	old := largeLog
	largeLog = n
	return func() { largeLog = old }
}

// SetCheckpointHooks sets functions run before and after each checkpoint the
// store runs itself, until the returned function removes them.
func SetCheckpointHooks(before, after func()) (restore func()) {
	beforeCheckpoint, afterCheckpoint = before, after
	return func() { beforeCheckpoint, afterCheckpoint = nil, nil }
}
