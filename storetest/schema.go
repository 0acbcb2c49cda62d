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

// UnknownSchema: a store refuses a database with a migration it does not
// know but older than its newest (a number in a gap of its own), and does
// not call it newer.
func UnknownSchema(t *testing.T, open Reopener) {
	s, db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	gap := 0
	if err := db.QueryRow(`SELECT COALESCE(MIN(m.version + 1), 0) FROM schema_migrations m
		WHERE NOT EXISTS (SELECT 1 FROM schema_migrations n WHERE n.version = m.version + 1)
		AND m.version < (SELECT MAX(version) FROM schema_migrations)`).Scan(&gap); err != nil {
		t.Fatal(err)
	}
	if gap == 0 {
		s.Close()
		t.Skip("this build's migrations have no gap")
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'other', 0)`, gap); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, _, err := open(); err == nil || !strings.Contains(err.Error(), "which this strata does not know") {
		if err == nil {
			s.Close()
		}
		t.Fatalf("open with unknown migration %d = %v, want a refusal that does not call it newer", gap, err)
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
