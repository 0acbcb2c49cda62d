package api_test

import "fmt"
import "net/http"
import "slices"
import "strings"
import "testing"

import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/wire"

// filterFixture is a dataset of four items with splits, metadata and
// external ids, at version 2.
func filterFixture(t *testing.T, ts *testServer) string {
	t.Helper()
	id := ts.createDataset(t, "filters")
	ts.importJSONL(t, id, []string{
		`{"input":"a","splits":["train"],"metadata":{"lang":"en","turns":3}}`,
		`{"input":"b","splits":["test"],"metadata":{"lang":"fr"},"externalId":"B"}`,
		`{"input":"c","splits":["test","train"],"metadata":{"lang":"en"}}`,
		`{"input":"d"}`,
	})
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, "{}"), http.StatusCreated)
	return id
}

func TestItemFilters(t *testing.T) {
	ts := newEvalServer(t, nil)
	id := filterFixture(t, ts)
	base := datasetsPath + "/" + id
	for _, c := range []struct {
		name, query string
		want        []string
	}{
		{"Split", "split=test", []string{"b", "c"}},
		{"AnySplit", "split=test&split=train", []string{"a", "b", "c"}},
		{"Metadata", "metadata.lang=en", []string{"a", "c"}},
		{"MetadataNumber", "metadata.turns=3", []string{"a"}},
		{"AllOf", "split=test&metadata.lang=en", []string{"c"}},
		{"ExternalID", "externalId=B", []string{"b"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			lists := map[string]func() []any{
				"items": func() []any {
					return asAny(ts.do(t, "GET", base+"/items?"+c.query, ts.owner, "").array(t))
				},
				"itemsPage": func() []any {
					return ts.do(t, "GET", base+"/items?limit=10&"+c.query, ts.owner, "").object(t)["items"].([]any)
				},
				"versionItems": func() []any {
					return asAny(ts.do(t, "GET", base+"/versions/latest/items?"+c.query, ts.owner, "").array(t))
				},
				"versionItemsPage": func() []any {
					return ts.do(t, "GET", base+"/versions/2/items?limit=1&"+c.query, ts.owner, "").object(t)["items"].([]any)
				},
				"version": func() []any {
					return ts.do(t, "GET", base+"/versions/2?"+c.query, ts.owner, "").object(t)["items"].([]any)
				},
			}
			for name, list := range lists {
				want := c.want
				if name == "versionItemsPage" {
					want = want[:1]
				}
				if got := inputs(list()); !slices.Equal(got, want) {
					t.Errorf("%s: %q, want %q", name, got, want)
				}
			}
			r := ts.do(t, "GET", base+"/versions/2/export?format=jsonl&"+c.query, ts.owner, "")
			wantStatus(t, r, http.StatusOK)
			if got := strings.Count(string(r.Body), "\n"); got != len(c.want) {
				t.Errorf("export: %d lines, want %d", got, len(c.want))
			}
		})
	}
	t.Run("PageCursor", func(t *testing.T) {
		first := ts.do(t, "GET", base+"/items?limit=1&metadata.lang=en", ts.owner, "").object(t)
		cursor := first["nextCursor"].(string)
		second := ts.do(t, "GET", base+"/items?limit=1&metadata.lang=en&cursor="+cursor, ts.owner, "").object(t)
		if got := inputs(second["items"].([]any)); !slices.Equal(got, []string{"c"}) || second["nextCursor"] != nil {
			t.Fatalf("second page %q, next %v", got, second["nextCursor"])
		}
	})
	t.Run("BoundedMetadataPage", func(t *testing.T) {
		// Reading at most 2 rows a page, the matches come a page at a time,
		// each page with a cursor to go on, until the version ends.
		defer api.SetMaxPageRead(2)()
		var got []string
		pages := 0
		for path := base + "/items?limit=10&metadata.lang=en"; path != ""; pages++ {
			page := ts.do(t, "GET", path, ts.owner, "").object(t)
			got = append(got, inputs(page["items"].([]any))...)
			path = ""
			if next, ok := page["nextCursor"].(string); ok {
				path = base + "/items?limit=10&metadata.lang=en&cursor=" + next
			}
			if pages > 5 {
				t.Fatal("the cursor does not move on")
			}
		}
		if !slices.Equal(got, []string{"a", "c"}) || pages < 2 {
			t.Fatalf("%d pages of %q, want [a c] over two pages or more", pages, got)
		}
	})
	t.Run("Diff", func(t *testing.T) {
		// Change a (train, en) and b (test, fr), then diff filtered by split.
		items := ts.dataset(t, id)["items"].([]any)
		for _, i := range []int{0, 1} {
			itemID := items[i].(map[string]any)["id"].(string)
			wantStatus(t, ts.do(t, "PATCH", base+"/items/"+itemID, ts.owner, `{"output":"changed"}`), http.StatusOK)
		}
		r := ts.do(t, "GET", base+"/diff?from=2&to=latest&split=train", ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		var diff struct {
			Counts  struct{ Added, Removed, Modified, Unchanged int }
			Changes []struct{ ItemID string }
		}
		r.decode(t, &diff)
		if got, want := fmt.Sprintf("%+v", diff.Counts), "{Added:0 Removed:0 Modified:1 Unchanged:1}"; got != want {
			t.Fatalf("filtered diff counts %s, want %s", got, want)
		}
		if len(diff.Changes) != 1 || diff.Changes[0].ItemID != items[0].(map[string]any)["id"] {
			t.Fatalf("filtered diff changes %+v", diff.Changes)
		}
	})
	t.Run("EvaluatorRun", func(t *testing.T) {
		wantStatus(t, ts.attach(t, id, ts.createEvaluator(t, "bleu", "bleu", `{}`), ""), http.StatusOK)
		r := ts.do(t, "POST", base+"/evaluators/run?split=test", ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		var res struct {
			Run struct {
				TotalItems int
				Filter     *string
			}
			Dataset struct{ Items []map[string]any }
		}
		r.decode(t, &res)
		if res.Run.TotalItems != 2 || res.Run.Filter == nil || *res.Run.Filter != "split=test" {
			t.Fatalf("run %+v", res.Run)
		}
		scored := 0
		for _, it := range res.Dataset.Items {
			if it["evaluatorResult1"] != nil {
				scored++
			}
		}
		if scored != 2 {
			t.Fatalf("%d items scored, want 2", scored)
		}
	})
	t.Run("AsyncEvaluatorRun", func(t *testing.T) {
		// The run says which items it is over from its first answer, not
		// only once it completes (a run that fails never does).
		r := ts.do(t, "POST", base+"/evaluators/run?split=test&async=true", ts.owner, "")
		wantStatus(t, r, http.StatusAccepted)
		var started struct{ Run wire.RunWithSlots }
		r.decode(t, &started)
		if got := started.Run.Filter; got == nil || *got != "split=test" {
			t.Fatalf("filter of the started run = %v, want split=test", got)
		}
		waitFor(t, "the run to complete", func() bool { return ts.getRun(t, id, started.Run.ID).Status != "running" })
		if got := ts.getRun(t, id, started.Run.ID).Filter; got == nil || *got != "split=test" {
			t.Fatalf("filter of the completed run = %v, want split=test", got)
		}
	})
	t.Run("BadFilter", func(t *testing.T) {
		wantValidation(t, ts.do(t, "GET", base+"/items?split=a%20b", ts.owner, ""),
			"Validation error: A split is 1 to 64 letters, digits, '-', '_' or '.'")
		wantValidation(t, ts.do(t, "GET", base+"/versions/1?metadata.=x", ts.owner, ""),
			"Validation error: a metadata filter names a key: metadata.KEY=VALUE")
		wantValidation(t, ts.do(t, "GET", base+"/diff?from=1&to=2&externalId=", ts.owner, ""),
			"Validation error: externalId is 1 to 255 printable characters")
		// Near misses, and filters on the read that takes none, would
		// answer every item.
		wantValidation(t, ts.do(t, "GET", base+"/items?metadata=x", ts.owner, ""),
			`Validation error: Unknown filter: a filter of items is metadata.KEY=VALUE at "metadata"`)
		wantValidation(t, ts.do(t, "GET", base+"/versions/1/items?limit=10&splits=test", ts.owner, ""),
			`Validation error: Unknown filter: a filter of items is split=NAME at "splits"`)
		for _, c := range []struct{ query, key, want string }{
			{"/versions/1/export?format=jsonl&externalid=x", "externalid", "externalId=ID"},
			{"/items?external_id=x", "external_id", "externalId=ID"},
			{"/items?limit=5&Split=test", "Split", "split=NAME"},
			{"/diff?from=1&to=2&metadata_lang=en", "metadata_lang", "metadata.KEY=VALUE"},
			{"/versions/1?Metadata.lang=en", "Metadata.lang", "metadata.KEY=VALUE"},
		} {
			wantValidation(t, ts.do(t, "GET", base+c.query, ts.owner, ""),
				`Validation error: Unknown filter: a filter of items is `+c.want+` at "`+c.key+`"`)
		}
		// search filters the paged reads; elsewhere it would be ignored.
		for _, q := range []string{"/versions/1/export?format=jsonl&search=x", "/diff?from=1&to=2&search=x", "/versions/1?search=x"} {
			wantValidation(t, ts.do(t, "GET", base+q, ts.owner, ""),
				`Validation error: search is not taken here: it filters the paged item reads (GET .../items); filter with split, metadata.KEY or externalId at "search"`)
		}
		wantStatus(t, ts.do(t, "GET", base+"/versions/1/items?limit=5&search=x", ts.owner, ""), http.StatusOK)
		wantValidation(t, ts.do(t, "GET", base+"?split=test", ts.owner, ""),
			`Validation error: GET /v1/datasets-v2/{datasetId} answers every item: filter with GET /v1/datasets-v2/{datasetId}/items at "split"`)
		// Lunary's SDK route too.
		wantValidation(t, ts.do(t, "GET", "/v1/datasets/"+id+"?metadata.lang=en", ts.owner, ""),
			`Validation error: GET /v1/datasets/{slug} answers every item: filter with GET /v1/datasets-v2/{datasetId}/items at "metadata.lang"`)
		wantStatus(t, ts.do(t, "GET", base+"?projectId=p", ts.owner, ""), http.StatusOK) // Lunary's frontend sends it
	})
}

func asAny(list []map[string]any) []any {
	out := make([]any, len(list))
	for i, v := range list {
		out[i] = v
	}
	return out
}
