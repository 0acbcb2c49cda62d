package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/sqlite"
	"github.com/strata-eval/strata/storetest"
)

// MustOpen opens a store on a new database in a temporary directory.
func MustOpen(tb testing.TB) strata.Store {
	tb.Helper()
	s, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "strata.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, MustOpen) }

func BenchmarkStore(b *testing.B) { storetest.Bench(b, MustOpen) }
