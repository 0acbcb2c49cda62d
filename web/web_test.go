package web_test

import "context"
import "io"
import "net/http"
import "net/http/cookiejar"
import "net/http/httptest"
import "net/url"
import "path/filepath"
import "regexp"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/sqlite"
import "github.com/strata-eval/strata/web"

// site is the pages over a real store, with a browser-like client.
type site struct {
	*httptest.Server
	store  strata.Store
	client *http.Client
	owner  string
	viewer string
}

func newSite(t *testing.T) *site { return newSiteWith(t, nil) }

// newSiteWith is newSite with a server that configure may change before it
// starts serving.
func newSiteWith(t *testing.T, configure func(*web.Server)) *site {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "strata.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s := &site{store: store}
	_, s.owner, _ = store.CreateKey(ctx, strata.KeyCreate{ProjectName: "main", Role: strata.RoleOwner, UserName: "Olivia"})
	_, s.viewer, _ = store.CreateKey(ctx, strata.KeyCreate{ProjectName: "main", Role: strata.RoleViewer, UserName: "Victor"})
	ws := &web.Server{Store: store}
	if configure != nil {
		configure(ws)
	}
	s.Server = httptest.NewServer(ws.Handler())
	t.Cleanup(s.Close)
	jar, _ := cookiejar.New(nil)
	s.client = &http.Client{Jar: jar}
	return s
}

// page is a response as the browser saw it, after redirects.
type page struct {
	status int
	url    string
	body   string
}

func (s *site) get(t *testing.T, path string) page {
	t.Helper()
	res, err := s.client.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, res)
}

func (s *site) post(t *testing.T, path string, form url.Values) page {
	t.Helper()
	res, err := s.client.PostForm(s.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, res)
}

func read(t *testing.T, res *http.Response) page {
	t.Helper()
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, url: res.Request.URL.Path, body: string(b)}
}

func (s *site) signin(t *testing.T, key string) {
	t.Helper()
	if p := s.post(t, "/signin", url.Values{"key": {key}}); p.url != "/datasets" {
		t.Fatalf("sign in landed on %s (%d)", p.url, p.status)
	}
}

// ownerPrincipal is the owner's key as the store knows it.
func (s *site) ownerPrincipal(t *testing.T) *strata.Principal {
	t.Helper()
	p, err := s.store.Authenticate(t.Context(), s.owner)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ownerDataset creates a dataset through the store as the owner.
func (s *site) ownerDataset(t *testing.T, name string) (*strata.Principal, *strata.Dataset) {
	t.Helper()
	p := s.ownerPrincipal(t)
	d, err := s.store.CreateDataset(t.Context(), p.Actor(), strata.DatasetCreate{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return p, d
}

// signinOwner signs the owner in and returns the session's CSRF token.
func (s *site) signinOwner(t *testing.T) string {
	t.Helper()
	s.signin(t, s.owner)
	return csrf(t, s.get(t, "/datasets"))
}

// signedIn is a new site with its owner signed in, and the session's CSRF
// token.
func signedIn(t *testing.T) (*site, string) {
	t.Helper()
	s := newSite(t)
	return s, s.signinOwner(t)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrf(t *testing.T, p page) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF token on %s", p.url)
	}
	return m[1]
}

func wantText(t *testing.T, p page, texts ...string) {
	t.Helper()
	for _, text := range texts {
		if !strings.Contains(p.body, text) {
			t.Fatalf("%s (%d) does not show %q", p.url, p.status, text)
		}
	}
}

func TestSignIn(t *testing.T) {
	s := newSite(t)
	if p := s.get(t, "/datasets"); p.url != "/signin" {
		t.Fatalf("signed out: landed on %s", p.url)
	}
	p := s.post(t, "/signin", url.Values{"key": {"strata_wrong"}})
	if p.status != http.StatusUnauthorized {
		t.Fatalf("wrong key: %d", p.status)
	}
	wantText(t, p, "That key is not valid.")
	// The cookie holds the key, for no script to read and no other site to send.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.PostForm(s.URL+"/signin", url.Values{"key": {s.owner}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	c := res.Cookies()
	if len(c) != 1 || !c[0].HttpOnly || c[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie = %+v", c)
	}
	// A redirect after sign-in stays on this site.
	if p := s.post(t, "/signin", url.Values{"key": {s.owner}, "next": {"//evil.example/x"}}); p.url != "/datasets" {
		t.Fatalf("next led to %s", p.url)
	}
	p = s.get(t, "/datasets")
	s.post(t, "/signout", url.Values{"csrf": {csrf(t, p)}})
	if p := s.get(t, "/datasets"); p.url != "/signin" {
		t.Fatalf("after sign out: %s", p.url)
	}
}

func TestFlow(t *testing.T) {
	s, token := signedIn(t)

	// A form without the token is refused, and changes nothing.
	if p := s.post(t, "/datasets", url.Values{"name": {"forged"}}); p.status != http.StatusForbidden {
		t.Fatalf("no CSRF token: %d", p.status)
	}
	p := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"support"}, "description": {"refunds"}})
	wantText(t, p, "support", "Dataset created.", "0 items")
	ds := p.url

	// Import a file, streamed from a multipart form.
	p = s.upload(t, ds+"/import", token, [][2]string{{"csrf", token}}, "cases.csv",
		"input,ground_truth\n\"Can I, maybe, return shoes?\",Yes\nWhere is my order?,\n")
	wantText(t, p, "Imported 2 items.", "Can I, maybe, return shoes?", "Where is my order?")
	if strings.Contains(p.body, "No dataset") {
		t.Fatal("import page is the list")
	}

	p = s.post(t, ds+"/save", url.Values{"csrf": {token}, "description": {"baseline"}})
	wantText(t, p, "Saved version 2.")
	item := regexp.MustCompile(`id="item-([0-9a-f-]{36})"`).FindStringSubmatch(p.body)[1]
	p = s.post(t, ds+"/items/"+item, url.Values{"csrf": {token}, "input": {"Can I return boots?"}, "groundTruth": {"Yes"}})
	wantText(t, p, "Item saved.", "Can I return boots?")
	if got := strings.Count(p.body, "saved as version 2"); got != 1 {
		t.Fatalf("an edit made a version")
	}

	p = s.get(t, ds+"/versions")
	wantText(t, p, "Version 2", "baseline", "Version 1")
	v2 := regexp.MustCompile(`/versions/([0-9a-f-]{36})/restore`).FindStringSubmatch(p.body)[1]
	p = s.get(t, ds+"/versions/"+v2)
	wantText(t, p, "read-only", "Can I, maybe, return shoes?")
	p = s.post(t, ds+"/versions/"+v2+"/restore", url.Values{"csrf": {token}})
	wantText(t, p, "Restored: the dataset is now version 3.", "Can I, maybe, return shoes?")
	p = s.get(t, ds+"/versions")
	wantText(t, p, "restored from version 2", "by Olivia")

	// Version 1 is empty and version 2 holds the import; an edit after the
	// restore shows against the latest version, its changed word marked.
	p = s.get(t, ds+"/compare?from=1&to=2")
	wantText(t, p, "<strong>2</strong> added", "<strong>0</strong> removed", "Where is my order?")
	s.post(t, ds+"/items/"+item, url.Values{"csrf": {token}, "input": {"Can I, maybe, return old shoes?"}, "groundTruth": {"Yes"}})
	p = s.get(t, ds+"/compare")
	wantText(t, p, "<strong>1</strong> modified", "<ins>old</ins>")

	// Tags, and export of a version by number.
	p = s.post(t, ds+"/versions/2/tags", url.Values{"csrf": {token}, "tag": {"baseline-1"}})
	wantText(t, p, `Tagged version 2 &#34;baseline-1&#34;.`, `<span class="tag">baseline-1`)
	p = s.get(t, ds+"/versions/baseline-1/export?format=jsonl")
	if lines := strings.Count(p.body, "\n"); lines != 2 || !strings.Contains(p.body, `"input":"Where is my order?"`) {
		t.Fatalf("export = %q", p.body)
	}
	p = s.post(t, ds+"/versions/2/tags", url.Values{"csrf": {token}, "tag": {"latest"}})
	if p.status != http.StatusUnprocessableEntity { // as the API: badinput_test.go
		t.Fatalf("reserved tag: %d", p.status)
	}
	p = s.post(t, ds+"/versions/2/tags/baseline-1/delete", url.Values{"csrf": {token}})
	wantText(t, p, "Removed the tag")

	p = s.post(t, ds+"/duplicate", url.Values{"csrf": {token}})
	wantText(t, p, "Duplicated as support copy.")
	p = s.post(t, ds+"/delete", url.Values{"csrf": {token}})
	wantText(t, p, "Dataset deleted.", "support copy")
}

