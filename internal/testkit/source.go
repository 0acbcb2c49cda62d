package testkit

import "context"
import "io"
import "sync"
import "testing"
import "time"

import "github.com/strata-eval/strata"

// HoldWriteLock starts an import into the dataset whose source yields one
// item and then waits, while the import holds the write lock, until release
// is called.
// release lets the import end, waits for it and fails tb if it failed; it
// is called again when tb ends, so an early failure does not leave the
// import waiting.
func HoldWriteLock(tb testing.TB, s strata.Store, a strata.Actor, datasetID string) (release func()) {
	tb.Helper()
	src := &heldSource{started: make(chan struct{}), released: make(chan struct{})}
	imported := make(chan error, 1)
	go func() {
		_, err := s.ImportItems(context.Background(), a, datasetID, src, strata.WriteOptions{})
		imported <- err
	}()
	select {
	case <-src.started:
	case err := <-imported:
		tb.Fatalf("the holding import ended before it held the lock: %v", err)
	}
	var err error
	end := sync.OnceFunc(func() {
		close(src.released)
		err = <-imported
	})
	tb.Cleanup(end)
	return func() {
		tb.Helper()
		end()
		if err != nil {
			tb.Fatalf("the holding import: %v", err)
		}
	}
}

// heldSource yields one item, says so, then waits to be released before it
// ends.
type heldSource struct {
	n        int
	started  chan struct{}
	released chan struct{}
}

func (s *heldSource) Next() (strata.ItemInput, error) {
	if s.n++; s.n == 1 {
		return strata.ItemInput{Input: "held"}, nil
	}
	close(s.started)
	<-s.released
	return strata.ItemInput{}, io.EOF
}

// HoldStoreWriteLock holds the write lock of s (HoldWriteLock) with an
// import into a dataset of its own, in a project "p" whose owner it returns.
func HoldStoreWriteLock(tb testing.TB, s strata.Store) (a strata.Actor, release func()) {
	tb.Helper()
	a = Owner(tb, s, "p")
	d, err := s.CreateDataset(context.Background(), a, strata.DatasetCreate{Name: "held"})
	if err != nil {
		tb.Fatal(err)
	}
	return a, HoldWriteLock(tb, s, a, d.ID)
}

// WaitQueuedWrites waits until n writes of s wait for its write lock (held
// with HoldWriteLock): writes started one after the other, each once the
// one before is queued, queue in that order.
func WaitQueuedWrites(tb testing.TB, s interface{ QueuedWrites() int }, n int) {
	tb.Helper()
	deadline := time.Now().Add(time.Minute) // a watchdog, not a measure
	for s.QueuedWrites() < n {
		if time.Now().After(deadline) {
			tb.Fatalf("%d writes queued, want %d", s.QueuedWrites(), n)
		}
		time.Sleep(time.Millisecond)
	}
}
