package sqlstore

import "context"
import "strings"
import "sync"

// datasetLocks queue, within this process, the writes of one dataset where
// the database does not serialize writes (PostgreSQL). The database's row
// lock is what orders them, across servers too; but a write waiting for a
// row lock holds a connection, and 32 writes queued behind a long import of
// one dataset would hold every connection of the pool, stalling the reads
// and writes of every other dataset until the import ends. Waiting here
// instead, a server holds at most one connection per dataset while it
// waits, and a waiter gives up when its request does.
type datasetLocks struct {
	mu    sync.Mutex
	locks map[string]*datasetLock
}

type datasetLock struct {
	slot chan struct{} // one token: held by the dataset's writer
	refs int           // holders and waiters, under datasetLocks.mu
}

// lock waits for the dataset's lock, or for ctx's end, and returns the
// function that releases it. An id names its dataset in any case (a UUID):
// one lock for all its spellings.
func (l *datasetLocks) lock(ctx context.Context, id string) (func(), error) {
	id = lockKey(id)
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*datasetLock{}
	}
	dl := l.locks[id]
	if dl == nil {
		dl = &datasetLock{slot: make(chan struct{}, 1)}
		l.locks[id] = dl
	}
	dl.refs++
	l.mu.Unlock()
	select {
	case dl.slot <- struct{}{}:
		return func() {
			<-dl.slot
			l.release(id, dl)
		}, nil
	case <-ctx.Done():
		l.release(id, dl)
		return nil, ctx.Err()
	}
}

// lockKey is the key of a dataset's lock: its id in lower case, as the
// database compares UUIDs.
func lockKey(id string) string { return strings.ToLower(id) }

// release drops a reference to a dataset's lock, and the lock with the last.
func (l *datasetLocks) release(id string, dl *datasetLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if dl.refs--; dl.refs == 0 {
		delete(l.locks, id)
	}
}

// lockDatasets runs fn holding the server's locks of several datasets,
// taken in the order given (sorted, so that two such callers cannot wait
// for each other), where writes are not serialized.
func (s *Store) lockDatasets(ctx context.Context, ids []string, fn func() error) error {
	if !s.Dialect.SerializeWrites() {
		for _, id := range ids {
			unlock, err := s.datasets.lock(ctx, id)
			if err != nil {
				return err
			}
			defer unlock()
		}
	}
	return fn()
}
