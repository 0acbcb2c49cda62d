package web_test

import "encoding/json"
import "html"
import "net/http"
import "net/http/httptest"
import "net/url"
import "regexp"
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

// TestPagesAnswerAsTheAPI sends the same bad value to the API and to the
// page that takes it: both answer with the same status and message.
func TestPagesAnswerAsTheAPI(t *testing.T) {
	s, token := signedIn(t)
	apiSrv := httptest.NewServer((&api.Server{Store: s.store}).Handler())
	t.Cleanup(apiSrv.Close)
	ds := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"same answers"}}).url
	id := strings.TrimPrefix(ds, "/datasets/")
	p := s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"q"}})
	item := regexp.MustCompile(`id="item-([0-9a-f-]{36})"`).FindStringSubmatch(p.body)[1]
	call := func(t *testing.T, method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, apiSrv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.owner)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b struct{ Message string }
		json.NewDecoder(res.Body).Decode(&b)
		return res.StatusCode, b.Message
	}
	type answer func(t *testing.T) (status int, message string)
	page := func(path string, form url.Values) answer {
		return func(t *testing.T) (int, string) {
			form.Set("csrf", token)
			p := s.post(t, path, form)
			return p.status, p.body
		}
	}
	type sameCase struct {
		name      string
		api, page answer
		message   string // what the page says, when not the API's message
	}
	var cases []sameCase
	for _, tag := range []string{"latest", "123", "a b", "working", strings.Repeat("t", 65), "LATEST"} {
		cases = append(cases, sameCase{"Tag " + tag[:min(len(tag), 10)], func(t *testing.T) (int, string) {
			return call(t, "PUT", "/v1/datasets-v2/"+id+"/versions/1/tags/"+url.PathEscape(tag), "")
		}, page(ds+"/versions/1/tags", url.Values{"tag": {tag}}), ""})
	}
	for _, metadata := range []string{"[1,2]", `"text"`, "3", "null", "true"} {
		body, _ := json.Marshal(map[string]json.RawMessage{"metadata": json.RawMessage(metadata)})
		cases = append(cases, sameCase{"EditMetadata " + metadata, func(t *testing.T) (int, string) {
			return call(t, "PATCH", "/v1/datasets-v2/"+id+"/items/"+item, string(body))
		}, page(ds+"/items/"+item, url.Values{"input": {"q"}, "metadata": {metadata}}), ""})
		cases = append(cases, sameCase{"AddMetadata " + metadata, func(t *testing.T) (int, string) {
			return call(t, "POST", "/v1/datasets-v2/"+id+"/items", string(body))
		}, page(ds+"/items", url.Values{"input": {"q"}, "metadata": {metadata}}), ""})
	}
	// Metadata that decoding would change (U+FFFD for what is no
	// character, the last value of a key named twice) is refused, not
	// stored changed, with the API's status; the API speaks of its body,
	// the page names the field.
	for _, tc := range []struct{ name, metadata, message string }{
		{"NotUTF8", `{"a":"` + "\xff" + `"}`, "metadata is not valid UTF-8"},
		{"LoneSurrogate", `{"a":"\ud800"}`, `metadata: \ud800 is half of a UTF-16 surrogate pair, not a character`},
		{"DuplicateKey", `{"a":1,"a":2}`, `metadata: duplicate key "a"`},
		{"DuplicateNestedKey", `{"a":{"b":1,"b":2}}`, `metadata: duplicate key "b"`},
		{"DuplicateKeyInArray", `[{"a":1,"a":2}]`, `metadata: duplicate key "a"`},
	} {
		body := `{"input":"q","metadata":` + tc.metadata + `}`
		cases = append(cases, sameCase{"EditMetadata" + tc.name, func(t *testing.T) (int, string) {
			return call(t, "PATCH", "/v1/datasets-v2/"+id+"/items/"+item, body)
		}, page(ds+"/items/"+item, url.Values{"input": {"q"}, "metadata": {tc.metadata}}), tc.message})
		cases = append(cases, sameCase{"AddMetadata" + tc.name, func(t *testing.T) (int, string) {
			return call(t, "POST", "/v1/datasets-v2/"+id+"/items", body)
		}, page(ds+"/items", url.Values{"input": {"q"}, "metadata": {tc.metadata}}), tc.message})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, message := tc.api(t)
			if status < 400 || message == "" {
				t.Fatalf("the API took it: %d %q", status, message)
			}
			pageStatus, body := tc.page(t)
			if pageStatus != status {
				t.Errorf("the page answers %d, the API %d %q", pageStatus, status, message)
			}
			if tc.message != "" {
				message = tc.message
			}
			if !strings.Contains(html.UnescapeString(body), message) {
				t.Errorf("the page does not say %q", message)
			}
		})
	}
}

// TestPagesAnswerQueryAsTheAPI: a query that is not text (bytes that are
// no UTF-8, a NUL, a malformed escape) gets from a page the API's answer to
// the same query: 422 and the same message, not a list that matches
// nothing, or everything.
func TestPagesAnswerQueryAsTheAPI(t *testing.T) {
	s, token := signedIn(t)
	apiSrv := httptest.NewServer((&api.Server{Store: s.store}).Handler())
	t.Cleanup(apiSrv.Close)
	ds := newDataset(t, s, token, "the one item")
	id := strings.TrimPrefix(ds, "/datasets/")
	apiAnswer := func(t *testing.T, path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", apiSrv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+s.owner)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b struct{ Message string }
		if err := json.NewDecoder(res.Body).Decode(&b); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, b.Message
	}
	for _, tc := range []struct{ name, page, api, query string }{
		{"SearchNotUTF8", ds, "/v1/datasets-v2/" + id, "search=%ff"},
		{"SearchNUL", ds, "/v1/datasets-v2/" + id, "search=%00"},
		{"MetaNotUTF8", ds, "/v1/datasets-v2/" + id, "meta=a%3D%ff"},
		{"NameNotUTF8", ds, "/v1/datasets-v2/" + id, "%ff=1"},
		{"Malformed", ds, "/v1/datasets-v2/" + id, "search=%zz"},
		{"DatasetsSearchNotUTF8", "/datasets", "/v1/datasets-v2", "search=%ff"},
		{"VersionSearchNotUTF8", ds + "/versions/2", "/v1/datasets-v2/" + id + "/versions/2", "search=%ff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, message := apiAnswer(t, tc.api+"?"+tc.query)
			if status != http.StatusUnprocessableEntity || message == "" {
				t.Fatalf("the API answers %d %q", status, message)
			}
			p := s.get(t, tc.page+"?"+tc.query)
			if p.status != status {
				t.Errorf("the page answers %d, the API %d %q", p.status, status, message)
			}
			if !strings.Contains(html.UnescapeString(p.body), message) {
				t.Errorf("the page does not say the API's %q", message)
			}
		})
	}
}
