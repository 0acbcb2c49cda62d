package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"
)

func TestStaticListsNoDirectory(t *testing.T) {
	s := newSite(t)
	for _, path := range []string{"/static/", "/static"} {
		if p := s.get(t, path); p.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, p.status)
		}
	}
	if p := s.get(t, "/static/app.css"); p.status != http.StatusOK {
		t.Errorf("GET /static/app.css = %d, want 200", p.status)
	}
}

func TestTruncatedUpload(t *testing.T) {
	s := newSite(t)
	s.signin(t, s.owner)
	token := csrf(t, s.get(t, "/datasets"))
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
