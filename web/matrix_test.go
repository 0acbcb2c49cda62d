package web_test

import "context"
import "net/http"
import "net/url"
import "strconv"
import "strings"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/testkit"
import "github.com/strata-eval/strata/web"

// TestPageAuthMatrix opens every page that needs a session with every kind
// of session and checks the answer's class. The routes come from the server
// itself, so a new page cannot be left out.
func TestPageAuthMatrix(t *testing.T) {
	var ws *web.Server
	s := newSiteWith(t, func(w *web.Server) { ws = w })
	ctx := context.Background()
	other := testkit.Key(t, s.store, "other", strata.RoleOwner, "Otto")
	open := func(t *testing.T, key string, ttl time.Duration) string {
		t.Helper()
		id, _, err := s.store.CreateSession(ctx, key, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	type kind struct {
		name    string
		session func(t *testing.T) string
		want    func(r web.Route, res *http.Response) bool
	}
	signin := func(_ web.Route, res *http.Response) bool {
		return res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/signin?next=")
	}
	// Every resource a path names exists (package testkit): a session that
	// may use the page gets neither 401, 403 nor 404, nor the sign-in page.
	allowed := func(_ web.Route, res *http.Response) bool {
		return res.StatusCode < 500 && res.StatusCode != 401 && res.StatusCode != 403 && res.StatusCode != 404 &&
			!signin(web.Route{}, res)
	}
	kinds := []kind{
		{"NoSession", func(*testing.T) string { return "" }, signin},
		{"UnknownSession", func(*testing.T) string { return strata.NewSessionID() }, signin},
		{"KeyAsCookie", func(*testing.T) string { return s.owner }, signin},
		{"EndedSession", func(t *testing.T) string {
			id := open(t, s.owner, time.Hour)
			if err := s.store.EndSession(ctx, id); err != nil {
				t.Fatal(err)
			}
			return id
		}, signin},
		{"ExpiredSession", func(t *testing.T) string { return open(t, s.owner, 0) }, signin},
		{"RevokedKeySession", func(t *testing.T) string {
			k, secret, err := s.store.CreateKey(ctx, strata.KeyCreate{ProjectName: "main", Role: strata.RoleOwner, UserName: "Rex"})
			if err != nil {
				t.Fatal(err)
			}
			id := open(t, secret, time.Hour)
			if err := s.store.RevokeKey(ctx, k.ID); err != nil {
				t.Fatal(err)
			}
			return id
		}, signin},
		{"Viewer", func(t *testing.T) string { return open(t, s.viewer, time.Hour) }, func(r web.Route, res *http.Response) bool {
			if r.Write {
				return res.StatusCode == http.StatusForbidden
			}
			return allowed(r, res)
		}},
		{"Owner", func(t *testing.T) string { return open(t, s.owner, time.Hour) }, allowed},
		{"OtherProject", func(t *testing.T) string { return open(t, other, time.Hour) }, func(r web.Route, res *http.Response) bool {
			if strings.Contains(r.Pattern, "{id}") {
				return res.StatusCode == http.StatusNotFound
			}
			return allowed(r, res)
		}},
	}
	pattern := func(r web.Route) string { return r.Pattern }
	name := func(k kind) string { return k.name }
	testkit.Matrix(t, ws.Routes(), 20, pattern, kinds, name, func(t *testing.T, r web.Route, k kind, method, pattern string) {
		// Fresh fixtures each time: a page may delete what it names.
		f := testkit.NewFixtures(t, s.store, s.owner)
		path, err := testkit.Expand(pattern, map[string]string{"id": f.DatasetID, "itemId": f.ItemID,
			"n": strconv.Itoa(f.VersionNumber), "tag": f.Tag, "slot": strconv.Itoa(f.Slot), "runId": f.RunID})
		if err != nil {
			t.Fatalf("%v: add it to the fixtures", err)
		}
		cookie := &http.Cookie{Name: "strata_session", Value: k.session(t)}
		form := url.Values{"csrf": {"none"}, "name": {"matrix"}, "input": {"x"}, "tag": {"matrix-2"}, "evaluatorId": {f.FreeEvaluatorID}}
		if method == http.MethodPost && cookie.Value != "" {
			if res := s.getWith(t, "/datasets", cookie); res.StatusCode == http.StatusOK {
				form.Set("csrf", s.csrfOf(t, cookie))
			}
		}
		var body *strings.Reader
		if method == http.MethodPost {
			body = strings.NewReader(form.Encode())
		} else {
			body = strings.NewReader("")
		}
		req, _ := http.NewRequest(method, s.URL+path, body)
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if cookie.Value != "" {
			req.AddCookie(cookie)
		}
		res, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if !k.want(r, res) {
			t.Fatalf("%s %s with %s: %d %s", method, path, k.name, res.StatusCode, res.Header.Get("Location"))
		}
	})
}

// csrfOf reads the CSRF token of a session from a page.
func (s *site) csrfOf(t *testing.T, c *http.Cookie) string {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/datasets", nil)
	req.AddCookie(c)
	res, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return csrf(t, read(t, res))
}
