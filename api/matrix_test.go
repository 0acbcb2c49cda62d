package api_test

import "context"
import "net/http"
import "strconv"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/internal/testkit"

// TestAuthMatrix sends every route that needs a key with every kind of key
// and checks the status class. The routes come from the server itself, so a
// new route cannot be left out: one whose path has a parameter this test has
// no value for fails until it is given one.
func TestAuthMatrix(t *testing.T) {
	var srv *api.Server
	ts := newTestServerWith(t, func(s *api.Server) { srv = s })
	ctx := context.Background()

	revokedKey, revoked, err := ts.store.CreateKey(ctx, strata.KeyCreate{ProjectName: "main", Role: strata.RoleOwner, UserName: "Rex"})
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.store.RevokeKey(ctx, revokedKey.ID); err != nil {
		t.Fatal(err)
	}
	admin := ts.createKey(t, "main", strata.RoleAdmin, "Ada", "ada@example.com")

	type keyKind struct {
		name, key string
		want      func(r api.Route, status int) bool
	}
	unauthorized := func(_ api.Route, status int) bool { return status == http.StatusUnauthorized }
	// Every resource a path names exists (fixtures): a role that may use
	// the route gets neither 401, 403 nor 404.
	allowed := func(_ api.Route, status int) bool {
		return status != 401 && status != 403 && status != 404 && status < 500
	}
	kinds := []keyKind{
		{"NoKey", "", unauthorized},
		{"UnknownKey", "strata_unknown", unauthorized},
		{"RevokedKey", revoked, unauthorized},
		{"Viewer", ts.viewer, func(r api.Route, status int) bool {
			if r.Write {
				return status == http.StatusForbidden
			}
			return allowed(r, status)
		}},
		{"Member", ts.member, allowed},
		{"Admin", admin, allowed},
		{"Owner", ts.owner, allowed},
		{"OtherProject", ts.other, func(r api.Route, status int) bool {
			// The project's datasets and evaluators are not found by
			// another project's key.
			for _, p := range []string{"{datasetId}", "{id}", "{slug}"} {
				if strings.Contains(r.Pattern, p) {
					return status == http.StatusNotFound
				}
			}
			return allowed(r, status)
		}},
	}

	pattern := func(r api.Route) string { return r.Pattern }
	name := func(k keyKind) string { return k.name }
	testkit.Matrix(t, srv.Routes(), 16, pattern, kinds, name, func(t *testing.T, r api.Route, k keyKind, method, pattern string) {
		// Fresh fixtures each time: a route may delete what it names.
		params := ts.fixtures(t)
		path, err := testkit.Expand(pattern, params)
		if err != nil {
			t.Fatalf("%v: add it to fixtures", err)
		}
		body := "{}"
		if b, ok := matrixBodies[r.Pattern]; ok {
			body = strings.ReplaceAll(b, "{id}", params["id"])
		}
		resp := ts.do(t, method, path, k.key, body)
		if !k.want(r, resp.Status) {
			t.Fatalf("%s %s with %s key: %d %s", method, path, k.name, resp.Status, resp.Body)
		}
	})
}

// matrixBodies are the bodies of routes that validate "{}" before they look
// the dataset up (as Lunary does), so that the other project's key reaches
// the lookup. Any other route gets "{}".
var matrixBodies = map[string]string{
	"PATCH /v1/datasets-v2/{datasetId}":           `{"description":"matrix"}`,
	"POST /v1/datasets-v2/{datasetId}/evaluators": `{"evaluatorId":"{id}"}`, // the fixtures' free evaluator
	"PATCH /v1/evaluators/{id}":                   `{"name":"matrix","type":"json","mode":"normal","params":{},"filters":[]}`,
}

// fixtures creates what every path parameter names, in project "main" (see
// package testkit), and returns the value of each parameter.
func (ts *testServer) fixtures(t *testing.T) map[string]string {
	t.Helper()
	f := testkit.NewFixtures(t, ts.store, ts.owner)
	return map[string]string{"datasetId": f.DatasetID, "itemId": f.ItemID, "versionId": f.VersionID, "tag": f.Tag,
		"id": f.FreeEvaluatorID, "slot": strconv.Itoa(f.Slot), "runId": f.RunID, "slug": f.DatasetID}
}
