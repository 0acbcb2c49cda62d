package web_test

import "html"
import "net/http"
import "net/netip"
import "net/url"
import "regexp"
import "strings"
import "testing"

import "github.com/strata-eval/strata/internal/testkit"
import "github.com/strata-eval/strata/web"

// noFollow is a client that shows redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// signinResponse posts the sign-in form with the given headers, without
// following the redirect.
func (s *site) signinResponse(t *testing.T, form url.Values, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", s.URL+"/signin", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func sessionCookie(t *testing.T, res *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range res.Cookies() {
		if c.Name == "strata_session" {
			return c
		}
	}
	t.Fatalf("no session cookie (%d)", res.StatusCode)
	return nil
}

// getWith asks for a page with the given session cookie only.
func (s *site) getWith(t *testing.T, path string, c *http.Cookie) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+path, nil)
	req.AddCookie(c)
	res, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func TestSessionCookieIsNoKey(t *testing.T) {
	s := newSite(t)
	c := sessionCookie(t, s.signinResponse(t, url.Values{"key": {s.owner}}, nil))
	if c.Value == s.owner || strings.Contains(c.Value, s.owner) {
		t.Fatal("the cookie holds the key")
	}
	if _, err := s.store.Authenticate(t.Context(), c.Value); err == nil {
		t.Fatal("the cookie's value is a key of the API")
	}
	if res := s.getWith(t, "/datasets", c); res.StatusCode != http.StatusOK {
		t.Fatalf("signed in: %d", res.StatusCode)
	}
}

func TestSignOutEndsTheSession(t *testing.T) {
	s := newSite(t)
	s.signin(t, s.owner)
	stolen := s.client.Jar.Cookies(mustURL(t, s.URL))[0] // a copy kept elsewhere
	p := s.get(t, "/datasets")
	s.post(t, "/signout", url.Values{"csrf": {csrf(t, p)}})
	if res := s.getWith(t, "/datasets", stolen); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
		t.Fatalf("the cookie of an ended session: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestRevokingTheKeyEndsItsSessions(t *testing.T) {
	s := newSite(t)
	c := sessionCookie(t, s.signinResponse(t, url.Values{"key": {s.owner}}, nil))
	p, err := s.store.Authenticate(t.Context(), s.owner)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.RevokeKey(t.Context(), p.KeyID); err != nil {
		t.Fatal(err)
	}
	if res := s.getWith(t, "/datasets", c); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a session of a revoked key: %d", res.StatusCode)
	}
}

func TestSignInRefusesOtherSites(t *testing.T) {
	s := newSite(t)
	for _, tc := range []struct {
		name   string
		header http.Header
		want   int
	}{
		{"CrossSite", http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{"SameSiteOtherOrigin", http.Header{"Sec-Fetch-Site": {"same-site"}}, http.StatusForbidden},
		{"OtherOrigin", http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"SameOrigin", http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {s.URL}}, http.StatusSeeOther},
		{"OwnOriginOnly", http.Header{"Origin": {s.URL}}, http.StatusSeeOther},
		{"NoBrowserHeaders", nil, http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := s.signinResponse(t, url.Values{"key": {s.owner}}, tc.header)
			if res.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.want)
			}
			if tc.want == http.StatusForbidden && len(res.Cookies()) > 0 {
				t.Fatal("a refused sign-in set a cookie")
			}
		})
	}
}

func TestSignInRedirectStaysOnSite(t *testing.T) {
	s := newSite(t)
	for _, tc := range []struct{ next, want string }{
		{"/datasets/x?after=3", "/datasets/x?after=3"},
		{"/datasets/x/versions", "/datasets/x/versions"},
		{"", "/datasets"},
		{"//evil.example/x", "/datasets"},
		{"/\t/evil.example", "/datasets"},
		{"/\n/evil.example", "/datasets"},
		{"/\r/evil.example", "/datasets"},
		{"/\x00/evil.example", "/datasets"},
		{"\t//evil.example", "/datasets"},
		{" //evil.example", "/datasets"},
		{`/\evil.example`, "/datasets"},
		{`\\evil.example`, "/datasets"},
		{`/x\y`, "/datasets"},
		{"/\u0085/evil.example", "/datasets"},
		{"https://evil.example", "/datasets"},
		{"http:/evil.example", "/datasets"},
		{"javascript:alert(1)", "/datasets"},
		{"evil.example", "/datasets"},
		{"/x\xff", "/datasets"},
	} {
		res := s.signinResponse(t, url.Values{"key": {s.owner}, "next": {tc.next}}, nil)
		if got := res.Header.Get("Location"); got != tc.want {
			t.Errorf("next %q: Location %q, want %q", tc.next, got, tc.want)
		}
	}
}

