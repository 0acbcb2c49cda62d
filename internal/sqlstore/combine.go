package sqlstore

import "context"
import "database/sql"
import "fmt"
import "runtime/debug"
import "sync"
import "sync/atomic"
import "time"

// Combined writes.
//
// A dialect that serializes writes (SQLite) has one writer at a time, and
// each write transaction pays for its BEGIN and its COMMIT, and writes to the
// log the pages of the dataset row and of the indexes it touched, however
// few of their bytes changed. Under load the writers queue for the write
// lock. So a writer that takes the lock runs, in one transaction, every
// write queued until then (up to maxCombined), each inside a savepoint of
// its own:
//
//   - a write that fails is rolled back to its savepoint and fails alone;
//     the others commit together;
//   - each sees the writes run before it in the transaction, as if they had
//     committed one after the other in that order;
//   - none is acknowledged before the commit, and, with group commit, before
//     the flush that follows it (groupcommit.go).
//
// SQLite ends the whole transaction on some errors (a statement interrupted
// because its request ended, a full disk): the savepoint is gone then, and
// every write run in the transaction so far, not at fault, is run again in
// a new one, as a write that lost a race is.
//
// A write that cannot be run again (an import: lockOptions.once) takes the
// write lock for itself, as it does on other dialects.

// maxCombined is the most writes one transaction runs, and maxHeld the
// most transactions a writer runs before it lets another take the lock.
const (
	maxCombined = 64
	maxHeld     = 4
)

// queuedWrite is a write waiting for the write lock.
type queuedWrite struct {
	ctx      context.Context
	fn       func(tx *sql.Tx) error
	attempts int
	done     chan error // its result, sent once
}

// writeQueue holds the writes waiting for the write lock, in order.
type writeQueue struct {
	mu      sync.Mutex
	pending []*queuedWrite

	transactions atomic.Uint64 // transactions that committed more than one write
	combined     atomic.Uint64 // writes committed in them
}

func (q *writeQueue) push(w *queuedWrite) {
	q.mu.Lock()
	q.pending = append(q.pending, w)
	q.mu.Unlock()
}

// remove takes w out of the queue, and reports whether it was still there.
func (q *writeQueue) remove(w *queuedWrite) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, p := range q.pending {
		if p == w {
			q.pending = append(q.pending[:i], q.pending[i+1:]...)
			return true
		}
	}
	return false
}

// take removes and returns the first n writes of the queue at most.
func (q *writeQueue) take(n int) []*queuedWrite {
	q.mu.Lock()
	defer q.mu.Unlock()
	n = min(n, len(q.pending))
	batch := make([]*queuedWrite, n)
	copy(batch, q.pending)
	q.pending = append(q.pending[:0], q.pending[n:]...)
	return batch
}

// QueuedWrites is how many writes wait for the write lock, for tests.
func (s *Store) QueuedWrites() int {
	s.queue.mu.Lock()
	defer s.queue.mu.Unlock()
	return len(s.queue.pending)
}

// CombinedWrites is how many transactions committed more than one write,
// and how many writes they committed, for tests and benchmarks.
func (s *Store) CombinedWrites() (transactions, writes uint64) {
	return s.queue.transactions.Load(), s.queue.combined.Load()
}

// writeCombined queues fn and returns its result: run by this caller, if
// it takes the write lock first, or by the writer that does.
func (s *Store) writeCombined(ctx context.Context, fn func(tx *sql.Tx) error) error {
	w := &queuedWrite{ctx: ctx, fn: fn, done: make(chan error, 1)}
	s.queue.push(w)
	for {
		select {
		case err := <-w.done:
			return repanic(err)
		case s.writeLock <- struct{}{}:
			// Run what is queued, and what queues meanwhile, up to
			// maxHeld transactions: handing the lock to a waiter
			// wakes it, and on a busy machine it waits for a
			// processor while the lock waits for it.
			s.runHeld()
			// w was run unless more than maxCombined writes were
			// queued before it: then it waits again.
		case <-ctx.Done():
			if s.queue.remove(w) {
				return fmt.Errorf("wait for the write lock: %w", context.Cause(ctx))
			}
			return repanic(<-w.done) // it is being run
		}
	}
}

// runHeld runs queued writes under the write lock, taken by the caller, and
// releases it.
func (s *Store) runHeld() {
	defer func() { <-s.writeLock }()
	for range maxHeld {
		if !s.runQueued() {
			return
		}
	}
}

