package sqlite_test

import "context"
import "errors"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/testkit"

// TestWriteLockHonoursContext: a write waiting for SQLite's write lock gives
// up when its context ends, instead of waiting for the holder.
func TestWriteLockHonoursContext(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	a, release := testkit.HoldStoreWriteLock(t, s)

	waitCtx, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.CreateDataset(waitCtx, a, strata.DatasetCreate{Name: "waiting"})
		done <- err
	}()
	var werr error
	select {
	case werr = <-done:
	case <-time.After(time.Minute): // a watchdog, not a measure: the write must not wait for the import
		t.Fatal("the waiting write did not give up with its context")
	}
	if !errors.Is(werr, context.DeadlineExceeded) {
		t.Fatalf("waiting write: %v, want the deadline", werr)
	}
	release()
	if _, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: "after"}); err != nil {
		t.Fatalf("write after the lock was released: %v", err)
	}
}