func TestSecureCookie(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config func(*web.Server)
		proto  string
		want   bool
	}{
		{"PlainHTTP", nil, "", false},
		{"UntrustedProxy", func(ws *web.Server) { ws.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} }, "https", false},
		{"NoProxyTrusted", nil, "https", false},
		{"TrustedProxyHTTPS", func(ws *web.Server) { ws.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} }, "https", true},
		{"TrustedProxyHTTP", func(ws *web.Server) { ws.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} }, "https, http", false},
		{"Forced", func(ws *web.Server) { ws.SecureCookies = true }, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSiteWith(t, tc.config)
			h := http.Header{}
			if tc.proto != "" {
				h.Set("X-Forwarded-Proto", tc.proto)
			}
			if got := sessionCookie(t, s.signinResponse(t, url.Values{"key": {s.owner}}, h)).Secure; got != tc.want {
				t.Errorf("Secure = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSignInAfterAnEndedSession: a form sent after the session ended leads
// through sign-in to a page that exists, the one the form was on as near as
// its path tells, and a page asked for leads back to itself.
func TestSignInAfterAnEndedSession(t *testing.T) {
	for _, tc := range []struct {
		name       string
		method     string
		path, want string // {id} is the dataset's id
	}{
		{"FormOfADataset", "POST", "/datasets/{id}/items", "/datasets/{id}"},
		{"FormOfAVersion", "POST", "/datasets/{id}/versions/1/restore", "/datasets/{id}"},
		{"FormOfNoDataset", "POST", "/signout", "/datasets"},
		{"Page", "GET", "/datasets/{id}/versions?x=1", "/datasets/{id}/versions?x=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t)
			_, d := s.ownerDataset(t, "ended")
			at := func(path string) string { return strings.ReplaceAll(path, "{id}", d.ID) }
			req, err := http.NewRequest(tc.method, s.URL+at(tc.path), strings.NewReader("csrf=stale"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := s.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			p := read(t, res)
			next := regexp.MustCompile(`name="next" value="([^"]*)"`).FindStringSubmatch(p.body)
			if next == nil {
				t.Fatalf("%s (%d) is no sign-in form", p.url, p.status)
			}
			if got, want := html.UnescapeString(next[1]), at(tc.want); got != want {
				t.Fatalf("next = %q, want %q", got, want)
			}
			if p := s.post(t, "/signin", url.Values{"key": {s.owner}, "next": {html.UnescapeString(next[1])}}); p.status != http.StatusOK {
				t.Fatalf("signed in: %s answered %d", p.url, p.status)
			}
		})
	}
}

// TestErrorPagesOfTheMux: an address with no page, or a method it does not
// take, answers the styled error page with its status.
func TestErrorPagesOfTheMux(t *testing.T) {
	s, _ := signedIn(t)
	_, d := s.ownerDataset(t, "errors")
	for _, tc := range []struct {
		name, path string
		status     int
		allow      string
	}{
		{"NotFound", "/datasets/" + d.ID + "/nothing", http.StatusNotFound, ""},
		{"MethodNotAllowed", "/datasets/" + d.ID + "/delete", http.StatusMethodNotAllowed, "POST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.client.Get(s.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
			if got := res.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", got)
			}
			p := read(t, res)
			if p.status != tc.status {
				t.Fatalf("status %d, want %d", p.status, tc.status)
			}
			wantText(t, p, `<link rel="stylesheet" href="/static/app.css">`, "Something went wrong")
		})
	}
}

// TestErrorPagesSignedIn: the error page of an address with no page shows
// the signed-in header when the browser is signed in, and not otherwise;
// when the session cannot be checked, it is the same page without it.
func TestErrorPagesSignedIn(t *testing.T) {
	store := &testkit.Outage{}
	s := newSiteWith(t, func(ws *web.Server) {
		store.Store = ws.Store
		ws.Store = store
	})
	const signedIn = `<span class="role" title="Your key's role">owner</span>`
	paths := []string{"/nothing", "/datasets/x/nothing"}
	t.Run("SignedOut", func(t *testing.T) {
		for _, path := range paths {
			p := s.get(t, path)
			wantStatus(t, p, http.StatusNotFound, "There is no page at this address.")
			if strings.Contains(p.body, "Sign out") {
				t.Fatalf("%s shows the signed-in header to a signed-out browser", path)
			}
		}
	})
	s.signin(t, s.owner)
	t.Run("SignedIn", func(t *testing.T) {
		for _, path := range paths {
			p := s.get(t, path)
			wantStatus(t, p, http.StatusNotFound, "There is no page at this address.")
			wantText(t, p, signedIn, `action="/signout"`, `name="csrf" value="`)
		}
	})
	t.Run("MethodNotAllowed", func(t *testing.T) {
		wantStatus(t, s.get(t, "/signout"), http.StatusMethodNotAllowed, signedIn)
	})
	t.Run("SessionUnchecked", func(t *testing.T) {
		store.Down.Store(true)
		defer store.Down.Store(false)
		p := s.get(t, paths[0])
		wantStatus(t, p, http.StatusNotFound, "There is no page at this address.")
		if strings.Contains(p.body, "Sign out") {
			t.Fatal("the page shows the signed-in header of a session it could not check")
		}
	})
}

// TestNoticeOnlyFromTheServer: a page shows the notice that a form's
// redirect gave it, and not one that a link makes up.
func TestNoticeOnlyFromTheServer(t *testing.T) {
	s, token := signedIn(t)
	redirects := &http.Client{Jar: s.client.Jar, CheckRedirect: noFollow.CheckRedirect}
	res, err := redirects.PostForm(s.URL+"/datasets", url.Values{"csrf": {token}, "name": {"notices"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	to, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("FromAForm", func(t *testing.T) {
		wantText(t, s.get(t, to.String()), `<p class="notice" role="status">Dataset created.</p>`)
	})
	t.Run("FromALink", func(t *testing.T) {
		if p := s.get(t, to.Path+"?notice=Your+key+was+revoked."); strings.Contains(p.body, `class="notice"`) {
			t.Fatal("the page shows the notice of a link")
		}
	})
	t.Run("SignatureOfAnotherNotice", func(t *testing.T) {
		q := to.Query()
		q.Set("notice", "Your key was revoked.")
		if p := s.get(t, to.Path+"?"+q.Encode()); strings.Contains(p.body, `class="notice"`) {
			t.Fatal("the page shows a notice signed for another")
		}
	})
}
