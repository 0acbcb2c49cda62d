package sqlstore

import "context"
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
// function that releases it.
func (l *datasetLocks) lock(ctx context.Context, id string) (func(), error) {
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

// release drops a reference to a dataset's lock, and the lock with the last.
func (l *datasetLocks) release(id string, dl *datasetLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if dl.refs--; dl.refs == 0 {
		delete(l.locks, id)
	}
}
