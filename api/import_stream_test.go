package api_test

import "fmt"
import "io"
import "net/http"
import "net/http/httptest"
import "strings"
import "testing"
import "testing/iotest"

import "github.com/strata-eval/strata/api"

// rawImport posts body as a raw import file of the given Content-Type.
func (ts *testServer) rawImport(t *testing.T, datasetID, query, contentType, body string) *response {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {contentType}}
	return ts.doWith(t, "POST", datasetsPath+"/"+datasetID+"/import"+query, h, body)
}

func TestRawImport(t *testing.T) {
	ts := newTestServerWith(t, func(s *api.Server) {
		s.Limits.MaxImportItems, s.Limits.MaxImportBytes, s.Limits.MaxFieldBytes = 5, 400, 20
	})
	id := ts.createDataset(t, "raw")

	t.Run("JSONL", func(t *testing.T) {
		r := ts.rawImport(t, id, "", "application/x-ndjson", "{\"input\":\"a\",\"ground_truth\":\"A\"}\n\n{\"input\":\"b\"}\n")
		wantStatus(t, r, http.StatusOK)
		if got := r.object(t)["insertedCount"]; got != 2.0 {
			t.Fatalf("insertedCount = %v, want 2", got)
		}
		// Without skipVersion, the import is a version of its own.
		if got, want := ts.versionNumber(t, id), 2; got != want {
			t.Fatalf("version = %d, want %d", got, want)
		}
		r = ts.rawImport(t, id, "?skipVersion=true", "application/jsonl; charset=utf-8", `{"input":"c"}`)
		wantStatus(t, r, http.StatusOK)
		if got, want := ts.versionNumber(t, id), 2; got != want {
			t.Fatalf("version after skipVersion = %d, want %d", got, want)
		}
	})
	t.Run("CSV", func(t *testing.T) {
		r := ts.rawImport(t, id, "?skipVersion=true", "text/csv", "\uFEFFinput,expected_output\n\"d, quoted\",D\ne,\n")
		wantStatus(t, r, http.StatusOK)
		if got := r.object(t)["insertedCount"]; got != 2.0 {
			t.Fatalf("insertedCount = %v, want 2", got)
		}
	})
	if got, want := inputs(ts.dataset(t, id)["items"].([]any)), []string{"a", "b", "c", "d, quoted", "e"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("items = %q, want %q", got, want)
	}

	// Each failure inserts nothing.
	for _, c := range []struct {
		name, contentType, body string
		status                  int
		message                 string
	}{
		{"BadLine", "application/x-ndjson", "{\"input\":\"x\"}\nnot json\n", 400, "Invalid JSONL: line 2: invalid character 'o' in literal null (expecting 'u')"},
		{"NoInput", "application/x-ndjson", "\n" + `{"output":"x"}`, 400, "JSONL line 2: each line must be a JSON object with at least an 'input' field"},
		{"NoInputColumn", "text/csv", "title\nx\n", 400, "CSV import requires a header row with at least an 'input' column"},
		{"NotUTF8", "application/x-ndjson", "{\"input\":\"x\xff\"}\n", 400, "Request body is not valid UTF-8"},
		{"TruncatedUTF8", "text/csv", "input\nx\xe2\x82", 400, "Request body is not valid UTF-8"},
		{"TooManyItems", "application/x-ndjson", strings.Repeat("{\"input\":\"x\"}\n", 6), 413, "An import holds at most 5 items"},
		{"FieldTooLarge", "text/csv", "input\n" + strings.Repeat("x", 21) + "\n", 413, "item 1: input is larger than 20 bytes"},
		{"BodyTooLarge", "application/x-ndjson", strings.Repeat("{\"input\":\"x\"}\n", 30), 413, "Request body too large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, ts.rawImport(t, id, "?skipVersion=true", c.contentType, c.body), c.status, c.message)
			if got, want := len(ts.dataset(t, id)["items"].([]any)), 5; got != want {
				t.Fatalf("%d items after a failed import, want %d", got, want)
			}
		})
	}
	t.Run("BodyTooLargeChunked", func(t *testing.T) {
		// Without a Content-Length the limit is found while reading.
		req, _ := http.NewRequest("POST", ts.URL+datasetsPath+"/"+id+"/import",
			io.NopCloser(strings.NewReader(strings.Repeat("{\"input\":\"x\"}\n", 30))))
		req.Header.Set("Authorization", "Bearer "+ts.owner)
		req.Header.Set("Content-Type", "application/x-ndjson")
		wantError(t, ts.roundTrip(t, req), http.StatusRequestEntityTooLarge, "Request body too large")
	})
	t.Run("Errors", func(t *testing.T) {
		wantStatus(t, ts.rawImport(t, "00000000-0000-4000-8000-000000000000", "", "text/csv", "input\nx\n"), http.StatusNotFound)
		h := http.Header{"Authorization": {"Bearer " + ts.viewer}, "Content-Type": {"text/csv"}}
		wantStatus(t, ts.doWith(t, "POST", datasetsPath+"/"+id+"/import", h, "input\nx\n"), http.StatusForbidden)
		// Other routes still take JSON only.
		h = http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {"text/csv"}}
		wantStatus(t, ts.doWith(t, "POST", datasetsPath+"/"+id+"/items", h, "input\nx\n"), http.StatusUnsupportedMediaType)
	})
}

