package api_test

import "bytes"
import "context"
import "encoding/json"
import "io"
import "log/slog"
import "net/http"
import "net/http/httptest"
import "os"
import "path/filepath"
import "strconv"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/internal/openapitest"
import "github.com/strata-eval/strata/internal/pgtest"
import "github.com/strata-eval/strata/internal/testkit"
import "github.com/strata-eval/strata/postgres"
import "github.com/strata-eval/strata/sqlite"

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// openStore opens an empty store for one test. It is the only place that
// knows the backend: STRATA_TEST_STORE=postgres runs the same HTTP tests on a
// throwaway PostgreSQL database.
var openStore = func(t testing.TB) strata.Store {
	t.Helper()
	var (
		s   strata.Store
		err error
	)
	if os.Getenv("STRATA_TEST_STORE") == "postgres" {
		s, err = postgres.Open(context.Background(), pgtest.DSN(t))
	} else {
		s, err = sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "strata.db"))
	}
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// testServer is the API over a real store, with keys of each kind.
type testServer struct {
	*httptest.Server
	store strata.Store

	owner  string // owner key of project "main"
	viewer string // viewer key of project "main"
	member string // member key of project "main"
	other  string // owner key of project "other"
}

func newTestServer(t *testing.T) *testServer {
	return newTestServerWith(t, func(*api.Server) {})
}

func newTestServerWith(t *testing.T, configure func(*api.Server)) *testServer {
	t.Helper()
	ts := &testServer{store: openStore(t)}
	s := &api.Server{Store: ts.store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	// Tests send requests faster than any client should; limits_test.go
	// turns the per-key limits back on.
	s.Limits.RatePerKey, s.Limits.MaxConcurrentPerKey = -1, -1
	configure(s)
	t.Cleanup(s.Close) // after ts.Close: no request is left to start a run
	ts.Server = httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)

	ts.owner = ts.createKey(t, "main", strata.RoleOwner, "Olivia", "olivia@example.com")
	ts.viewer = ts.createKey(t, "main", strata.RoleViewer, "Victor", "victor@example.com")
	ts.member = ts.createKey(t, "main", strata.RoleMember, "Mona", "mona@example.com")
	ts.other = ts.createKey(t, "other", strata.RoleOwner, "Oscar", "oscar@example.com")

	// Every response any test receives through ts.Client() is checked
	// against the document the server itself serves, whichever helper sent
	// the request.
	openapitest.Client(t, ts.Server)
	return ts
}

func (ts *testServer) createKey(t *testing.T, project string, role strata.Role, name, email string) string {
	t.Helper()
	_, secret, err := ts.store.CreateKey(context.Background(), strata.KeyCreate{ProjectName: project, Role: role, UserName: name, UserEmail: email})
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	return secret
}

// response is a whole HTTP response.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// object decodes the body as a JSON object.
func (r *response) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	return m
}

// array decodes the body as a JSON array of objects.
func (r *response) array(t *testing.T) []map[string]any {
	t.Helper()
	var a []map[string]any
	if err := json.Unmarshal(r.Body, &a); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	return a
}

// decode decodes the body into v.
func (r *response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// do sends a request with the key as a bearer token (none if key is "") and
// body as is (none if ""); its response is checked against the OpenAPI
// document like every other (openapitest).
func (ts *testServer) do(t *testing.T, method, path, key, body string) *response {
	t.Helper()
	h := http.Header{}
	if key != "" {
		h.Set("Authorization", "Bearer "+key)
	}
	return ts.doWith(t, method, path, h, body)
}

func (ts *testServer) doWith(t *testing.T, method, path string, h http.Header, body string) *response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return ts.roundTrip(t, req)
}

// roundTrip sends req, reads the whole response and checks it against the
// OpenAPI document.
func (ts *testServer) roundTrip(t *testing.T, req *http.Request) *response {
	t.Helper()
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// keys returns the keys of a JSON object in the order they are written.
func keys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var ks []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return ks
}

// member returns the raw JSON of a member of an object.
func member(t *testing.T, raw []byte, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return m[key]
}

// elements returns the raw JSON of the elements of an array.
func elements(t *testing.T, raw []byte) []json.RawMessage {
	t.Helper()
	var a []json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return a
}

