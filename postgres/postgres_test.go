package postgres_test

import "database/sql"
import "os"
import "testing"

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