// TestRawImportStreams sends a 64 MiB JSONL file through a pipe and watches
// the live heap while the server imports it: a server that read the body
// whole would hold all of it at once.
func TestRawImportStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 64 MiB")
	}
	const bodyBytes = 64 << 20
	ts := newTestServer(t)
	id := ts.createDataset(t, "stream")
	line := fmt.Sprintf("{\"input\":%q}\n", strings.Repeat("a question of some length ", 40)) // about 1 KiB
	lines := bodyBytes / len(line)

	grown := watchHeap(t)
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < lines; i++ {
			if _, err := io.WriteString(pw, line); err != nil {
				return
			}
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", ts.URL+datasetsPath+"/"+id+"/import?skipVersion=true", pr)
	req.Header.Set("Authorization", "Bearer "+ts.owner)
	req.Header.Set("Content-Type", "application/x-ndjson")
	r := ts.roundTrip(t, req)
	grew := grown()
	wantStatus(t, r, http.StatusOK)
	if got := r.object(t)["insertedCount"]; got != float64(lines) {
		t.Fatalf("insertedCount = %v, want %d", got, lines)
	}
	t.Logf("%d MiB imported; live heap grew by at most %.1f MiB", bodyBytes>>20, float64(grew)/(1<<20))
	// The heap holds the server, the store's driver and one batch; on
	// PostgreSQL that comes to about a quarter of the body. Holding the
	// body would show as all of it.
	if grew > bodyBytes/2 {
		t.Fatalf("live heap grew by %d bytes while importing %d: the body is held in memory", grew, bodyBytes)
	}
}

// FuzzRawImport sends arbitrary files as raw imports, JSONL and CSV, in
// pieces of arbitrary size: none may answer 5xx, and every error has a
// message.
func FuzzRawImport(f *testing.F) {
	for _, seed := range []string{
		"", "{\"input\":\"a\"}\n", "input\na\n", "\uFEFFinput,output\n\"a\nb\",c\n", "{\"input\":\"\xff\"}",
		"é\xe2\x82", "{\"input\":1}", "input\n\"unterminated", strings.Repeat("{\"input\":\"x\"}\n", 20),
	} {
		f.Add(seed, uint8(3))
	}
	ft := newFuzzTarget(f, smallImports)
	f.Fuzz(func(t *testing.T, body string, piece uint8) {
		for _, ct := range []string{"application/x-ndjson", "text/csv"} {
			req := httptest.NewRequest("POST", "/v1/datasets-v2/"+ft.dataset.ID+"/import?skipVersion=true",
				iotest.HalfReader(&pieces{data: []byte(body), n: 1 + int(piece)%16}))
			ft.send(t, req, ct)
		}
	})
}

// smallImports sets import limits that fuzzed inputs reach.
func smallImports(s *api.Server) {
	s.Limits.MaxImportItems, s.Limits.MaxImportBytes, s.Limits.MaxFieldBytes = 10, 1000, 100
}

// pieces reads data n bytes at a time.
type pieces struct {
	data []byte
	n    int
}

func (p *pieces) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	k := copy(b[:min(len(b), p.n)], p.data)
	p.data = p.data[k:]
	return k, nil
}
