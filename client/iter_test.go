package client_test

import "encoding/json"
import "fmt"
import "net/http"
import "strings"
import "sync"
import "testing"

import "github.com/strata-eval/strata/client"
import "github.com/strata-eval/strata/internal/openapitest"

// TestIterators: Items, VersionItems and Changes yield every element, a page
// at a time, and stop where the loop breaks.
func TestIterators(t *testing.T) {
	ctx := t.Context()
	c := newServer(t)
	d, err := c.CreateDataset(ctx, client.DatasetInput{Name: "iterated"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 53
	var lines strings.Builder
	for i := range n {
		fmt.Fprintf(&lines, `{"input":"item %d"}`+"\n", i)
	}
	if _, err := c.Import(ctx, d.ID, client.FormatJSONL, strings.NewReader(lines.String()), client.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Run("Items", func(t *testing.T) {
		seen := map[string]bool{}
		for it, err := range c.Items(ctx, d.ID, client.PageOptions{Limit: 10}) {
			if err != nil {
				t.Fatal(err)
			}
			seen[it.ID] = true
		}
		if len(seen) != n {
			t.Fatalf("%d items, want %d", len(seen), n)
		}
	})
	t.Run("RangedTwice", func(t *testing.T) {
		// Each range starts over: the same elements again.
		items := c.Items(ctx, d.ID, client.PageOptions{Limit: 10})
		versionItems := c.VersionItems(ctx, d.ID, "latest", client.PageOptions{Limit: 10})
		changes := c.Changes(ctx, d.ID, "1", "latest", client.DiffOptions{Limit: 10})
		for pass := range 2 {
			var a, b, ch int
			for _, err := range items {
				if err != nil {
					t.Fatal(err)
				}
				a++
			}
			for _, err := range versionItems {
				if err != nil {
					t.Fatal(err)
				}
				b++
			}
			for _, err := range changes {
				if err != nil {
					t.Fatal(err)
				}
				ch++
			}
			if a != n || b != n || ch != n {
				t.Fatalf("pass %d: %d items, %d version items, %d changes; want %d each", pass+1, a, b, ch, n)
			}
		}
	})
	t.Run("ItemsDefaultPage", func(t *testing.T) {
		count := 0
		for _, err := range c.Items(ctx, d.ID, client.PageOptions{}) {
			if err != nil {
				t.Fatal(err)
			}
			count++
		}
		if count != n {
			t.Fatalf("%d items, want %d", count, n)
		}
	})
	t.Run("Break", func(t *testing.T) {
		count := 0
		for _, err := range c.Items(ctx, d.ID, client.PageOptions{Limit: 5}) {
			if err != nil {
				t.Fatal(err)
			}
			if count++; count == 7 {
				break
			}
		}
		if count != 7 {
			t.Fatalf("%d items, want 7", count)
		}
	})
	t.Run("VersionItemsOfAMovingRef", func(t *testing.T) {
		count := 0
		for _, err := range c.VersionItems(ctx, d.ID, "latest", client.PageOptions{Limit: 10}) {
			if err != nil {
				t.Fatal(err)
			}
			if count++; count == 5 {
				// "latest" moves to a version of n+1 items: the
				// iteration goes on with the version it started.
				if _, err := c.CreateItem(ctx, d.ID, client.ItemInput{Input: "later"}, client.WriteOptions{}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if count != n {
			t.Fatalf("%d items, want %d", count, n)
		}
	})
	t.Run("Changes", func(t *testing.T) {
		added := 0
		for ch, err := range c.Changes(ctx, d.ID, "1", "working", client.DiffOptions{Limit: 10}) {
			if err != nil {
				t.Fatal(err)
			}
			if ch.Change != "added" {
				t.Fatalf("change %+v, want added", ch)
			}
			added++
		}
		if added != n+1 {
			t.Fatalf("%d added, want %d", added, n+1)
		}
	})
	t.Run("ChangesOfAMovingRef", func(t *testing.T) {
		added := 0
		for _, err := range c.Changes(ctx, d.ID, "1", "latest", client.DiffOptions{Limit: 10}) {
			if err != nil {
				t.Fatal(err)
			}
			if added++; added == 5 {
				if _, err := c.CreateItem(ctx, d.ID, client.ItemInput{Input: "later still"}, client.WriteOptions{}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if added != n+1 {
			t.Fatalf("%d added, want %d (latest when the iteration started)", added, n+1)
		}
	})
	t.Run("ErrYieldedOnce", func(t *testing.T) {
		errs := 0
		for _, err := range c.Items(ctx, "00000000-0000-4000-8000-000000000000", client.PageOptions{}) {
			if !client.IsNotFound(err) {
				t.Fatalf("err = %v, want a 404", err)
			}
			errs++
		}
		if errs != 1 {
			t.Fatalf("%d errors, want 1", errs)
		}
	})
}

// pageRead calls after once, after the first read of a version's items.
type pageRead struct {
	base  http.RoundTripper
	once  sync.Once
	after func()
}

func (p *pageRead) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := p.base.RoundTrip(req)
	if err == nil && strings.Contains(req.URL.Path, "/versions/") && strings.HasSuffix(req.URL.Path, "/items") {
		p.once.Do(p.after)
	}
	return res, err
}

// TestVersionItemsOfAMovingRefFromAnEmptyPage: a ref is read as the version
// it named at the start even when the first page, filtered by metadata, is
// empty (it read its bound of rows and matched none) and has a next page:
// an item of a version made meanwhile is not yielded.
func TestVersionItemsOfAMovingRefFromAnEmptyPage(t *testing.T) {
	ctx := t.Context()
	srv, key := newAPIServer(t)
	writer := client.New(srv.URL, key)
	id := newDataset(t, writer, "beyond a page's rows")
	// More rows than a filtered page reads (20,000) before the one match.
	var lines strings.Builder
	for i := range 20_000 {
		fmt.Fprintf(&lines, `{"input":"other %d"}`+"\n", i)
	}
	lines.WriteString(`{"input":"match","metadata":{"lang":"en"}}` + "\n")
	if _, err := writer.Import(ctx, id, client.FormatJSONL, strings.NewReader(lines.String()), client.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	filter := client.PageOptions{Limit: 10, Filter: client.ItemFilter{Metadata: map[string]string{"lang": "en"}}}
	first, err := writer.ListVersionItems(ctx, id, "latest", filter)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Items) != 0 || first.NextCursor == nil {
		t.Fatalf("first page: %d items, next cursor %v; want none and a cursor (the case under test)", len(first.Items), first.NextCursor)
	}

	c := client.New(srv.URL, key)
	c.HTTP = &http.Client{Transport: &pageRead{base: openapitest.Transport(t, nil, srv.URL), after: func() {
		// "latest" moves to a version with one more match.
		later := json.RawMessage(`{"lang":"en"}`)
		if _, err := writer.CreateItem(ctx, id, client.ItemInput{Input: "later", Metadata: later}, client.WriteOptions{}); err != nil {
			t.Error(err)
		}
	}}}
	got := inputs(t, c.VersionItems(ctx, id, "latest", filter), func(it client.VersionItem) string { return it.Input })
	if want := "match"; got != want {
		t.Fatalf("items %q, want %q (those of latest when the iteration started)", got, want)
	}
}
