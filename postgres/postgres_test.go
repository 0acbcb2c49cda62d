package postgres_test

import (
	"os"
	"testing"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/internal/pgtest"
	"github.com/strata-eval/strata/postgres"
	"github.com/strata-eval/strata/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// MustOpen opens a store on a new database of the test cluster.
func MustOpen(tb testing.TB) strata.Store {
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
