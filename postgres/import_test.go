package postgres_test

import "fmt"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/testkit"
import "github.com/strata-eval/strata/postgres"

// What PostgreSQL's store adds to an import: COPY for its rows (copy.go) and
// fresh planner statistics after a large one (analyze.go).

// importTarget opens a store on a new database with one dataset to import
// into, and returns the store, the dataset's owner and its id.
func importTarget(t *testing.T) (*postgres.Store, strata.Actor, string) {
	t.Helper()
	s := open(t)
	a := testkit.Owner(t, s, "p")
	d := testkit.Dataset(t, s, a, "d")
	return s, a, d.ID
}

// An import writes its revisions with COPY, in batches; a single write
// does not. (storetest's ImportBulk checks what COPY stores.)
func TestImportUsesCopy(t *testing.T) {
	s, a, id := importTarget(t)
	ctx := t.Context()
	if _, err := s.CreateItem(ctx, a, id, strata.ItemInput{Input: "one"}, strata.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := s.CopiedRows(); n != 0 {
		t.Fatalf("a single item was copied (%d rows)", n)
	}
	src := make(strata.ItemSlice, 12_345)
	for i := range src {
		src[i] = strata.ItemInput{Input: fmt.Sprint(i)}
	}
	if _, err := s.ImportItems(ctx, a, id, &src, strata.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := s.CopiedRows(); n != 12_345 {
		t.Fatalf("copied %d rows of an import of 12,345", n)
	}
}

// A large import leaves the revisions table with statistics that know of
// its rows: without them the planner read a whole dataset to serve a page.
func TestLargeImportAnalyzes(t *testing.T) {
	s, a, id := importTarget(t)
	reltuples := func() float64 {
		var n float64
		if err := s.DB.QueryRow(`SELECT reltuples FROM pg_class WHERE oid = 'revisions'::regclass`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := reltuples(); n > 0 {
		t.Fatalf("reltuples %v before any import", n)
	}
	src := make(strata.ItemSlice, 10_000)
	for i := range src {
		src[i] = strata.ItemInput{Input: fmt.Sprintf("question %d", i)}
	}
	if _, err := s.ImportItems(t.Context(), a, id, &src, strata.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := reltuples(); n < 5_000 {
		t.Errorf("reltuples %v after importing 10,000 items, want the table analyzed", n)
	}
}
