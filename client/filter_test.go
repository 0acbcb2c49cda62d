package client_test

import "encoding/json"
import "net/http"
import "slices"
import "strings"
import "testing"

import "github.com/strata-eval/strata/client"

// filtered is a dataset whose version 1 is empty and whose version 2 holds
// these items (input: splits, metadata, external id):
//
//	a: test,  lang en, externalId a
//	b: train, lang fr
//	c: test,  lang fr
//	d: test,  lang en
const filteredItems = `{"input":"a","splits":["test"],"metadata":{"lang":"en"},"externalId":"a"}
{"input":"b","splits":["train"],"metadata":{"lang":"fr"}}
{"input":"c","splits":["test"],"metadata":{"lang":"fr"}}
{"input":"d","splits":["test"],"metadata":{"lang":"en"}}
`

// filterCases are filters and the inputs of the items they select.
var filterCases = []struct {
	name   string
	filter client.ItemFilter
	want   string
}{
	{"Split", client.ItemFilter{Splits: []string{"test"}}, "a,c,d"},
	{"AnySplit", client.ItemFilter{Splits: []string{"train", "nope"}}, "b"},
	{"Metadata", client.ItemFilter{Metadata: map[string]string{"lang": "fr"}}, "b,c"},
	{"ExternalID", client.ItemFilter{ExternalID: "a"}, "a"},
	{"AllOf", client.ItemFilter{Splits: []string{"test"}, Metadata: map[string]string{"lang": "en"}}, "a,d"},
	{"None", client.ItemFilter{}, "a,b,c,d"},
}

func newFilteredDataset(t *testing.T, c *client.Client) string {
	t.Helper()
	id := newDataset(t, c, "filtered")
	if _, err := c.Import(t.Context(), id, client.FormatJSONL, strings.NewReader(filteredItems), client.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return id
}

// inputs collects the inputs a sequence yields, in order.
func inputs[T any](t *testing.T, seq func(yield func(T, error) bool), input func(T) string) string {
	t.Helper()
	var got []string
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, input(v))
	}
	return strings.Join(got, ",")
}

