package sqlstore_test

import "context"
import "fmt"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/testkit"

// panickingSource yields n items, then panics.
type panickingSource struct{ n int }

func (s *panickingSource) Next() (strata.ItemInput, error) {
	if s.n == 0 {
		panic("the source broke")
	}
	s.n--
	return strata.ItemInput{Input: "an item"}, nil
}

// A source that panics while the import reads it ahead panics the import,
// in the importer's goroutine (where a request's handler recovers it), not
// the process; nothing is written, and the store writes on.
func TestImportSourcePanics(t *testing.T) {
	ctx := context.Background()
	s := testkit.SQLite(t)
	a := testkit.Owner(t, s, "p")
	d := testkit.Dataset(t, s, a, "d")
	var recovered any
	var err error
	func() {
		defer func() { recovered = recover() }()
		_, err = s.ImportItems(ctx, a, d.ID, &panickingSource{n: 3000}, strata.WriteOptions{})
	}()
	if !strings.Contains(fmt.Sprint(recovered), "the source broke") {
		t.Fatalf("import: recovered %v, err %v; want the source's panic", recovered, err)
	}
	if got, err := s.FindDataset(ctx, a.ProjectID, d.ID); err != nil || got.ItemCount != 0 || got.CurrentVersionNumber != d.CurrentVersionNumber {
		t.Fatalf("after the panic: %+v, %v; want the dataset as it was", got, err)
	}
	if n, err := s.ImportItems(ctx, a, d.ID, &strata.ItemSlice{{Input: "after"}}, strata.WriteOptions{}); n != 1 || err != nil {
		t.Fatalf("import after the panic: %d, %v", n, err)
	}
}
