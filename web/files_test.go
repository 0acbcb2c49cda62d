package web_test

import "bytes"
import "fmt"
import "mime/multipart"
import "net/http"
import "net/url"
import "strings"
import "testing"

import "github.com/strata-eval/strata/web"

func TestStaticListsNoDirectory(t *testing.T) {
	s := newSite(t)
	if p := s.get(t, "/static/app.css"); p.status != http.StatusOK {
		t.Errorf("GET /static/app.css = %d, want 200", p.status)
	}
}

// TestStaticNotFoundIsStyled: a missing file, the folder, the folder
// without its slash and an index.html (which a file server redirects to its
// folder) are missing pages like any other: the styled 404 at that address,
// not the plain text of a file server, nor a redirect.
func TestStaticNotFoundIsStyled(t *testing.T) {
	s := newSite(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{"/static/", "/static", "/static/nope.js", "/static/app.css/", "/static/index.html", "/static/nope/index.html"} {
		t.Run(path, func(t *testing.T) {
			res, err := noFollow.Get(s.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			p := read(t, res)
			wantStatus(t, p, http.StatusNotFound, "There is no page at this address.")
			wantText(t, p, `<link rel="stylesheet" href="/static/app.css">`)
			if got, want := res.Header.Get("Content-Type"), "text/html; charset=utf-8"; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			if got, want := res.Header.Get("Cache-Control"), "no-store"; got != want {
				t.Errorf("Cache-Control = %q, want %q", got, want)
			}
		})
	}
}

// The pages declare an icon, and a browser that asks for /favicon.ico
// anyway gets it too.
func TestIcon(t *testing.T) {
	s := newSite(t)
	wantText(t, s.get(t, "/signin"), `<link rel="icon" href="/static/icon.svg"`)
	for _, path := range []string{"/static/icon.svg", "/favicon.ico"} {
		res, err := s.client.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		p := read(t, res)
		if p.status != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(p.body, "<svg") {
			t.Errorf("GET %s = %d %q: %.40s", path, p.status, res.Header.Get("Content-Type"), p.body)
		}
	}
}

func TestTruncatedUpload(t *testing.T) {
	s, token := signedIn(t)
	p := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"cut"}})
	ds := p.url

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", token)
	fw, _ := mw.CreateFormFile("file", "cases.jsonl")
	fw.Write([]byte("{\"input\":\"one\"}\n{\"input\":\"two\"}\n"))
	// No closing boundary: the connection dropped mid-file.
	res, err := s.client.Post(s.URL+ds+"/import?csrf="+url.QueryEscape(token), mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	p = read(t, res)
	if got, want := p.status, http.StatusBadRequest; got != want {
		t.Fatalf("truncated upload = %d, want %d: %s", got, want, p.body)
	}
	wantText(t, p, "cut short")
	if p := s.get(t, ds); !bytes.Contains([]byte(p.body), []byte("0 items")) {
		t.Fatalf("a truncated upload imported items: %s", p.body)
	}
}

func TestSafeCSVExport(t *testing.T) {
	for _, safe := range []bool{false, true} {
		t.Run(fmt.Sprint("SafeCSV=", safe), func(t *testing.T) {
			s := newSiteWith(t, func(w *web.Server) { w.SafeCSV = safe })
			token := s.signinOwner(t)
			ds := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"formulas"}}).url
			s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"=1+1"}})
			s.post(t, ds+"/save", url.Values{"csrf": {token}})

			p := s.get(t, ds+"/versions/latest/export?format=csv")
			header, row, _ := strings.Cut(p.body, "\r\n")
			if want := "id,input,groundTruth,output,externalId,metadata,splits"; header != want {
				t.Fatalf("header = %q, want %q", header, want)
			}
			input := `,"=1+1",`
			if safe {
				input = `,"'=1+1",`
			}
			if !strings.Contains(row, input) {
				t.Fatalf("export row = %q, want the input %s", row, input)
			}
		})
	}
}