func TestItemsFilter(t *testing.T) {
	c := newServer(t)
	id := newFilteredDataset(t, c)
	for _, tc := range filterCases {
		t.Run(tc.name, func(t *testing.T) {
			// A page of one: the filter goes with every page.
			seq := c.Items(t.Context(), id, client.PageOptions{Limit: 1, Filter: tc.filter})
			if got := inputs(t, seq, func(it client.Item) string { return it.Input }); got != tc.want {
				t.Fatalf("items = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestListItemsFilter(t *testing.T) {
	c := newServer(t)
	id := newFilteredDataset(t, c)
	page, err := c.ListItems(t.Context(), id, client.PageOptions{Filter: client.ItemFilter{Splits: []string{"train"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Input != "b" {
		t.Fatalf("page = %+v, want item b", page.Items)
	}
}

func TestVersionItemsFilter(t *testing.T) {
	c := newServer(t)
	id := newFilteredDataset(t, c)
	for _, tc := range filterCases {
		t.Run(tc.name, func(t *testing.T) {
			seq := c.VersionItems(t.Context(), id, "2", client.PageOptions{Limit: 1, Filter: tc.filter})
			if got := inputs(t, seq, func(it client.VersionItem) string { return it.Input }); got != tc.want {
				t.Fatalf("version items = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDiffFilter(t *testing.T) {
	c := newServer(t)
	id := newFilteredDataset(t, c)
	for _, tc := range filterCases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := c.Diff(t.Context(), id, "1", "2", client.DiffOptions{Filter: tc.filter})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := d.Counts.Added, strings.Count(tc.want, ",")+1; got != want {
				t.Errorf("added = %d, want %d", got, want)
			}
			seq := c.Changes(t.Context(), id, "1", "2", client.DiffOptions{Limit: 1, Filter: tc.filter})
			got := inputs(t, seq, func(ch client.Change) string { return ch.After.Input })
			if got != tc.want {
				t.Errorf("changes = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestItemsSearch(t *testing.T) {
	c := newServer(t)
	id := newFilteredDataset(t, c)
	seq := c.Items(t.Context(), id, client.PageOptions{Search: "C"})
	if got, want := inputs(t, seq, func(it client.Item) string { return it.Input }), "c"; got != want {
		t.Fatalf("items = %s, want %s", got, want)
	}
}

// cursorServer answers a list: for each cursor sent ("" for none), the page
// that follows it, and records the queries.
func cursorServer(t *testing.T, pages map[string]string) (*client.Client, *[]string) {
	t.Helper()
	var queries []string
	url := newHandlerServer(t, func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.RawQuery)
		page, ok := pages[r.URL.Query().Get("cursor")]
		if !ok {
			http.Error(w, `{"message":"unknown cursor"}`, http.StatusBadRequest)
			return
		}
		w.Write([]byte(page))
	})
	return client.New(url, "k"), &queries
}

// TestItemsGoOnAfterAnEmptyPage: a page filtered by metadata may hold no
// item and still have a next cursor (the server reads a bounded number of
// rows a page); the iteration goes on to the next page.
func TestItemsGoOnAfterAnEmptyPage(t *testing.T) {
	c, queries := cursorServer(t, map[string]string{
		"":   `{"items":[],"nextCursor":"c1"}`,
		"c1": `{"items":[{"id":"x","input":"found"}],"nextCursor":null}`,
	})
	seq := c.Items(t.Context(), "d", client.PageOptions{Filter: client.ItemFilter{Metadata: map[string]string{"lang": "en"}}})
	if got, want := inputs(t, seq, func(it client.Item) string { return it.Input }), "found"; got != want {
		t.Fatalf("items = %q, want %q", got, want)
	}
	for _, q := range *queries {
		if !strings.Contains(q, "metadata.lang=en") {
			t.Errorf("query %q lacks the filter", q)
		}
	}
}

// TestItemsStopAtACursorThatDoesNotMove: a next cursor equal to the one
// sent would read the same page for ever: the iteration ends with an error.
func TestItemsStopAtACursorThatDoesNotMove(t *testing.T) {
	c, queries := cursorServer(t, map[string]string{
		"":   `{"items":[{"id":"x","input":"a"}],"nextCursor":"c1"}`,
		"c1": `{"items":[],"nextCursor":"c1"}`,
	})
	var errs int
	for _, err := range c.Items(t.Context(), "d", client.PageOptions{}) {
		if err != nil {
			errs++
		}
	}
	if got, want := errs, 1; got != want {
		t.Fatalf("%d errors, want %d", got, want)
	}
	if got, want := len(*queries), 2; got != want {
		t.Fatalf("%d pages asked for, want %d", got, want)
	}
}

// TestItemFilterQuery: the filter's parameters as the API names them; a
// split given twice is two split parameters (any of them).
func TestItemFilterQuery(t *testing.T) {
	var got []string
	url := newHandlerServer(t, func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.RawQuery)
		json.NewEncoder(w).Encode(map[string]any{"items": []any{}, "nextCursor": nil, "counts": map[string]int{}})
	})
	c := client.New(url, "k")
	f := client.ItemFilter{Splits: []string{"test", "dev"}, Metadata: map[string]string{"lang": "en"}, ExternalID: "faq-7"}
	if _, err := c.ListVersionItems(t.Context(), "d", "latest", client.PageOptions{Limit: 5, Filter: f}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Diff(t.Context(), "d", "1", "2", client.DiffOptions{Filter: f}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"externalId=faq-7&limit=5&metadata.lang=en&split=test&split=dev",
		"externalId=faq-7&from=1&metadata.lang=en&split=test&split=dev&to=2",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("queries %q, want %q", got, want)
	}
}