// wantError checks an error response's status and message.
func wantError(t *testing.T, r *response, status int, message string) {
	t.Helper()
	if got, want := r.Status, status; got != want {
		t.Errorf("status = %d, want %d (body %s)", got, want, r.Body)
	}
	var body struct{ Message string }
	json.Unmarshal(r.Body, &body)
	if got, want := body.Message, message; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

// wantValidation checks a 422 with Lunary's body.
func wantValidation(t *testing.T, r *response, message string) {
	t.Helper()
	wantError(t, r, http.StatusUnprocessableEntity, message)
	var body struct{ Error string }
	json.Unmarshal(r.Body, &body)
	if got, want := body.Error, "Error"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func wantStatus(t *testing.T, r *response, status int) {
	t.Helper()
	if got, want := r.Status, status; got != want {
		t.Fatalf("status = %d, want %d (body %s)", got, want, r.Body)
	}
}

const datasetsPath = "/v1/datasets-v2"

// createDataset creates a dataset with the owner key and returns its id.
func (ts *testServer) createDataset(t *testing.T, name string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"name": name})
	r := ts.do(t, "POST", datasetsPath, ts.owner, string(body))
	wantStatus(t, r, http.StatusCreated)
	return r.object(t)["id"].(string)
}

// createItem adds an item (without a version) and returns its id.
func (ts *testServer) createItem(t *testing.T, datasetID, input string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"input": input})
	r := ts.do(t, "POST", datasetsPath+"/"+datasetID+"/items?skipVersion=true", ts.owner, string(body))
	wantStatus(t, r, http.StatusCreated)
	return r.object(t)["id"].(string)
}

// dataset reads a dataset's meta and items.
func (ts *testServer) dataset(t *testing.T, id string) map[string]any {
	t.Helper()
	r := ts.do(t, "GET", datasetsPath+"/"+id, ts.owner, "")
	wantStatus(t, r, http.StatusOK)
	return r.object(t)
}

// versionNumber is the dataset's current version number.
func (ts *testServer) versionNumber(t *testing.T, id string) int {
	t.Helper()
	return int(ts.dataset(t, id)["currentVersionNumber"].(float64))
}

// inputs returns the inputs of a list of items.
func inputs(items []any) []string {
	var s []string
	for _, it := range items {
		s = append(s, it.(map[string]any)["input"].(string))
	}
	return s
}

func ids(items []any, key string) []string {
	var s []string
	for _, it := range items {
		s = append(s, it.(map[string]any)[key].(string))
	}
	return s
}

// BenchmarkRequests serves each request of `strata bench --http`'s mixed
// load through the whole handler (authentication, limits, store, encoding),
// with no network: its ns/op and allocs/op are the server's own cost of a
// request, which the load's throughput on two cores depends on.
func BenchmarkRequests(b *testing.B) {
	s := openStore(b)
	srv := &api.Server{Store: s, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	b.Cleanup(srv.Close)
	h := srv.Handler()
	key := testkit.Key(b, s, "p", strata.RoleMember, "u")
	send := func(b *testing.B, method, path, body string, want int) []byte {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req := httptest.NewRequest(method, path, r)
		req.Header.Set("Authorization", "Bearer "+key)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		w := &discardWriter{header: http.Header{}}
		h.ServeHTTP(w, req)
		if w.status != want {
			b.Fatalf("%s %s: %d %s", method, path, w.status, w.head)
		}
		return w.head
	}
	id := func(body []byte) string {
		var v struct {
			ID      string
			Version struct{ ID string } // a snapshot's answer
		}
		if err := json.Unmarshal(body, &v); err != nil || v.ID+v.Version.ID == "" {
			b.Fatalf("no id in %s: %v", body, err)
		}
		return v.ID + v.Version.ID
	}
	// A dataset of 100 items with a version, as the load makes them.
	path := datasetsPath + "/" + id(send(b, "POST", datasetsPath, `{"name":"bench"}`, http.StatusCreated))
	items := make([]string, 100)
	for i := range items {
		n := strconv.Itoa(i)
		body := `{"input":"Question ` + n + `: can order #` + n + ` still be returned?","groundTruth":"yes"}`
		items[i] = id(send(b, "POST", path+"/items?skipVersion=true", body, http.StatusCreated))
	}
	versionPage := path + "/versions/" + id(send(b, "POST", path+"/versions", `{}`, http.StatusCreated)) + "/items?limit=100"

	b.Run("GET dataset", func(b *testing.B) {
		for b.Loop() {
			send(b, "GET", path, "", http.StatusOK)
		}
	})
	b.Run("GET item", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			send(b, "GET", path+"/items/"+items[i%len(items)], "", http.StatusOK)
		}
	})
	b.Run("GET version page", func(b *testing.B) {
		for b.Loop() {
			send(b, "GET", versionPage, "", http.StatusOK)
		}
	})
	b.Run("PATCH item", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			body := `{"output":"answer ` + strconv.Itoa(i) + `"}`
			send(b, "PATCH", path+"/items/"+items[i%len(items)]+"?skipVersion=true", body, http.StatusOK)
		}
	})
}

// discardWriter is a ResponseWriter that keeps the status and the first
// bytes of the body only, so that the benchmark measures the server's
// allocations, not a recorder's.
type discardWriter struct {
	header http.Header
	status int
	head   []byte
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if n := min(len(p), 4096-len(w.head)); n > 0 {
		w.head = append(w.head, p[:n]...)
	}
	return len(p), nil
}
