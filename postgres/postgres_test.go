package postgres_test

import "context"
import "database/sql"
import "errors"
import "io"
import "os"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/pgtest"
import "github.com/strata-eval/strata/postgres"
import "github.com/strata-eval/strata/storetest"

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// MustOpen opens a store on a new database of the test cluster.
func MustOpen(tb testing.TB) strata.Store { return open(tb) }

// open is MustOpen for the tests that read the PostgreSQL store's own
// fields.
func open(tb testing.TB) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(tb.Context(), pgtest.DSN(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, MustOpen) }

func BenchmarkStore(b *testing.B) { storetest.Bench(b, MustOpen) }

// BenchmarkSplitFilter reads a page of 100 items by split from a version
// of 1,000,000 items (BENCHMARKS.md).
func BenchmarkSplitFilter(b *testing.B) { storetest.BenchSplitFilter(b, MustOpen, 1_000_000) }

// TestConcurrentMigrate opens one fresh database from several goroutines at
// once, as servers starting together do: the advisory lock lets one migrate.
func TestConcurrentMigrate(t *testing.T) {
	dsn := pgtest.DSN(t)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			s, err := postgres.Open(t.Context(), dsn)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) { storetest.NewerSchema(t, reopener(t)) }

func TestOpenRefusesUnknownSchema(t *testing.T) { storetest.UnknownSchema(t, reopener(t)) }

func TestSlugMigration(t *testing.T) { storetest.SlugMigration(t, reopener(t)) }

// reopener opens a store on one new database each time.
func reopener(t *testing.T) storetest.Reopener {
	dsn := pgtest.DSN(t)
	return func() (strata.Store, *sql.DB, error) {
		s, err := postgres.Open(t.Context(), dsn)
		if err != nil {
			return nil, nil, err
		}
		return s, s.DB, nil
	}
}

// TestMarkUnavailable: errors that say the database cannot be reached now
// are marked strata.ErrUnavailable (503, try again); others are not.
func TestMarkUnavailable(t *testing.T) {
	s := open(t)
	unavailable := func(what string, err error, want bool) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		if got := errors.Is(s.MarkUnavailable(err), strata.ErrUnavailable); got != want {
			t.Errorf("%s: %v marked unavailable = %v, want %v", what, err, got, want)
		}
	}
	// Nothing listens on the port.
	down, err := sql.Open("pgx", "postgres://strata@127.0.0.1:1/strata?connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	unavailable("refused connection", down.PingContext(t.Context()), true)
	// The server ends a connection under a statement (as when it shuts
	// down): 57P01.
	conn, err := s.DB.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var pid int
	if err := conn.QueryRowContext(t.Context(), `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	slept := make(chan error, 1)
	go func() {
		_, err := conn.ExecContext(t.Context(), `SELECT pg_sleep(60)`)
		slept <- err
	}()
	for {
		var active bool
		if err := s.DB.QueryRowContext(t.Context(), `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE '%pg_sleep%')`, pid).Scan(&active); err != nil {
			t.Fatal(err)
		}
		if active {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := s.DB.ExecContext(t.Context(), `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	unavailable("terminated connection", <-slept, true)
	// A statement the database refused is the request's fault, or ours.
	_, err = s.DB.ExecContext(t.Context(), `SELECT 1/0`)
	unavailable("division by zero", err, false)
	_, err = s.CreateDataset(t.Context(), strata.Actor{ProjectID: "not a project"}, strata.DatasetCreate{Name: "x"})
	unavailable("a strata error", err, false)
}

// blockingSource is an import's file whose first record waits for release:
// an import that holds its dataset's lock as long as the test wants.
type blockingSource struct {
	started chan struct{}
	release chan struct{}
	sent    bool
}

func (b *blockingSource) Next() (strata.ItemInput, error) {
	if b.sent {
		return strata.ItemInput{}, io.EOF
	}
	close(b.started)
	<-b.release
	b.sent = true
	return strata.ItemInput{Input: "slow"}, nil
}

// Writes queued behind one dataset's long write wait in the server, not on
// the dataset's row lock with a connection each: a server whose pool they
// would fill still writes and reads the other datasets meanwhile.
func TestQueuedWritesKeepConnectionsFree(t *testing.T) {
	s := open(t)
	const pool = 4
	s.DB.SetMaxOpenConns(pool)
	ctx := t.Context()
	_, secret, err := s.CreateKey(ctx, strata.KeyCreate{ProjectName: "p", Role: strata.RoleOwner, UserName: "Ada", UserEmail: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Authenticate(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	a := p.Actor()
	busy, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: "busy"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	src := &blockingSource{started: make(chan struct{}), release: make(chan struct{})}
	imported := make(chan error, 1)
	go func() {
		_, err := s.ImportItems(ctx, a, busy.ID, src, strata.WriteOptions{})
		imported <- err
	}()
	<-src.started
	// Twice the pool's writes queue behind the import, each naming the
	// dataset in a case of its own (the pages pass ids as they come).
	queued := make(chan error, 2*pool)
	for i := range 2 * pool {
		id := []byte(busy.ID)
		for j, n := 0, 0; j < len(id); j++ {
			if id[j] >= 'a' && id[j] <= 'f' {
				if i>>n&1 == 1 {
					id[j] -= 'a' - 'A'
				}
				n++
			}
		}
		go func() {
			_, err := s.CreateItem(ctx, a, string(id), strata.ItemInput{Input: "queued"}, strata.WriteOptions{})
			queued <- err
		}()
	}
	// The other dataset is written and read while they wait. Without the
	// server's queue, they hold every connection until the import ends,
	// which waits for this: the deadline would pass.
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := s.CreateItem(wctx, a, other.ID, strata.ItemInput{Input: "meanwhile"}, strata.WriteOptions{}); err != nil {
		t.Fatalf("a write of another dataset during the import: %v", err)
	}
	if _, err := s.FindDataset(wctx, a.ProjectID, other.ID); err != nil {
		t.Fatalf("a read of another dataset during the import: %v", err)
	}
	close(src.release)
	if err := <-imported; err != nil {
		t.Fatal(err)
	}
	for range 2 * pool {
		if err := <-queued; err != nil {
			t.Fatal(err)
		}
	}
	d, err := s.FindDataset(ctx, a.ProjectID, busy.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.ItemCount != 1+2*pool {
		t.Fatalf("%d items, want %d", d.ItemCount, 1+2*pool)
	}
}
