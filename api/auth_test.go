package api_test

import "context"
import "fmt"
import "net/http"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"

func TestAuth(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "auth")

	t.Run("MissingKey", func(t *testing.T) {
		for _, path := range []string{datasetsPath, datasetsPath + "/" + id, datasetsPath + "/not-a-uuid/items"} {
			wantError(t, ts.do(t, "GET", path, "", ""), http.StatusUnauthorized, "Missing API key")
		}
	})
	t.Run("MissingKeyOnMutation", func(t *testing.T) {
		wantError(t, ts.do(t, "POST", datasetsPath, "", `{"name":"x"}`), http.StatusUnauthorized, "Missing API key")
	})
	t.Run("InvalidKey", func(t *testing.T) {
		wantError(t, ts.do(t, "GET", datasetsPath, "strata_nope", ""), http.StatusUnauthorized, "Invalid API key")
	})
	t.Run("RevokedKey", func(t *testing.T) {
		k, secret, err := ts.store.CreateKey(context.Background(), strata.KeyCreate{ProjectName: "main", Role: strata.RoleOwner, UserName: "Rita", UserEmail: "rita@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, ts.do(t, "GET", datasetsPath, secret, ""), http.StatusOK)
		if err := ts.store.RevokeKey(context.Background(), k.ID); err != nil {
			t.Fatal(err)
		}
		wantError(t, ts.do(t, "GET", datasetsPath, secret, ""), http.StatusUnauthorized, "Invalid API key")
	})
	t.Run("XAPIKey", func(t *testing.T) {
		r := ts.doWith(t, "GET", datasetsPath, http.Header{"X-Api-Key": {ts.owner}}, "")
		wantStatus(t, r, http.StatusOK)
	})
	t.Run("BearerWins", func(t *testing.T) {
		h := http.Header{"Authorization": {"Bearer strata_nope"}, "X-Api-Key": {ts.owner}}
		wantError(t, ts.doWith(t, "GET", datasetsPath, h, ""), http.StatusUnauthorized, "Invalid API key")
	})
	t.Run("AnySchemeWord", func(t *testing.T) {
		// Lunary takes the second space-separated token, whatever the first.
		r := ts.doWith(t, "GET", datasetsPath, http.Header{"Authorization": {"Token " + ts.owner}}, "")
		wantStatus(t, r, http.StatusOK)
	})
	t.Run("SchemeWithoutKeyFallsBack", func(t *testing.T) {
		h := http.Header{"Authorization": {"Bearer"}, "X-Api-Key": {ts.owner}}
		wantStatus(t, ts.doWith(t, "GET", datasetsPath, h, ""), http.StatusOK)
	})
	t.Run("ViewerReads", func(t *testing.T) {
		for _, path := range []string{datasetsPath, datasetsPath + "/" + id, datasetsPath + "/" + id + "/items", datasetsPath + "/" + id + "/versions"} {
			wantStatus(t, ts.do(t, "GET", path, ts.viewer, ""), http.StatusOK)
		}
	})
	t.Run("ViewerCannotWrite", func(t *testing.T) {
		itemID := ts.createItem(t, id, "x")
		versions := ts.do(t, "GET", datasetsPath+"/"+id+"/versions", ts.owner, "")
		versionID := versions.object(t)["versions"].([]any)[0].(map[string]any)["id"].(string)
		for _, c := range []struct{ method, path, body string }{
			{"POST", datasetsPath, `{"name":"v"}`},
			{"PATCH", datasetsPath + "/" + id, `{"name":"v"}`},
			{"DELETE", datasetsPath + "/" + id, ""},
			{"POST", datasetsPath + "/" + id + "/import", `{"format":"csv","content":"input\na"}`},
			{"POST", datasetsPath + "/" + id + "/duplicate", `{}`},
			{"POST", datasetsPath + "/" + id + "/versions", `{}`},
			{"POST", datasetsPath + "/" + id + "/versions/" + versionID + "/restore", `{}`},
			{"POST", datasetsPath + "/" + id + "/items", `{"input":"a"}`},
			{"PATCH", datasetsPath + "/" + id + "/items/" + itemID, `{"input":"a"}`},
			{"DELETE", datasetsPath + "/" + id + "/items/" + itemID, ""},
		} {
			r := ts.do(t, c.method, c.path, ts.viewer, c.body)
			wantError(t, r, http.StatusForbidden, "You don't have access to this resource")
			if got, want := r.object(t)["error"], "Forbidden"; got != want {
				t.Errorf("%s %s: error = %v, want %v", c.method, c.path, got, want)
			}
		}
		if got, want := ts.versionNumber(t, id), 1; got != want {
			t.Errorf("version = %d, want %d: a refused request changed the dataset", got, want)
		}
	})
	t.Run("MemberWrites", func(t *testing.T) {
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/items", ts.member, `{"input":"by member"}`)
		wantStatus(t, r, http.StatusCreated)
	})
	t.Run("AuthBeforeValidation", func(t *testing.T) {
		wantError(t, ts.do(t, "PATCH", datasetsPath+"/nope", "", `[`), http.StatusUnauthorized, "Missing API key")
		wantError(t, ts.do(t, "PATCH", datasetsPath+"/nope", ts.viewer, `{}`), http.StatusForbidden, "You don't have access to this resource")
		wantError(t, ts.do(t, "POST", datasetsPath, ts.viewer, `[`), http.StatusForbidden, "You don't have access to this resource")
	})
	t.Run("OtherProject", func(t *testing.T) {
		for _, c := range []struct{ method, path, body string }{
			{"GET", datasetsPath + "/" + id, ""},
			{"PATCH", datasetsPath + "/" + id, `{"name":"stolen"}`},
			{"DELETE", datasetsPath + "/" + id, ""},
			{"GET", datasetsPath + "/" + id + "/items", ""},
			{"POST", datasetsPath + "/" + id + "/items", `{"input":"x"}`},
			{"POST", datasetsPath + "/" + id + "/import", `{"format":"jsonl","content":"{\"input\":\"x\"}"}`},
			{"POST", datasetsPath + "/" + id + "/duplicate", ""},
			{"GET", datasetsPath + "/" + id + "/versions", ""},
			{"POST", datasetsPath + "/" + id + "/versions", ""},
		} {
			wantError(t, ts.do(t, c.method, c.path, ts.other, c.body), http.StatusNotFound, "Dataset not found")
		}
		r := ts.do(t, "GET", datasetsPath, ts.other, "")
		wantStatus(t, r, http.StatusOK)
		if got, want := len(r.array(t)), 0; got != want {
			t.Errorf("other project lists %d datasets, want %d", got, want)
		}
	})
}

func TestRouting(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "routing")

	t.Run("UnknownPath", func(t *testing.T) {
		for _, path := range []string{"/", "/v1", "/v1/datasets", datasetsPath + "/" + id + "/nope", "/v1/datasets-v2//", "/v1//datasets-v2"} {
			wantError(t, ts.do(t, "GET", path, ts.owner, ""), http.StatusNotFound, "Not Found")
		}
	})
	t.Run("UnknownPathWithoutKey", func(t *testing.T) {
		wantError(t, ts.do(t, "GET", "/v1/nothing", "", ""), http.StatusNotFound, "Not Found")
	})
	t.Run("WrongMethod", func(t *testing.T) {
		for _, c := range []struct{ method, path string }{
			{"PUT", datasetsPath},
			{"DELETE", datasetsPath},
			{"PUT", datasetsPath + "/" + id},
			{"GET", datasetsPath + "/" + id + "/import"},
			{"DELETE", datasetsPath + "/" + id + "/versions"},
			{"POST", "/healthz"},
		} {
			r := ts.do(t, c.method, c.path, ts.owner, "")
			wantError(t, r, http.StatusNotFound, "Not Found")
			if got := r.Header.Get("Allow"); got != "" {
				t.Errorf("%s %s: Allow = %q, want none", c.method, c.path, got)
			}
		}
	})
	t.Run("TrailingSlash", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath+"/", ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		if got, want := len(r.array(t)), 1; got != want {
			t.Errorf("len = %d, want %d", got, want)
		}
		wantStatus(t, ts.do(t, "GET", datasetsPath+"/"+id+"/", ts.owner, ""), http.StatusOK)
		wantStatus(t, ts.do(t, "POST", datasetsPath+"/", ts.owner, `{"name":"slash"}`), http.StatusCreated)
		wantStatus(t, ts.do(t, "GET", datasetsPath+"/"+id+"/items/", ts.owner, ""), http.StatusOK)
	})
	t.Run("OpenAPI", func(t *testing.T) {
		r := ts.do(t, "GET", "/v1/openapi", "", "")
		wantStatus(t, r, http.StatusOK)
		if got, want := r.object(t)["openapi"], "3.0.0"; got != want {
			t.Errorf("openapi = %v, want %v", got, want)
		}
	})
	t.Run("Health", func(t *testing.T) {
		r := ts.do(t, "GET", "/healthz", "", "")
		wantStatus(t, r, http.StatusOK)
		if got, want := string(r.Body), `{"status":"ok"}`; got != want {
			t.Errorf("body = %s, want %s", got, want)
		}
	})
	t.Run("Ready", func(t *testing.T) {
		r := ts.do(t, "GET", "/readyz", "", "")
		wantStatus(t, r, http.StatusOK)
		if got, want := string(r.Body), `{"status":"ready"}`; got != want {
			t.Errorf("body = %s, want %s", got, want)
		}
		// A server whose database is gone is not ready.
		ts.store.Close()
		r = ts.do(t, "GET", "/readyz", "", "")
		wantStatus(t, r, http.StatusServiceUnavailable)
	})
}

