package web_test

import "net/http"
import "net/url"
import "strings"
import "testing"

import "github.com/strata-eval/strata/internal/testkit"
import "github.com/strata-eval/strata/web"

// TestDatabaseUnavailable: while the database cannot be reached, a signed-in
// browser gets a 503 page to retry, not the sign-in page as if signed out;
// signing in is 503 too.
func TestDatabaseUnavailable(t *testing.T) {
	store := &testkit.Outage{}
	s := newSiteWith(t, func(ws *web.Server) {
		store.Store = ws.Store
		ws.Store = store
	})
	s.signin(t, s.owner)
	store.Down.Store(true)
	res, err := s.client.Get(s.URL + "/datasets")
	if err != nil {
		t.Fatal(err)
	}
	p := read(t, res)
	if p.status != http.StatusServiceUnavailable || p.url != "/datasets" || !strings.Contains(p.body, "The database is unavailable: try again") {
		t.Fatalf("page while the database is down: %d at %s: %s", p.status, p.url, p.body)
	}
	if got := res.Header.Get("Retry-After"); got != "5" {
		t.Errorf("Retry-After = %q, want 5", got)
	}
	res, err = s.client.PostForm(s.URL+"/signin", url.Values{"key": {s.owner}})
	if err != nil {
		t.Fatal(err)
	}
	if p := read(t, res); p.status != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "5" {
		t.Fatalf("sign in while the database is down: %d, Retry-After %q", p.status, res.Header.Get("Retry-After"))
	}
	store.Down.Store(false)
	if p := s.get(t, "/datasets"); p.status != http.StatusOK {
		t.Fatalf("page once the database is back: %d", p.status)
	}
}
