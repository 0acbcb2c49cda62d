package sqlstore_test

import "bytes"
import "context"
import "fmt"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/sqlstore"
import "github.com/strata-eval/strata/internal/testkit"

// TestBackfillContentHashes checks that the migration computes, for data
// written before content hashes existed, the hashes the store would have
// kept: it erases them from a history of edits, deletes and restores, and
// expects the backfill to write them back.
func TestBackfillContentHashes(t *testing.T) {
	ctx := context.Background()
	s := testkit.SQLite(t)
	a := testkit.Owner(t, s, "p")
	skip := strata.WriteOptions{SkipVersion: true}
	for n := range 2 {
		d, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: fmt.Sprint("d", n)})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for i := range 5 {
			it, err := s.CreateItem(ctx, a, d.ID, strata.ItemInput{Input: fmt.Sprint(i)}, skip)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, it.ID)
		}
		s.CreateVersion(ctx, a, d.ID, strata.VersionCreate{})
		s.UpdateItem(ctx, a, d.ID, ids[0], strata.ItemUpdate{SetOutput: true, Output: new("o")}, strata.WriteOptions{})
		s.DeleteItem(ctx, a, d.ID, ids[1], strata.WriteOptions{})
		s.RestoreVersion(ctx, a, d.ID, "2")
		s.UpdateItem(ctx, a, d.ID, ids[2], strata.ItemUpdate{Input: new("x")}, skip) // working only
	}

	read := func() string {
		var b bytes.Buffer
		for _, q := range []string{`SELECT id, content_hash FROM datasets ORDER BY id`,
			`SELECT dataset_id || ':' || number, content_hash FROM versions ORDER BY dataset_id, number`} {
			rows, err := s.DB.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var name string
				var h []byte
				rows.Scan(&name, &h)
				fmt.Fprintf(&b, "%s %x\n", name, h)
			}
			rows.Close()
		}
		return b.String()
	}
	kept := read()
	if _, err := s.DB.Exec(`UPDATE datasets SET content_hash = X''; UPDATE versions SET content_hash = X''`); err != nil {
		t.Fatal(err)
	}
	if read() == kept {
		t.Fatal("hashes not erased")
	}
	tx, err := s.DB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlstore.BackfillContentHashes(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != kept {
		t.Fatalf("backfilled:\n%s\nkept:\n%s", got, kept)
	}
}
