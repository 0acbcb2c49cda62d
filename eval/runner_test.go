package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/internal/testkit"
)

// TestRunPages: a run reads and scores its items a page at a time, pages
// bounded by bytes, and still scores and writes every item.
func TestRunPages(t *testing.T) {
	ctx := context.Background()
	s := testkit.SQLite(t)
	a := testkit.Owner(t, s, "p")
	d, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: "pages"})
	if err != nil {
		t.Fatal(err)
	}
	const items, size, pageBytes = 40, 10 << 10, 64 << 10
	for i := range items {
		out := fmt.Sprintf(`{"n":%d}`, i)
		in := strata.ItemInput{Input: strings.Repeat("x", size), Output: &out}
		if _, err := s.CreateItem(ctx, a, d.ID, in, strata.WriteOptions{SkipVersion: true}); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := s.CreateEvaluator(ctx, a, strata.EvaluatorCreate{Name: "shape", Slug: "shape", Type: "json", Mode: "normal",
		Params: json.RawMessage(`{}`), Filters: json.RawMessage(`[]`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachEvaluator(ctx, a, d.ID, strata.EvaluatorAttach{EvaluatorID: ev.ID}); err != nil {
		t.Fatal(err)
	}

	var pages []int
	// The runner is given only what it uses of the store.
	r := &Runner{Store: struct{ Store }{s}, LLM: &Client{}, PageBytes: pageBytes, onPage: func(n int) { pages = append(pages, n) }}
	res, err := r.Run(ctx, a, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.UpdatedItemCount; got != items {
		t.Fatalf("updated %d items, want %d", got, items)
	}
	total, most := 0, 0
	for _, n := range pages {
		total, most = total+n, max(most, n)
	}
	// A page stops at the item that reaches its bytes.
	if want := pageBytes/size + 1; most > want {
		t.Fatalf("pages %v: one held %d items, want at most %d", pages, most, want)
	}
	if total != items {
		t.Fatalf("pages %v hold %d items, want %d", pages, total, items)
	}
}
