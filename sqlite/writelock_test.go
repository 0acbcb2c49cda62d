package sqlite_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/strata-eval/strata"
)

// blockingSource yields one item, says so, then waits for release before
// it ends: an import that holds the write lock for as long as the test
// wants.
type blockingSource struct {
	n        int
	started  chan struct{}
	released chan struct{}
}

func (s *blockingSource) Next() (strata.ItemInput, error) {
	if s.n++; s.n == 1 {
		return strata.ItemInput{Input: "held"}, nil
	}
	close(s.started)
	<-s.released
	return strata.ItemInput{}, io.EOF
}

// TestWriteLockHonoursContext: a write waiting for SQLite's write lock gives
// up when its context ends, instead of waiting for the holder.
func TestWriteLockHonoursContext(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	_, secret, err := s.CreateKey(ctx, strata.KeyCreate{ProjectName: "p", Role: strata.RoleOwner, UserName: "o"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Authenticate(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.CreateDataset(ctx, p.Actor(), strata.DatasetCreate{Name: "held"})
	if err != nil {
		t.Fatal(err)
	}
	src := &blockingSource{started: make(chan struct{}), released: make(chan struct{})}
	imported := make(chan error, 1)
	go func() {
		_, err := s.ImportItems(ctx, p.Actor(), d.ID, src, strata.WriteOptions{})
		imported <- err
	}()
	<-src.started // the import holds the write lock

	waitCtx, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.CreateDataset(waitCtx, p.Actor(), strata.DatasetCreate{Name: "waiting"})
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
	close(src.released)
	if err := <-imported; err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateDataset(ctx, p.Actor(), strata.DatasetCreate{Name: "after"}); err != nil {
		t.Fatalf("write after the lock was released: %v", err)
	}
}
