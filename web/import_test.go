package web_test

import "bytes"
import "mime/multipart"
import "net/http"
import "net/url"
import "strings"
import "testing"

import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/web"

// upload posts a multipart form: the fields in order, then the file.
func (s *site) upload(t *testing.T, path, token string, fields [][2]string, name, content string) page {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	res, err := s.client.Post(s.URL+path+"?csrf="+url.QueryEscape(token), mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, res)
}

func TestImportPreview(t *testing.T) {
	s, token := signedIn(t)
	ds := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"faq"}}).url
	const file = "id,question,answer,notes\n1,What is 2+2?,4,easy\n2,Capital of France?,Paris,\n"

	t.Run("ShowsWhatWouldBeImported", func(t *testing.T) {
		p := s.upload(t, ds+"/import/preview", token, nil, "faq.csv", file)
		if p.status != http.StatusOK {
			t.Fatalf("status %d: %s", p.status, p.body)
		}
		wantText(t, p, "Import preview: faq.csv", "<strong>2 items</strong> would be imported",
			"Detected: question", "Detected: answer", "Detected: none", "Capital of France?", "Paris",
			"Columns kept as metadata: “notes”", `<option value="notes">notes</option>`)
		if got := s.get(t, ds); !strings.Contains(got.body, "0 items") {
			t.Fatalf("a preview imported items")
		}
	})
	t.Run("ChangedMapping", func(t *testing.T) {
		p := s.upload(t, ds+"/import/preview", token, [][2]string{{"map.output", "notes"}}, "faq.csv", file)
		wantText(t, p, "Detected: question", `<option value="">Detect</option>`, `<option value="notes" selected>notes</option>`, "easy")
	})
	t.Run("Error", func(t *testing.T) {
		p := s.upload(t, ds+"/import/preview", token, [][2]string{{"map.input", "prompt"}}, "faq.csv", file)
		if p.status != http.StatusOK {
			t.Fatalf("status %d: %s", p.status, p.body)
		}
		wantText(t, p, `Line 1: CSV line 1: column &#34;prompt&#34; (map.input) is missing`, `<option value="question">`)
	})
	t.Run("ImportWithTheMapping", func(t *testing.T) {
		p := s.upload(t, ds+"/import", token, [][2]string{{"map.input", "answer"}, {"map.groundTruth", "question"}, {"map.output", ""}}, "faq.csv", file)
		wantText(t, p, "Imported 2 items.", "Capital of France?")
		for _, cell := range []string{
			`<td data-label="Input"><div class="cell" data-clip>Paris</div></td>`,
			`<td data-label="Ground truth"><div class="cell" data-clip>Capital of France?</div></td>`,
		} {
			if !strings.Contains(p.body, cell) {
				t.Errorf("the mapping was not applied: no %s in %s", cell, p.body)
			}
		}
	})
	t.Run("BadMapping", func(t *testing.T) {
		p := s.upload(t, ds+"/import", token, [][2]string{{"inputFrom", "firstMessage"}}, "faq.jsonl", `{"input":"x"}`)
		if p.status != http.StatusBadRequest {
			t.Fatalf("status %d", p.status)
		}
	})
}

// A .json file is a JSON array of item objects, previewed and imported as
// the API's sync reads one; its errors name the element.
func TestImportJSONArrayFile(t *testing.T) {
	s, token := signedIn(t)
	ds := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"array"}}).url
	const file = `[{"question": "What is 2+2?", "answer": "4"},
	 {"question": "Capital of France?", "answer": "Paris"}]`
	p := s.upload(t, ds+"/import/preview", token, nil, "faq.json", file)
	wantText(t, p, "Import preview: faq.json", "<strong>2 items</strong> would be imported", "Detected: question", "Paris")
	p = s.upload(t, ds+"/import/preview", token, nil, "bad.json", `[{"input":"a"}, {"answer":"no input"}]`)
	wantText(t, p, "element 2: each item must be an object with at least an &#39;input&#39; string")
	p = s.upload(t, ds+"/import", token, nil, "faq.json", file)
	wantText(t, p, "Imported 2 items.", "Capital of France?")
}

// TestImportLineFollowsFieldLimit: the pages read a file with the server's
// record limit, which follows --max-field-bytes: a line longer than the
// default limit imports when the fields it holds are allowed.
func TestImportLineFollowsFieldLimit(t *testing.T) {
	s := newSiteWith(t, func(ws *web.Server) {
		ws.API = &api.Server{Store: ws.Store, Limits: api.Limits{MaxFieldBytes: 24 << 20}}
	})
	token := s.signinOwner(t)
	ds := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"long"}}).url
	line := `{"input":"` + strings.Repeat("x", 20<<20) + `"}` + "\n" // past the default limit of 18.2 MiB
	p := s.upload(t, ds+"/import", token, nil, "long.jsonl", line)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Imported 1 item.") {
		t.Fatalf("import of a 20 MiB line under a 24 MiB field limit: %d", p.status)
	}
}