func TestBody(t *testing.T) {
	ts := newTestServerWith(t, func(s *api.Server) { s.MaxBodyBytes = 1000 })

	t.Run("InvalidJSON", func(t *testing.T) {
		r := ts.do(t, "POST", datasetsPath, ts.owner, `{"name":`)
		wantStatus(t, r, http.StatusBadRequest)
		if msg := r.object(t)["message"].(string); !strings.HasPrefix(msg, "Invalid JSON body: ") {
			t.Errorf("message = %q", msg)
		}
	})
	t.Run("TrailingGarbage", func(t *testing.T) {
		wantStatus(t, ts.do(t, "POST", datasetsPath, ts.owner, `{"name":"a"} x`), http.StatusBadRequest)
	})
	t.Run("Scalar", func(t *testing.T) {
		for _, body := range []string{`"name"`, `42`, `null`, `true`, `  `, `name=x`} {
			wantError(t, ts.do(t, "POST", datasetsPath, ts.owner, body), http.StatusBadRequest, "invalid JSON, only supports object and array")
		}
	})
	t.Run("Array", func(t *testing.T) {
		wantValidation(t, ts.do(t, "POST", datasetsPath, ts.owner, `[{"name":"a"}]`), "Validation error: Expected object, received array")
	})
	t.Run("Empty", func(t *testing.T) {
		wantValidation(t, ts.do(t, "POST", datasetsPath, ts.owner, ""), `Validation error: Required at "name"`)
	})
	t.Run("JSONContentTypes", func(t *testing.T) {
		for i, ct := range []string{"application/json; charset=utf-8", "application/merge-patch+json"} {
			r := ts.doWith(t, "POST", datasetsPath, http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {ct}}, fmt.Sprintf(`{"name":"json %d"}`, i))
			wantStatus(t, r, http.StatusCreated)
		}
	})
	t.Run("OtherContentType", func(t *testing.T) {
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "not a type"} {
			r := ts.doWith(t, "POST", datasetsPath, http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {ct}}, `{"name":"plain"}`)
			wantStatus(t, r, http.StatusUnsupportedMediaType)
		}
	})
	t.Run("TooLarge", func(t *testing.T) {
		big := `{"name":"` + strings.Repeat("a", 2000) + `"}`
		wantError(t, ts.do(t, "POST", datasetsPath, ts.owner, big), http.StatusRequestEntityTooLarge, "Request body too large")
	})
	t.Run("TooLargeChunked", func(t *testing.T) {
		// No Content-Length: the limit is met while reading.
		big := `{"name":"` + strings.Repeat("a", 2000) + `"}`
		req, _ := http.NewRequest("POST", ts.URL+datasetsPath, struct{ *strings.Reader }{strings.NewReader(big)})
		req.Header.Set("Authorization", "Bearer "+ts.owner)
		wantError(t, ts.roundTrip(t, req), http.StatusRequestEntityTooLarge, "Request body too large")
	})
}
