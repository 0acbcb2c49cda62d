package api_test

import "io"
import "log/slog"
import "net/http"
import "net/http/httptest"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/internal/testkit"

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
	ft := newFuzzTarget(f, nil)
	it, err := ft.store.CreateItem(f.Context(), ft.actor, ft.dataset.ID, strata.ItemInput{Input: "x"}, strata.WriteOptions{})
	if err != nil {
		f.Fatal(err)
	}
	ds := "/v1/datasets-v2/" + ft.dataset.ID
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
			ft.send(t, httptest.NewRequest(r.method, r.path, strings.NewReader(body)), "")
		}
	})
}

// fuzzTarget is the API over a store with a dataset of project "fuzz", and
// its owner's key, for the fuzz targets.
type fuzzTarget struct {
	store   strata.Store
	key     string
	actor   strata.Actor
	dataset *strata.Dataset
	handler http.Handler
}

// newFuzzTarget makes a fuzzTarget whose server configure may change; the
// per-key limits are off, as fuzzing sends requests fast.
func newFuzzTarget(f *testing.F, configure func(*api.Server)) *fuzzTarget {
	f.Helper()
	ft := &fuzzTarget{store: openStore(f)}
	ft.key = testkit.Key(f, ft.store, "fuzz", strata.RoleOwner, "F")
	p, err := ft.store.Authenticate(f.Context(), ft.key)
	if err != nil {
		f.Fatal(err)
	}
	ft.actor = p.Actor()
	if ft.dataset, err = ft.store.CreateDataset(f.Context(), ft.actor, strata.DatasetCreate{Name: "fuzz"}); err != nil {
		f.Fatal(err)
	}
	srv := &api.Server{Store: ft.store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv.Limits.RatePerKey, srv.Limits.MaxConcurrentPerKey = -1, -1
	if configure != nil {
		configure(srv)
	}
	ft.handler = srv.Handler()
	return ft
}

// send serves req as the owner, with the content type ct when it is not
// empty, and fails t when the answer is a 5xx or an error without a
// message, as no input may cause.
func (ft *fuzzTarget) send(t *testing.T, req *http.Request, ct string) *httptest.ResponseRecorder {
	t.Helper()
	req.Header.Set("Authorization", "Bearer "+ft.key)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	rec := httptest.NewRecorder()
	ft.handler.ServeHTTP(rec, req)
	if rec.Code >= 500 || rec.Code == 0 {
		t.Fatalf("%s %s (%s): %d %s", req.Method, req.URL, ct, rec.Code, rec.Body)
	}
	if rec.Code >= 400 && !strings.Contains(rec.Body.String(), `"message"`) {
		t.Fatalf("%s %s (%s): %d without a message: %s", req.Method, req.URL, ct, rec.Code, rec.Body)
	}
	return rec
}
