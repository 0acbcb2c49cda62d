package sqlstore

import "database/sql"
import "sync/atomic"
import "time"

// Observer hears what the store committed, whoever asked (the API, the pages,
// a background evaluator run): the server's metrics implement it. It is
// called after the commit, so a transaction that rolled back, or was retried,
// is counted once or not at all. Its methods must be quick and must not block.
type Observer interface {
	// VersionsCreated counts the versions one transaction created.
	VersionsCreated(n int)
	// ItemsImported records an import of n items that took the time given.
	ItemsImported(n int, took time.Duration)
	// Restored records a restore that took the time given.
	Restored(took time.Duration)
}

// versionCreated notes a version written in tx, to report once tx commits.
func (s *Store) versionCreated(tx *sql.Tx) {
	if s.Observer == nil {
		return
	}
	n, _ := s.uncommitted.LoadOrStore(tx, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
}

// versionsWritten is how many versions tx has written so far.
func (s *Store) versionsWritten(tx *sql.Tx) int64 {
	if n, ok := s.uncommitted.Load(tx); ok {
		return n.(*atomic.Int64).Load()
	}
	return 0
}

// setVersionsWritten forgets the versions tx wrote after it had written n:
// they were rolled back to a savepoint.
func (s *Store) setVersionsWritten(tx *sql.Tx, n int64) {
	if c, ok := s.uncommitted.Load(tx); ok {
		c.(*atomic.Int64).Store(n)
	}
}

// txEnded reports what tx created, if it committed, and forgets it.
func (s *Store) txEnded(tx *sql.Tx, committed bool) {
	n, ok := s.uncommitted.LoadAndDelete(tx)
	if ok && committed && s.Observer != nil {
		s.Observer.VersionsCreated(int(n.(*atomic.Int64).Load()))
	}
}

// imported reports a committed import begun at start.
func (s *Store) imported(n int, start time.Time) {
	if s.Observer != nil {
		s.Observer.ItemsImported(n, time.Since(start))
	}
}

// restored reports a committed restore begun at start.
func (s *Store) restored(start time.Time) {
	if s.Observer != nil {
		s.Observer.Restored(time.Since(start))
	}
}
