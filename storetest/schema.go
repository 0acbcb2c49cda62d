package storetest

import "database/sql"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

// Reopener opens a store on one and the same database each time it is
// called, with the database/sql handle it uses.
type Reopener func() (strata.Store, *sql.DB, error)

// NewerSchema: a store refuses to open a database that a newer strata
// migrated, rather than run on a schema it does not know.
func NewerSchema(t *testing.T, open Reopener) {
	s, db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, _, err := open(); err == nil || !strings.Contains(err.Error(), "newer than this strata knows") {
		if err == nil {
			s.Close()
		}
		t.Fatalf("open = %v, want a refusal", err)
	}
}

// reopen is open for a test: it fails the test on an error.
func reopen(t *testing.T, open Reopener) strata.Store {
	t.Helper()
	s, _, err := open()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
