package postgres_test

import (
	"fmt"
	"testing"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/internal/pgtest"
	"github.com/strata-eval/strata/internal/testkit"
	"github.com/strata-eval/strata/postgres"
)

// An import writes its revisions with COPY, in batches; a single write
// does not. (storetest's ImportBulk checks what COPY stores.)
func TestImportUsesCopy(t *testing.T) {
	s, err := postgres.Open(t.Context(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	a := testkit.Owner(t, s, "p")
	d, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: "d"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateItem(ctx, a, d.ID, strata.ItemInput{Input: "one"}, strata.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := s.CopiedRows(); n != 0 {
		t.Fatalf("a single item was copied (%d rows)", n)
	}
	src := make(strata.ItemSlice, 12_345)
	for i := range src {
		src[i] = strata.ItemInput{Input: fmt.Sprint(i)}
	}
	if _, err := s.ImportItems(ctx, a, d.ID, &src, strata.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := s.CopiedRows(); n != 12_345 {
		t.Fatalf("copied %d rows of an import of 12,345", n)
	}
}
