package api_test

import "encoding/json"
import "fmt"
import "net/http"
import "strings"
import "testing"

import "github.com/strata-eval/strata/api"

// awkwardItems are item bodies whose content an export must carry exactly:
// quotes, commas, newlines of every kind, spaces an import would trim,
// unicode, and null against empty.
var awkwardItems = []string{
	`{"input":"plain","groundTruth":"yes","output":"no"}`,
	`{"input":"","groundTruth":null,"output":null}`,
	`{"input":"","groundTruth":"","output":""}`,
	`{"input":"null vs empty","groundTruth":"","output":null}`,
	`{"input":"she said \"hi\", then left","groundTruth":"\"\"","output":"\""}`,
	`{"input":"a,b,,c","groundTruth":",","output":",\n,"}`,
	`{"input":"line one\nline two\r\nline three\rend","groundTruth":"\n","output":"\r\n"}`,
	`{"input":"  padded  ","groundTruth":" ","output":"\t"}`,
	`{"input":"日本語 🚀 café","groundTruth":"\ufeffbom","output":"\u2028"}`,
	`{"input":"input,groundTruth,output","groundTruth":"{\"json\":[1]}","output":"null"}`,
	// What a spreadsheet runs as a formula: exported as it is unless asked.
	`{"input":"=HYPERLINK(\"http://x\")","groundTruth":"+1","output":"-2"}`,
	`{"input":"@SUM(A1)","groundTruth":"\tx","output":"\rcr"}`,
}

// contents lists a dataset's working items as [input, groundTruth, output].
func (ts *testServer) contents(t *testing.T, id string) string {
	t.Helper()
	var items []struct {
		Input       string
		GroundTruth *string
		Output      *string
	}
	ts.do(t, "GET", datasetsPath+"/"+id+"/items", ts.owner, "").decode(t, &items)
	b, _ := json.Marshal(items)
	return string(b)
}

func TestExport(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "export")
	for _, body := range awkwardItems {
		wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/items?skipVersion=true", ts.owner, body), http.StatusCreated)
	}
	ts.snapshot(t, id) // 2
	wantStatus(t, ts.do(t, "PUT", datasetsPath+"/"+id+"/versions/2/tags/golden", ts.owner, ""), http.StatusOK)
	ts.createItem(t, id, "not in version 2")
	want := ts.contents(t, id)
	want = want[:strings.LastIndex(want, `,{"Input":"not in version 2"`)] + "]"

	for _, c := range []struct{ format, query, contentType string }{
		{"jsonl", "", "application/x-ndjson; charset=utf-8"},
		{"jsonl", "?format=jsonl", "application/x-ndjson; charset=utf-8"},
		{"csv", "?format=csv", "text/csv; charset=utf-8"},
		{"json", "?format=json", "application/json; charset=utf-8"},
	} {
		t.Run(c.format+c.query, func(t *testing.T) {
			r := ts.do(t, "GET", datasetsPath+"/"+id+"/versions/golden/export"+c.query, ts.viewer, "")
			wantStatus(t, r, http.StatusOK)
			if got := r.Header.Get("Content-Type"); got != c.contentType {
				t.Errorf("Content-Type = %q, want %q", got, c.contentType)
			}
			if got, want := r.Header.Get("Content-Disposition"), fmt.Sprintf(`attachment; filename="%s-v2.%s"`, id, c.format); got != want {
				t.Errorf("Content-Disposition = %q, want %q", got, want)
			}
			// What the export wrote imports back to the same content: a
			// JSON array by a sync, which takes one.
			copyID := ts.createDataset(t, "copy "+c.format+c.query)
			if c.format == "json" {
				wantStatus(t, ts.do(t, "PUT", datasetsPath+"/"+copyID+"/items", ts.owner, string(r.Body)), http.StatusOK)
			} else {
				body, _ := json.Marshal(map[string]string{"format": c.format, "content": string(r.Body)})
				wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+copyID+"/import", ts.owner, string(body)), http.StatusOK)
			}
			if got := ts.contents(t, copyID); got != want {
				t.Errorf("round trip through %s:\n got %s\nwant %s\nexport: %q", c.format, got, want, r.Body)
			}
		})
	}
	t.Run("Empty", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath+"/"+id+"/versions/1/export", ts.viewer, "")
		wantStatus(t, r, http.StatusOK)
		if len(r.Body) != 0 {
			t.Errorf("empty JSONL export = %q", r.Body)
		}
		r = ts.do(t, "GET", datasetsPath+"/"+id+"/versions/1/export?format=csv", ts.viewer, "")
		if got := string(r.Body); got != "id,input,groundTruth,output,externalId,metadata,splits\r\n" {
			t.Errorf("empty CSV export = %q", got)
		}
		r = ts.do(t, "GET", datasetsPath+"/"+id+"/versions/1/export?format=json", ts.viewer, "")
		if got := string(r.Body); got != "[]\n" {
			t.Errorf("empty JSON export = %q", got)
		}
	})
	t.Run("ErrFormat", func(t *testing.T) {
		wantValidation(t, ts.do(t, "GET", datasetsPath+"/"+id+"/versions/2/export?format=xml", ts.owner, ""),
			`Validation error: Invalid enum value. Expected 'jsonl' | 'csv' | 'json', received 'xml' at "format"`)
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/versions/2/export?format=xml", ts.other, ""), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/versions/7/export", ts.owner, ""), http.StatusNotFound, "Dataset version not found")
	})
}