func TestViewer(t *testing.T) {
	s, token := signedIn(t)
	ds := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"ro"}}).url
	s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"q"}})

	s.signin(t, s.viewer)
	p := s.get(t, ds)
	wantText(t, p, "ro", "q")
	for _, button := range []string{"Save version", "Add item", "Import", "Delete", ">Edit<", "New dataset"} {
		if strings.Contains(p.body, button) {
			t.Errorf("viewer sees %q", button)
		}
	}
	// The server refuses the action anyway.
	if p := s.post(t, ds+"/save", url.Values{"csrf": {csrf(t, p)}}); p.status != http.StatusForbidden {
		t.Fatalf("viewer saved a version: %d", p.status)
	}
}

func TestEvaluatorsPage(t *testing.T) {
	s, token := signedIn(t)
	ds := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"evals"}}).url
	p := s.get(t, ds+"/evaluators")
	wantText(t, p, "No custom evaluator", "No run yet.")

	ctx := context.Background()
	owner, _ := s.store.Authenticate(ctx, s.owner)
	e, err := s.store.CreateEvaluator(ctx, owner.Actor(), strata.EvaluatorCreate{Name: "Exact", Slug: "exact", Type: "string", Mode: "normal",
		Params: []byte(`{"comparator":"equals"}`), Filters: []byte(`[]`)})
	if err != nil {
		t.Fatal(err)
	}
	p = s.post(t, ds+"/evaluators", url.Values{"csrf": {token}, "evaluatorId": {e.ID}})
	wantText(t, p, "Evaluator attached.", `Exact <span class="muted">string</span>`) // its slot's label
	p = s.post(t, ds+"/evaluators", url.Values{"csrf": {token}, "evaluatorId": {e.ID}, "configType": {"model-scorer"}, "threshold": {"x"}})
	if p.status != http.StatusBadRequest {
		t.Fatalf("bad threshold: %d", p.status)
	}
	p = s.post(t, ds+"/evaluators/1/detach", url.Values{"csrf": {token}})
	wantText(t, p, "Slot 1 detached.")
}

func TestDatasetPageShowsSlug(t *testing.T) {
	s, token := signedIn(t)
	p := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"Support Bot"}})
	wantText(t, p, "slug <code>support-bot</code>")
}
