package sqlite_test

import (
	"path/filepath"
	"strings"
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

// BenchmarkSplitFilter reads a page of 100 items by split from a version
// of 1,000,000 items (BENCHMARKS.md).
func BenchmarkSplitFilter(b *testing.B) { storetest.BenchSplitFilter(b, MustOpen, 1_000_000) }

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "strata.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = sqlite.Open(t.Context(), path)
	if err == nil || !strings.Contains(err.Error(), "newer than this strata knows") {
		t.Fatalf("Open = %v, want a refusal", err)
	}
}

func TestSlugMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "strata.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.SlugMigration(t, s, s.DB, func() strata.Store {
		s, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
