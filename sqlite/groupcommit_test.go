package sqlite_test

import "errors"
import "fmt"
import "sync/atomic"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/testkit"
import "github.com/strata-eval/strata/sqlite"

func openWithActor(t *testing.T) (*sqlite.Store, strata.Actor) {
	t.Helper()
	s := testkit.SQLite(t)
	return s, testkit.Owner(t, s, "p")
}

// Writes are acknowledged only after a flush begun after their commit, and
// the writers that commit while one flush runs share the next.
func TestGroupCommitAcknowledgesAfterFlush(t *testing.T) {
	s, a := openWithActor(t)
	var flushes atomic.Int32
	release := make(chan struct{})
	s.SetSync(func() error {
		flushes.Add(1)
		<-release
		return nil
	})
	const n = 8
	done := make(chan error, n)
	for i := range n {
		go func() {
			_, err := s.CreateDataset(t.Context(), a, strata.DatasetCreate{Name: fmt.Sprintf("gc-%d", i)})
			done <- err
		}()
	}
	// Every write commits (other connections see it) while the first
	// flush is held.
	for committed := 0; committed < n; {
		if err := s.DB.QueryRow(`SELECT count(*) FROM datasets WHERE name LIKE 'gc-%'`).Scan(&committed); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			t.Fatalf("a write was acknowledged (err %v) before its flush", err)
		case <-t.Context().Done():
			t.Fatal(t.Context().Err())
		case <-time.After(time.Millisecond):
		}
	}
	if got := flushes.Load(); got != 1 {
		t.Fatalf("%d flushes while the first is held, want 1", got)
	}
	select {
	case err := <-done:
		t.Fatalf("a write was acknowledged (err %v) before its flush", err)
	default:
	}
	close(release)
	for range n {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	// The first flush covered the first commit (or more); one more covered
	// all the others.
	if got := flushes.Load(); got > 2 {
		t.Errorf("%d flushes for %d writes, want at most 2", got, n)
	}
}

// A failed flush fails the write it was for, and refuses every write after
// it before it commits.
func TestGroupCommitFlushFails(t *testing.T) {
	s, a := openWithActor(t)
	fail := errors.New("disk gone")
	s.SetSync(func() error { return fail })
	for i := range 3 {
		_, err := s.CreateDataset(t.Context(), a, strata.DatasetCreate{Name: fmt.Sprintf("d%d", i)})
		if !errors.Is(err, fail) {
			t.Fatalf("write %d: err %v, want %v", i, err, fail)
		}
	}
	var n int
	if err := s.DB.QueryRow(`SELECT count(*) FROM datasets WHERE name LIKE 'd%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d datasets committed, want 1 (the write whose flush failed)", n)
	}
}

// The store opened for serving flushes its log for the writes it
// acknowledges, and SQLite does not flush each commit by itself.
func TestOpenUsesGroupCommit(t *testing.T) {
	s, a := openWithActor(t)
	before := s.Syncs()
	if _, err := s.CreateDataset(t.Context(), a, strata.DatasetCreate{Name: "d"}); err != nil {
		t.Fatal(err)
	}
	if s.Syncs() <= before {
		t.Errorf("flushes %d after a write, want more than %d", s.Syncs(), before)
	}
	var sync int
	if err := s.DB.QueryRow(`PRAGMA synchronous`).Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if sync != 1 {
		t.Errorf("synchronous = %d, want 1 (NORMAL)", sync)
	}
}
