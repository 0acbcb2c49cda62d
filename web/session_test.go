package web_test

import "net/http"
import "net/netip"
import "net/url"
import "strings"
import "testing"

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
