package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/api"
	"github.com/strata-eval/strata/internal/fixture"
)

// FuzzRequestBody sends arbitrary bodies to every route that reads one: none
// may answer 5xx.
func FuzzRequestBody(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `[]`, `{"name":"a"}`, `{"name":1}`, `{"input":"x","groundTruth":null}`,
		`{"format":"csv","content":"input\na"}`, `{"format":"jsonl","content":"{\"input\":\"a\"}"}`,
		`{"name":"\u0000"}`, `{"description":"dd"}`, `[[[[`, `"x"`, "\xff",
	} {
		f.Add(seed)
	}
	ctx := context.Background()
	store := fixture.SQLite(f)
	key := fixture.Key(f, store, "fuzz", strata.RoleOwner, "F")
	p, err := store.Authenticate(ctx, key)
	if err != nil {
		f.Fatal(err)
	}
	d, err := store.CreateDataset(ctx, p.Actor(), strata.DatasetCreate{Name: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	it, err := store.CreateItem(ctx, p.Actor(), d.ID, strata.ItemInput{Input: "x"}, strata.WriteOptions{})
	if err != nil {
		f.Fatal(err)
	}
	srv := &api.Server{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv.Limits.RatePerKey, srv.Limits.MaxConcurrentPerKey = -1, -1
	h := srv.Handler()
	ds := "/v1/datasets-v2/" + d.ID
	routes := []struct{ method, path string }{
		{"POST", "/v1/datasets-v2"},
		{"PATCH", ds + "?skipVersion=true"},
		{"POST", ds + "/import?skipVersion=true"},
		{"POST", ds + "/items?skipVersion=true"},
		{"PATCH", ds + "/items/" + it.ID + "?skipVersion=true"},
		{"POST", ds + "/versions"},
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, r := range routes {
			req := httptest.NewRequest(r.method, r.path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+key)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 || rec.Code == 0 {
				t.Fatalf("%s %s with %q: %d %s", r.method, r.path, body, rec.Code, rec.Body)
			}
			if rec.Code >= 400 && !strings.Contains(rec.Body.String(), `"message"`) {
				t.Fatalf("%s %s with %q: %d without a message: %s", r.method, r.path, body, rec.Code, rec.Body)
			}
		}
	})
}