func TestSafeCSVExport(t *testing.T) {
	for _, c := range []struct {
		name       string
		serverSafe bool
		query      string
		wantSafe   bool
	}{
		{"OffByDefault", false, "", false},
		{"Asked", false, "&safe=true", true},
		{"ServerDefault", true, "", true},
		{"ServerDefaultTurnedOff", true, "&safe=false", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts := newTestServerWith(t, func(s *api.Server) { s.SafeCSV = c.serverSafe })
			id := ts.createDataset(t, "formulas")
			var ids []string
			for _, body := range []string{
				`{"input":"=1+1","groundTruth":"+1","output":"\tx"}`,
				`{"input":"a=1","groundTruth":"@me","output":"\rcr"}`,
				`{"input":"-1","groundTruth":null,"output":""}`,
			} {
				r := ts.do(t, "POST", datasetsPath+"/"+id+"/items", ts.owner, body)
				wantStatus(t, r, http.StatusCreated)
				ids = append(ids, r.object(t)["id"].(string))
			}
			r := ts.do(t, "GET", datasetsPath+"/"+id+"/versions/latest/export?format=csv"+c.query, ts.viewer, "")
			wantStatus(t, r, http.StatusOK)
			// Ids, metadata and splits are never formulas: only the text
			// fields change.
			q := "'"
			if !c.wantSafe {
				q = ""
			}
			want := "id,input,groundTruth,output,externalId,metadata,splits\r\n" +
				`"` + ids[0] + `","` + q + `=1+1","` + q + `+1","` + q + "\tx\",,\"{}\",\"\"\r\n" +
				`"` + ids[1] + `","a=1","` + q + `@me","` + q + "\rcr\",,\"{}\",\"\"\r\n" +
				`"` + ids[2] + `","` + q + `-1",,"",,"{}",""` + "\r\n"
			if got := string(r.Body); got != want {
				t.Fatalf("export:\n got %q\nwant %q", got, want)
			}
			// JSONL is never changed.
			r = ts.do(t, "GET", datasetsPath+"/"+id+"/versions/latest/export?format=jsonl"+c.query, ts.viewer, "")
			if !strings.HasPrefix(string(r.Body), `{"id":"`+ids[0]+`","input":"=1+1"`) {
				t.Fatalf("JSONL export changed: %q", r.Body)
			}
		})
	}
	t.Run("ErrSafe", func(t *testing.T) {
		ts := newTestServer(t)
		id := ts.createDataset(t, "formulas")
		wantValidation(t, ts.do(t, "GET", datasetsPath+"/"+id+"/versions/1/export?format=csv&safe=maybe", ts.owner, ""),
			`Validation error: Invalid enum value. Expected 'true' | 'false', received 'maybe' at "safe"`)
	})
}
