package postgres_test

import (
	"fmt"
	"testing"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/internal/pgtest"
	"github.com/strata-eval/strata/internal/testkit"
	"github.com/strata-eval/strata/postgres"
)

// A large import leaves the revisions table with statistics that know of
// its rows: without them the planner read a whole dataset to serve a page.
func TestLargeImportAnalyzes(t *testing.T) {
	s, err := postgres.Open(t.Context(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	a := testkit.Owner(t, s, "p")
	d, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: "big"})
	if err != nil {
		t.Fatal(err)
	}
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
	if _, err := s.ImportItems(ctx, a, d.ID, &src, strata.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := reltuples(); n < 5_000 {
		t.Errorf("reltuples %v after importing 10,000 items, want the table analyzed", n)
	}
}
