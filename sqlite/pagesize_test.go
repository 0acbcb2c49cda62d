package sqlite_test

import "database/sql"
import "path/filepath"
import "testing"

import "github.com/strata-eval/strata/sqlite"

// A database Open creates has 8 KiB pages; one that exists keeps its own,
// and opens and migrates as before.
func TestPageSize(t *testing.T) {
	pageSize := func(t *testing.T, db *sql.DB) int {
		t.Helper()
		var n int
		if err := db.QueryRowContext(t.Context(), `PRAGMA page_size`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Run("New", func(t *testing.T) {
		s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "new.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if n := pageSize(t, s.DB); n != 8192 {
			t.Fatalf("page_size %d, want 8192", n)
		}
	})
	t.Run("Existing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "old.db")
		// A database made by a build that left SQLite's default.
		old, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := old.ExecContext(t.Context(), `PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE before_strata (x)`); err != nil {
			t.Fatal(err)
		}
		old.Close()
		s, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if n := pageSize(t, s.DB); n != 4096 {
			t.Fatalf("page_size %d, want the file's 4096", n)
		}
		if len(s.Migrated) == 0 {
			t.Fatal("no migration applied to the existing file")
		}
	})
}
