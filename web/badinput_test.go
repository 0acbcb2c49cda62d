package web_test

import "net/http"
import "net/url"
import "strings"
import "testing"

import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/web"

// TestPageBadInput sends a catalogue of malformed page requests: each must
// get a 4xx page with a message, never a 5xx, and leave the dataset as it
// was.
func TestPageBadInput(t *testing.T) {
	s := newSiteWith(t, func(ws *web.Server) {
		ws.API = &api.Server{Store: ws.Store, MaxBodyBytes: 64 << 10, Limits: api.Limits{MaxFieldBytes: 4 << 10, MaxImportBytes: 64 << 10}}
	})
	ds, token := s.newDataset(t, "catalogue")
	s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"the one item"}})
	before := s.get(t, ds).body
	boundary := "catalogueboundary"
	multipartType := "multipart/form-data; boundary=" + boundary
	filePart := func(name, content string) string {
		return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\n\r\n" + content
	}
	form := func(v url.Values) string { v.Set("csrf", token); return v.Encode() }
	formType := "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name, path, contentType, body string
		want                          int
	}{
		{"UploadTruncated", ds + "/import", multipartType, filePart("a.jsonl", `{"input":"x"}`+"\n"), http.StatusBadRequest},
		{"UploadNoFile", ds + "/import", multipartType, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--" + boundary + "--\r\n", http.StatusBadRequest},
		{"UploadNotMultipart", ds + "/import", formType, form(url.Values{}), http.StatusBadRequest},
		{"UploadTooLarge", ds + "/import", multipartType, filePart("a.csv", "input\n"+strings.Repeat("x", 70<<10)+"\n") + "\r\n--" + boundary + "--\r\n", http.StatusRequestEntityTooLarge},
		{"UploadNotUTF8", ds + "/import", multipartType, filePart("a.jsonl", "{\"input\":\"\xff\"}\n") + "\r\n--" + boundary + "--\r\n", http.StatusBadRequest},
		{"UploadNoInputColumn", ds + "/import", multipartType, filePart("a.csv", "colour\nx\n") + "\r\n--" + boundary + "--\r\n", http.StatusBadRequest},
		{"FormTooLarge", ds + "/items", formType, form(url.Values{"input": {strings.Repeat("x", 70<<10)}}), http.StatusRequestEntityTooLarge},
		{"FieldTooLarge", ds + "/items", formType, form(url.Values{"input": {strings.Repeat("x", 5<<10)}}), http.StatusRequestEntityTooLarge},
		{"BadFormEncoding", ds + "/items", formType, "csrf=" + url.QueryEscape(token) + "&input=%zz", http.StatusBadRequest},
		{"NULInName", ds + "/rename", formType, form(url.Values{"name": {"a\x00b"}}), http.StatusBadRequest},
		{"NameTooLong", ds + "/rename", formType, form(url.Values{"name": {strings.Repeat("n", 1001)}}), http.StatusUnprocessableEntity},
		{"VersionNameNotUTF8", ds + "/save", formType, form(url.Values{"name": {"v\xff"}}), http.StatusBadRequest},
		{"ItemNotUTF8", ds + "/items", formType, form(url.Values{"input": {"\xc3\x28"}}), http.StatusBadRequest},
		{"BadSlot", ds + "/evaluators/9/detach", formType, form(url.Values{}), http.StatusBadRequest},
		{"BadThreshold", ds + "/evaluators", formType, form(url.Values{"evaluatorId": {"x"}, "configType": {"model-scorer"}, "threshold": {"x"}}), http.StatusBadRequest},
		{"NoCSRF", ds + "/items", formType, "input=x", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if strings.HasPrefix(tc.contentType, "multipart/") {
				path += "?csrf=" + url.QueryEscape(token)
			}
			res, err := s.client.Post(s.URL+path, tc.contentType, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			p := read(t, res)
			if p.status != tc.want {
				t.Fatalf("status %d, want %d: %s", p.status, tc.want, p.body)
			}
			if !strings.Contains(p.body, `class="error"`) && !strings.Contains(p.body, "<h1") {
				t.Fatalf("no message: %s", p.body)
			}
		})
	}
	if after := s.get(t, ds).body; after != before {
		t.Error("a refused request changed the dataset")
	}
}
