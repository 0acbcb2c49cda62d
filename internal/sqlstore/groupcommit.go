package sqlstore

import "fmt"
import "sync"
import "sync/atomic"

// Group commit.
//
// A store whose database commits without flushing (SQLite in WAL mode with
// synchronous=NORMAL) gives a Sync that flushes every commit made so far to
// stable storage (the write-ahead log). A write transaction then commits
// under the write lock, releases it, and waits for a Sync begun after its
// commit before write returns: the writers that committed while one Sync
// ran share the next one. Each transaction stays atomic on its own (it is
// one SQLite transaction), and none is acknowledged before it is durable.
//
// A committed transaction is visible to readers from its commit, before its
// Sync: a reader may see a write that a power loss in the next milliseconds
// would take back, never one that a client was told had succeeded.
//
// A Sync that fails leaves the state of every commit since the last good one
// unknown (a later fsync may report success without having written the
// pages a failed one dropped), so the store then refuses every write: the
// writes waiting for that flush, and any later one before it begins, return
// the error, and the server must be restarted.

// groupCommit is the state of a store's group commit.
type groupCommit struct {
	flush func() error

	committed atomic.Uint64 // write transactions committed so far

	mu      sync.Mutex
	done    *sync.Cond
	synced  uint64 // commits known durable
	running bool   // a Sync is in progress
	failed  error  // a Sync failed: nothing is acknowledged any more
	syncs   uint64 // Syncs run, for tests and metrics
}

// SetSync makes the store wait, before acknowledging a write transaction,
// for a call of sync begun after its commit (group commit). Call it before
// the store serves.
func (s *Store) SetSync(flush func() error) {
	g := &groupCommit{flush: flush}
	g.done = sync.NewCond(&g.mu)
	s.group = g
}

// Syncs is how many times the store has flushed its commits (group commit),
// 0 without group commit.
func (s *Store) Syncs() uint64 {
	if s.group == nil {
		return 0
	}
	s.group.mu.Lock()
	defer s.group.mu.Unlock()
	return s.group.syncs
}

// committedOne counts a committed write transaction, under the write lock.
func (g *groupCommit) committedOne() {
	if g != nil {
		g.committed.Add(1)
	}
}

// broken returns the error of a failed flush: no write may commit after it.
func (g *groupCommit) broken() error {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.failed
}

// durable returns once every transaction committed before the call is on
// stable storage: at once when a Sync begun after them has ended, else after
// the next one, run by this caller when no other is running.
func (g *groupCommit) durable() error {
	if g == nil {
		return nil
	}
	target := g.committed.Load()
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		if g.failed != nil {
			return g.failed
		}
		if g.synced >= target {
			return nil
		}
		if g.running {
			g.done.Wait()
			continue
		}
		// Lead the next Sync: it covers every commit counted now, this
		// caller's included.
		g.running = true
		upto := g.committed.Load()
		g.mu.Unlock()
		err := g.flush()
		g.mu.Lock()
		g.running = false
		g.syncs++
		if err != nil {
			g.failed = fmt.Errorf("make writes durable: %w (restart the server)", err)
		} else {
			g.synced = max(g.synced, upto)
		}
		g.done.Broadcast()
	}
}
