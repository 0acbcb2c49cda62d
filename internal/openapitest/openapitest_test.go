package openapitest_test

import "fmt"
import "io"
import "net/http"
import "net/http/httptest"
import "strings"
import "testing"

import "github.com/strata-eval/strata/internal/openapitest"

// recorder keeps the errors a check reports instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

const doc = `{
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/things/{id}": {
      "get": {
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {
          "200": {"description": "a thing", "content": {"application/json": {"schema": {
            "type": "object", "required": ["name"], "additionalProperties": false,
            "properties": {"name": {"type": "string"}, "createdAt": {"type": "string"}}}}}},
          "404": {"description": "none", "content": {"application/json": {"schema": {"type": "object"}}}}
        }
      }
    }
  }
}`

func TestCheck(t *testing.T) {
	bodies := map[string]struct {
		status int
		body   string
	}{
		"/things/ok":        {200, `{"name":"a","createdAt":"2026-12-02T01:02:03.456Z"}`},
		"/things/missing":   {200, `{"createdAt":"2026-12-02T01:02:03.456Z"}`},
		"/things/extra":     {200, `{"name":"a","colour":"red"}`},
		"/things/seconds":   {200, `{"name":"a","createdAt":"2026-12-02T01:02:03Z"}`},
		"/things/teapot":    {418, `{}`},
		"/things/crash":     {500, `{"message":"An unexpected error occurred"}`},
		"/things/notjson":   {200, `name=a`},
		"/nowhere":          {200, `{}`},
		"/nowhere-notfound": {404, `{}`},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/openapi" {
			io.WriteString(w, doc)
			return
		}
		b := bodies[r.URL.Path]
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(b.status)
		io.WriteString(w, b.body)
	}))
	defer srv.Close()

	rec := &recorder{TB: t}
	client := &http.Client{Transport: openapitest.Transport(rec, nil, srv.URL)}
	for path, want := range map[string]string{
		"/things/ok":        "",
		"/nowhere-notfound": "",
		"/things/missing":   "does not match",
		"/things/extra":     "does not match",
		"/things/seconds":   "milliseconds",
		"/things/teapot":    "does not match",
		"/things/crash":     "status 500",
		"/things/notjson":   "not JSON",
		"/nowhere":          "no documented route",
	} {
		rec.errs = nil
		res, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		// The test still reads the whole body after the check.
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(data) != bodies[path].body {
			t.Errorf("%s: body %q, want %q", path, data, bodies[path].body)
		}
		got := strings.Join(rec.errs, "\n")
		if want == "" && got != "" {
			t.Errorf("%s: reported %s, want nothing", path, got)
		}
		if want != "" && !strings.Contains(got, want) {
			t.Errorf("%s: reported %q, want a report with %q", path, got, want)
		}
	}
}
