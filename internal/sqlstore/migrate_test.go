package sqlstore_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"testing/fstest"

	_ "modernc.org/sqlite"

	"github.com/strata-eval/strata/internal/sqlstore"
)

// TestMigrateFillsGaps: migration numbers may have gaps, and a database
// applies every migration it lacks, also one numbered below its newest.
func TestMigrateFillsGaps(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files := fstest.MapFS{
		"0001_a.sql": {Data: []byte(`CREATE TABLE a (x INTEGER)`)},
		"0003_c.sql": {Data: []byte(`CREATE TABLE c (x INTEGER)`)},
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
	files["0002_b.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE b (x INTEGER)`)}
	migrate()
	for _, table := range []string{"a", "b", "c"} {
		if _, err := db.Exec(`INSERT INTO ` + table + ` VALUES (1)`); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
	files["0002_d.sql"] = &fstest.MapFile{Data: []byte(`SELECT 1`)}
	if _, err := sqlstore.LoadMigrations(files); err == nil {
		t.Error("two migrations numbered 2 were loaded")
	}
}