// runQueued runs the writes queued so far, under the write lock, until
// each has its result. It reports whether there were any.
func (s *Store) runQueued() bool {
	batch := s.queue.take(maxCombined)
	ran := len(batch) > 0
	for len(batch) > 0 {
		var busy bool
		batch, busy = s.runBatch(batch)
		if busy && len(batch) > 0 {
			// The database is locked by another process: wait a little
			// longer at each attempt, as write does.
			time.Sleep(time.Duration(batch[0].attempts*batch[0].attempts) * time.Millisecond)
		}
	}
	return ran
}

// runBatch runs batch in one transaction, and returns the writes to run
// again in another: those that lost the transaction through no fault of
// their own, and those that failed with a retryable error (busy is then
// true). A write is run maxAttempts times at most.
func (s *Store) runBatch(batch []*queuedWrite) (again []*queuedWrite, busy bool) {
	// The transaction outlives the request of any one write: each write's
	// statements run under its own context.
	ctx := context.Background()
	rerun := func(w *queuedWrite, err error) {
		if w.attempts < maxAttempts {
			again = append(again, w)
		} else {
			w.done <- err
		}
	}
	retry := func(w *queuedWrite, err error) {
		if s.Dialect.IsRetryable(err) {
			busy = true
			rerun(w, err)
		} else {
			w.done <- err
		}
	}
	for _, w := range batch {
		w.attempts++
	}
	tx, done, err := s.beginTx(ctx)
	if err != nil {
		for _, w := range batch {
			retry(w, fmt.Errorf("begin: %w", err))
		}
		return again, busy
	}
	defer done()
	defer tx.Rollback()
	saved := len(batch) > 1
	var ran []*queuedWrite // written, to commit
	for i, w := range batch {
		if w.ctx.Err() != nil {
			w.done <- fmt.Errorf("wait for the write lock: %w", context.Cause(w.ctx))
			continue
		}
		err, ended := s.runSaved(ctx, tx, w, saved)
		if ended != nil {
			// The transaction has ended: every write it ran, and those
			// after, run again in a new one.
			s.txEnded(tx, false)
			if err != nil {
				w.done <- err
			} else {
				rerun(w, ended)
			}
			for _, w := range append(ran, batch[i+1:]...) {
				rerun(w, ended)
			}
			return again, busy
		}
		if err != nil {
			retry(w, err)
			continue
		}
		ran = append(ran, w)
	}
	if len(ran) == 0 {
		s.txEnded(tx, false)
		return again, busy
	}
	if err := tx.Commit(); err != nil {
		s.txEnded(tx, false)
		for _, w := range ran {
			retry(w, fmt.Errorf("commit: %w", err))
		}
		return again, busy
	}
	s.group.committedOne()
	s.txEnded(tx, true)
	if len(ran) > 1 {
		s.queue.transactions.Add(1)
		s.queue.combined.Add(uint64(len(ran)))
	}
	for _, w := range ran {
		w.done <- nil
	}
	return again, busy
}

// runSaved runs w in tx, inside a savepoint if saved, and returns its error:
// a write that fails is rolled back to its savepoint. ended is not nil when
// the transaction itself has ended, with every write in it; err is then nil
// if w was not at fault.
func (s *Store) runSaved(ctx context.Context, tx *sql.Tx, w *queuedWrite, saved bool) (err, ended error) {
	if !saved {
		// Alone in its transaction: a failure rolls it all back.
		return w.call(tx), nil
	}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT strata_write`); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	versions := s.versionsWritten(tx)
	if err = w.call(tx); err == nil {
		if _, err := tx.ExecContext(ctx, `RELEASE strata_write`); err != nil {
			return nil, fmt.Errorf("release savepoint: %w", err)
		}
		return nil, nil
	}
	for _, stmt := range []string{`ROLLBACK TO strata_write`, `RELEASE strata_write`} {
		if _, rerr := tx.ExecContext(ctx, stmt); rerr != nil {
			return err, fmt.Errorf("roll back to savepoint: %w", rerr)
		}
	}
	s.setVersionsWritten(tx, versions)
	return err, nil
}

// call runs the write's fn in tx. A panic is the write's own: it is
// returned as a panicked error, its transaction rolled back to its
// savepoint, and raised again by the write's caller (repanic).
func (w *queuedWrite) call(tx *sql.Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicked{value: r, stack: debug.Stack()}
		}
	}()
	return w.fn(tx)
}

// panicked is a write whose fn panicked, with where it did.
type panicked struct {
	value any
	stack []byte
}

func (p *panicked) Error() string { return fmt.Sprintf("write panicked: %v\n%s", p.value, p.stack) }

// repanic raises again, in the writer's goroutine, the panic of its fn.
func repanic(err error) error {
	if p, ok := err.(*panicked); ok {
		panic(p)
	}
	return err
}
