package sqlstore_test

import "context"
import "database/sql"
import "errors"
import "fmt"
import "slices"
import "strings"
import "sync"
import "sync/atomic"
import "testing"
import "time"

import "github.com/strata-eval/strata/internal/testkit"
import "github.com/strata-eval/strata/sqlite"

// queueWrites holds the write lock of s, queues fns as writes in order,
// releases the lock and returns their results: the writes run combined, in
// one transaction.
func queueWrites(t *testing.T, s *sqlite.Store, fns ...func(tx *sql.Tx) error) []error {
	t.Helper()
	ctx := context.Background()
	_, release := testkit.HoldStoreWriteLock(t, s)
	done := make([]chan error, len(fns))
	for i, fn := range fns {
		done[i] = make(chan error, 1)
		go func() {
			defer func() {
				if r := recover(); r != nil {
					done[i] <- fmt.Errorf("panic: %v", r)
				}
			}()
			done[i] <- s.WriteForTest(ctx, fn)
		}()
		testkit.WaitQueuedWrites(t, s, i+1)
	}
	release()
	errs := make([]error, len(fns))
	for i := range done {
		select {
		case errs[i] = <-done[i]:
		case <-time.After(time.Minute): // a watchdog, not a measure
			t.Fatalf("write %d has no result", i)
		}
	}
	return errs
}

// A write that ends the whole transaction (as SQLite does when a statement
// is interrupted) fails alone: the writes run before it in the transaction
// lost their work with it, and are run again.
func TestCombinedWriteThatEndsTheTransaction(t *testing.T) {
	ctx := context.Background()
	var runs [3]atomic.Int32
	insert := func(i int) func(tx *sql.Tx) error {
		return func(tx *sql.Tx) error {
			runs[i].Add(1)
			_, err := tx.ExecContext(ctx, `INSERT INTO scratch (x) VALUES ($1)`, i)
			return err
		}
	}
	errEnded := errors.New("ended the transaction")
	ender := func(tx *sql.Tx) error {
		if err := insert(1)(tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `ROLLBACK`); err != nil {
			return err
		}
		return errEnded
	}
	create := func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE scratch (x integer)`)
		return err
	}
	s := testkit.SQLite(t)
	errs := queueWrites(t, s, create, insert(0), ender, insert(2))
	if want := []error{nil, nil, errEnded, nil}; !slices.EqualFunc(errs, want, func(a, b error) bool { return errors.Is(a, b) }) {
		t.Errorf("results %v, want %v", errs, want)
	}
	if got, want := scratchRows(t, s), []int{0, 2}; !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	if got := [3]int32{runs[0].Load(), runs[1].Load(), runs[2].Load()}; got != [3]int32{2, 1, 1} {
		t.Errorf("runs of each write %v, want [2 1 1]: the one before the end runs again", got)
	}
}

// countVersions keeps what each committed transaction reported.
// A write that panics fails alone, with its panic raised again in its own
// goroutine; the writes combined with it commit.
func TestCombinedWriteThatPanics(t *testing.T) {
	ctx := context.Background()
	s := testkit.SQLite(t)
	if _, err := s.DB.ExecContext(ctx, `CREATE TABLE scratch (x integer)`); err != nil {
		t.Fatal(err)
	}
	insert := func(x int) func(tx *sql.Tx) error {
		return func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO scratch (x) VALUES ($1)`, x)
			return err
		}
	}
	panics := func(tx *sql.Tx) error {
		if err := insert(1)(tx); err != nil {
			return err
		}
		panic("boom")
	}
	errs := queueWrites(t, s, insert(0), panics, insert(2))
	if errs[0] != nil || errs[2] != nil {
		t.Errorf("writes beside the panic: %v, %v", errs[0], errs[2])
	}
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "panic: write panicked: boom") {
		t.Errorf("write that panicked: %v, want its panic", errs[1])
	}
	if got, want := scratchRows(t, s), []int{0, 2}; !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
}

// scratchRows returns the values of table scratch, in order.
func scratchRows(t *testing.T, s *sqlite.Store) []int {
	t.Helper()
	rows, err := s.DB.QueryContext(context.Background(), `SELECT x FROM scratch ORDER BY x`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []int
	for rows.Next() {
		var x int
		if err := rows.Scan(&x); err != nil {
			t.Fatal(err)
		}
		got = append(got, x)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

type countVersions struct {
	mu       sync.Mutex
	reported []int
}

func (c *countVersions) VersionsCreated(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reported = append(c.reported, n)
}

func (c *countVersions) ItemsImported(int, time.Duration) {}
func (c *countVersions) Restored(time.Duration)           {}

// The versions a write rolled back to its savepoint wrote are not reported
// as created; those of the writes committed with it are.
func TestCombinedWriteRolledBackReportsNoVersion(t *testing.T) {
	s := testkit.SQLite(t)
	var observer countVersions
	s.Observer = &observer
	errRefused := errors.New("refused")
	created := func(err error) func(tx *sql.Tx) error {
		return func(tx *sql.Tx) error {
			s.VersionCreatedForTest(tx)
			return err
		}
	}
	errs := queueWrites(t, s, created(nil), created(errRefused), created(nil))
	if want := []error{nil, errRefused, nil}; !slices.EqualFunc(errs, want, func(a, b error) bool { return errors.Is(a, b) }) {
		t.Errorf("results %v, want %v", errs, want)
	}
	// The combined transaction commits last, after the import that held
	// the lock.
	if r := observer.reported; len(r) == 0 || r[len(r)-1] != 2 {
		t.Errorf("versions reported by each transaction: %v, want 2 last", r)
	}
}
