package sqlite_test

import "context"
import "database/sql"
import "errors"
import "path/filepath"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/testkit"
import "github.com/strata-eval/strata/sqlite"
import "github.com/strata-eval/strata/storetest"

// MustOpen opens a store on a new database in a temporary directory.
func MustOpen(tb testing.TB) strata.Store { return testkit.SQLite(tb) }

func TestConformance(t *testing.T) { storetest.Run(t, MustOpen) }

func BenchmarkStore(b *testing.B) { storetest.Bench(b, MustOpen) }

// BenchmarkSplitFilter reads a page of 100 items by split from a version
// of 1,000,000 items (BENCHMARKS.md).
func BenchmarkSplitFilter(b *testing.B) { storetest.BenchSplitFilter(b, MustOpen, 1_000_000) }

func TestOpenRefusesNewerSchema(t *testing.T) { storetest.NewerSchema(t, reopener(t)) }

func TestOpenRefusesUnknownSchema(t *testing.T) { storetest.UnknownSchema(t, reopener(t)) }

func TestSlugMigration(t *testing.T) { storetest.SlugMigration(t, reopener(t)) }

// reopener opens a store on one new database file each time.
func reopener(t *testing.T) storetest.Reopener {
	path := filepath.Join(t.TempDir(), "strata.db")
	return func() (strata.Store, *sql.DB, error) {
		s, err := sqlite.Open(t.Context(), path)
		if err != nil {
			return nil, nil, err
		}
		return s, s.DB, nil
	}
}

// TestMarkUnavailable: a database another process keeps locked is
// unavailable for now (503, try again); a statement's own error is not.
func TestMarkUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "strata.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tx, err := s.DB.BeginTx(t.Context(), nil) // BEGIN IMMEDIATE: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.ExecContext(t.Context(), `DELETE FROM idempotency_keys`)
	if err == nil || !errors.Is(s.MarkUnavailable(err), strata.ErrUnavailable) {
		t.Fatalf("locked database: %v, not marked unavailable", err)
	}
	_, err = other.ExecContext(t.Context(), `SELECT * FROM no_such_table`)
	if err == nil || errors.Is(s.MarkUnavailable(err), strata.ErrUnavailable) {
		t.Fatalf("missing table: %v, marked unavailable", err)
	}
}

// A database that cannot be created is named once in the error.
func TestOpenNamesAMissingDirectoryOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "strata.db")
	_, err := sqlite.Open(context.Background(), path)
	if err == nil || strings.Count(err.Error(), path) != 1 {
		t.Fatalf("Open = %v, want one mention of %s", err, path)
	}
}
