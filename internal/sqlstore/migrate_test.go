package sqlstore_test

import "database/sql"
import "path/filepath"
import "testing"
import "testing/fstest"

import _ "modernc.org/sqlite"

import "github.com/strata-eval/strata/internal/sqlstore"

// TestMigrateFillsGaps: migrations numbered with gaps apply in order, and a
// lower number added later (another line of work merged) is applied too.
func TestMigrateFillsGaps(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files := fstest.MapFS{
		"0001_a.sql": {Data: []byte(`CREATE TABLE log (n INTEGER);`)},
		"0003_c.sql": {Data: []byte(`INSERT INTO log VALUES (3);`)},
	}
	migrate := func() {
		t.Helper()
		ms, err := sqlstore.LoadMigrations(files)
		if err != nil {
			t.Fatal(err)
		}
		if err := sqlstore.Migrate(t.Context(), db, ms, ""); err != nil {
			t.Fatal(err)
		}
	}
	migrate()
	files["0002_b.sql"] = &fstest.MapFile{Data: []byte(`INSERT INTO log VALUES (2);`)}
	migrate()
	migrate() // nothing left: applies nothing twice
	var got string
	if err := db.QueryRow(`SELECT group_concat(n, ',') FROM log`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "3,2"; got != want {
		t.Fatalf("applied %q, want %q", got, want)
	}
}

func TestLoadMigrationsRefusesDuplicateNumbers(t *testing.T) {
	_, err := sqlstore.LoadMigrations(fstest.MapFS{
		"0001_a.sql": {Data: []byte(`SELECT 1;`)},
		"0001_b.sql": {Data: []byte(`SELECT 1;`)},
	})
	if err == nil {
		t.Fatal("LoadMigrations accepted two migrations numbered 1")
	}
}
