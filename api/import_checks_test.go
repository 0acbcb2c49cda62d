package api_test

import "encoding/json"
import "fmt"
import "net/http"
import "reflect"
import "strings"
import "testing"

// What an import keeps, refuses and says: nothing of a file vanishes, a
// record the import would refuse is refused (and previewed) with its line.

// itemMetadata returns the metadata of a dataset's items, in order.
func (ts *testServer) itemMetadata(t *testing.T, id string) []any {
	t.Helper()
	var out []any
	for _, it := range ts.dataset(t, id)["items"].([]any) {
		out = append(out, it.(map[string]any)["metadata"])
	}
	return out
}

// TestImportKeepsEveryColumn: a CSV column with a header name another
// column has, or none, and a column passed over for a field, are listed in
// unmapped and kept in the metadata, under names of their own, whichever
// form the body has.
func TestImportKeepsEveryColumn(t *testing.T) {
	ts := newTestServer(t)
	for _, tt := range []struct {
		name, content string
		metadata      map[string]any
		unmapped      []string
	}{
		{"DuplicateName", "input,note,note\nhello,a,b\n", map[string]any{"note": "a", "note.1": "b"}, []string{"note", "note.1"}},
		{"DuplicateInput", "input,input\nx,y\n", map[string]any{"input.1": "y"}, []string{"input.1"}},
		{"PandasIndex", ",question\n0,q\n", map[string]any{"Unnamed: 0": "0"}, []string{"Unnamed: 0"}},
		{"EmptyHeader", "question,answer,,notes\nq,a,x,n\n", map[string]any{"Unnamed: 2": "x", "notes": "n"}, []string{"Unnamed: 2", "notes"}},
		{"PassedOver", "prompt,answer,ideal\np,a,i\n", map[string]any{"ideal": "i"}, []string{"ideal"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			forEachBody(t, func(t *testing.T, raw bool) {
				id := ts.createDataset(t, t.Name())
				r := ts.importTo(t, id, "", "csv", tt.content, raw)
				wantStatus(t, r, http.StatusOK)
				var res struct{ Unmapped []string }
				r.decode(t, &res)
				if got, want := res.Unmapped, tt.unmapped; !reflect.DeepEqual(got, want) {
					t.Errorf("unmapped = %q, want %q", got, want)
				}
				if got, want := ts.itemMetadata(t, id), []any{tt.metadata}; !reflect.DeepEqual(got, want) {
					t.Errorf("metadata = %v, want %v", got, want)
				}
			})
		})
	}
}

// TestImportRefusesCellBeyondHeader: a value past the last column of the
// header is refused with its line, and nothing is imported.
func TestImportRefusesCellBeyondHeader(t *testing.T) {
	ts := newTestServer(t)
	forEachBody(t, func(t *testing.T, raw bool) {
		id := ts.createDataset(t, t.Name())
		wantError(t, ts.importTo(t, id, "", "csv", "input,x\na,1\nb,2,3\n", raw), http.StatusBadRequest,
			"CSV line 3: a value in column 3, beyond the 2 columns of the header (a value holding a comma must be quoted)")
		if got := ts.triples(t, id); got != `null` {
			t.Errorf("items = %s after a refused import, want none", got)
		}
		// An empty cell there (a trailing comma) holds nothing to lose.
		wantStatus(t, ts.importTo(t, id, "", "csv", "input,x\na,1,\n", raw), http.StatusOK)
	})
}

// TestDuplicateKeysRefused: a JSON object that names a key twice, at any
// depth, is refused with the key and its line in Strata's raw imports and
// syncs; in Lunary's import body it keeps the last value, as Lunary does.
func TestDuplicateKeysRefused(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "duplicate keys")
	const dup = `duplicate key "input": an object names each key once`
	t.Run("RawImport", func(t *testing.T) {
		wantError(t, ts.rawImport(t, id, "", "application/x-ndjson", "{\"input\":\"a\"}\n{\"input\":\"x\",\"input\":\"y\"}\n"),
			http.StatusBadRequest, "JSONL line 2: "+dup)
	})
	t.Run("RawImportNested", func(t *testing.T) {
		wantError(t, ts.rawImport(t, id, "", "application/x-ndjson", `{"input":"x","metadata":{"a":1,"a":2}}`),
			http.StatusBadRequest, `JSONL line 1: duplicate key "a": an object names each key once`)
	})
	t.Run("Upsert", func(t *testing.T) {
		wantError(t, ts.rawImport(t, id, "?mode=upsert", "application/x-ndjson", `{"input":"x","input":"y"}`),
			http.StatusBadRequest, "JSONL line 1: "+dup)
	})
	for name, c := range map[string]struct{ contentType, body, message string }{
		"SyncJSONL":      {"application/x-ndjson", `{"input":"b","input":"B"}`, "JSONL line 1: " + dup},
		"SyncArray":      {"application/json", `[{"input":"a"},{"input":"b","input":"B"}]`, "element 2: " + dup},
		"SyncLunaryBody": {"application/json", `{"format":"jsonl","content":"{\"input\":\"b\",\"input\":\"B\"}"}`, "JSONL line 1: " + dup},
	} {
		t.Run(name, func(t *testing.T) {
			h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {c.contentType}}
			wantError(t, ts.doWith(t, "PUT", datasetsPath+"/"+id+"/items", h, c.body), http.StatusBadRequest, c.message)
		})
	}
	if got := ts.triples(t, id); got != `null` {
		t.Fatalf("items = %s after refused files, want none", got)
	}
	t.Run("LunaryBodyKeepsTheLast", func(t *testing.T) {
		wantStatus(t, ts.importTo(t, id, "", "jsonl", `{"input":"x","input":"y"}`, false), http.StatusOK)
		if got, want := ts.triples(t, id), `[["y",null,null]]`; got != want {
			t.Errorf("items = %s, want %s", got, want)
		}
	})
}

// TestExportOfLargestItemImportsAgain: an item whose three fields are at
// the field limit, of characters JSON escapes in six bytes, exports to a
// record far longer than the fields; the record limit follows the field
// limit, so that the export imports and syncs again.
func TestExportOfLargestItemImportsAgain(t *testing.T) {
	if testing.Short() {
		t.Skip("sends items of 3 MiB, exported as 19 MB")
	}
	ts := newTestServer(t)
	id := ts.createDataset(t, "largest")
	field := strings.Repeat("\x01", 1<<20) // the default field limit
	body, _ := json.Marshal(map[string]string{"input": field, "groundTruth": field, "output": field})
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/items", ts.owner, string(body)), http.StatusCreated)
	for _, format := range []string{"jsonl", "csv"} {
		t.Run(format, func(t *testing.T) {
			file := ts.export(t, id, "latest", format)
			if format == "jsonl" && len(file) <= 18<<20 {
				t.Fatalf("the export is %d bytes: not the worst case", len(file))
			}
			ct := map[string]string{"jsonl": "application/x-ndjson", "csv": "text/csv"}[format]
			other := ts.createDataset(t, "again "+format)
			wantStatus(t, ts.rawImport(t, other, "", ct, file), http.StatusOK)
			if got, want := ts.push(t, id, "", ct, file, http.StatusOK).counts(), "+0 ~0 -0 =1"; got != want {
				t.Errorf("sync of the export: %s, want %s", got, want)
			}
		})
	}
}

// TestRawImportErrorsNameTheLine: Strata's raw imports and syncs say on
// which line a record fails; Lunary's import body keeps Lunary's message.
func TestRawImportErrorsNameTheLine(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "lines")
	var file strings.Builder
	for range 50_000 {
		file.WriteString("{\"input\":\"fine\"}\n")
	}
	file.WriteString("{\"input\":\"broken\"\n")
	long := strings.Repeat("e", 256)
	for _, c := range []struct {
		name, contentType, body, message string
	}{
		{"JSONLBrokenLastLine", "application/x-ndjson", file.String(), "Invalid JSONL: line 50001: unexpected end of JSON input"},
		{"JSONLNoInput", "application/x-ndjson", "{\"input\":\"a\"}\n7\n", "JSONL line 2: each line must be a JSON object with at least an 'input' field"},
		{"CSVMetadata", "text/csv", "input,metadata\na,{}\n\nb,{x\n", "CSV line 4: metadata is not valid JSON"},
		{"CSVSplit", "text/csv", "input,splits\na,train\n\"b\nc\",a b\n", "CSV line 3: A split is 1 to 64 letters, digits, '-', '_' or '.'"},
		{"CSVExternalID", "text/csv", "input,externalId\na,e\nb," + long + "\n", "CSV line 3: externalId is 1 to 255 printable characters"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, ts.rawImport(t, id, "", c.contentType, c.body), http.StatusBadRequest, c.message)
			h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {c.contentType}}
			wantError(t, ts.doWith(t, "PUT", datasetsPath+"/"+id+"/items", h, c.body), http.StatusBadRequest, c.message)
		})
	}
	t.Run("LunaryBody", func(t *testing.T) {
		wantError(t, ts.importTo(t, id, "", "jsonl", "{\"input\":\"a\"}\n{\"input\":\"broken\"\n", false), http.StatusBadRequest,
			"Invalid JSONL: could not parse one of the lines")
		wantError(t, ts.importTo(t, id, "", "jsonl", "{\"input\":\"a\"}\n[1]\n", false), http.StatusBadRequest,
			"Each JSONL line must contain at least an 'input' field")
	})
	if got := ts.triples(t, id); got != `null` {
		t.Errorf("items = %s after refused files, want none", got)
	}
}

// previewError is the error of an import preview.
type previewError struct {
	Line    int    `json:"line"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// TestImportPreviewExternalIDs: the preview finds what the import refuses
// in the store: an externalId that two records give (400) and one a live
// item has (409), with the line, status and message of the import's error.
func TestImportPreviewExternalIDs(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "preview ids")
	wantStatus(t, ts.rawImport(t, id, "", "application/x-ndjson", `{"input":"held","externalId":"taken"}`), http.StatusOK)
	for _, c := range []struct {
		name, format, file string
		line, status       int
	}{
		{"TwoRecordsJSONL", "jsonl", "{\"input\":\"a\",\"externalId\":\"e\"}\n\n{\"input\":\"b\",\"externalId\":\"e\"}\n", 3, http.StatusBadRequest},
		{"TwoRecordsCSV", "csv", "input,externalId\na,e\nb,f\nc,e\n", 4, http.StatusBadRequest},
		{"LiveItemJSONL", "jsonl", "{\"input\":\"a\"}\n{\"input\":\"b\",\"externalId\":\"taken\"}\n", 2, http.StatusConflict},
		{"LiveItemCSV", "csv", "input,externalId\n\"a\nb\",taken\n", 2, http.StatusConflict},
	} {
		t.Run(c.name, func(t *testing.T) {
			forEachBody(t, func(t *testing.T, raw bool) {
				imported := ts.importTo(t, id, "?skipVersion=true", c.format, c.file, raw)
				var refusal struct{ Message string }
				imported.decode(t, &refusal)
				if got, want := imported.Status, c.status; got != want {
					t.Fatalf("import: status %d, want %d (%s)", got, want, imported.Body)
				}
				r := ts.importTo(t, id, "?dryRun=true", c.format, c.file, raw)
				wantStatus(t, r, http.StatusOK)
				var p struct{ Error *previewError }
				r.decode(t, &p)
				if p.Error == nil {
					t.Fatalf("preview error = null, want the import's: %s", refusal.Message)
				}
				if got, want := *p.Error, (previewError{Line: c.line, Status: c.status, Message: refusal.Message}); got != want {
					t.Errorf("preview error = %+v, want %+v", got, want)
				}
			})
		})
	}
	if got, want := len(ts.dataset(t, id)["items"].([]any)), 1; got != want {
		t.Errorf("%d items, want %d", got, want)
	}
}

// TestImportUnsupportedType: an import body of another type is 415 naming
// every type the route takes; an empty one is still Lunary's empty body.
func TestImportUnsupportedType(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "types")
	h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {"text/plain"}}
	wantError(t, ts.doWith(t, "POST", datasetsPath+"/"+id+"/import", h, "input\nq\n"), http.StatusUnsupportedMediaType,
		`Unsupported Content-Type "text/plain": an import body is JSON (application/json), JSON Lines (application/x-ndjson or application/jsonl) or CSV (text/csv)`)
	empty := ts.doWith(t, "POST", datasetsPath+"/"+id+"/import", h, "")
	object := ts.do(t, "POST", datasetsPath+"/"+id+"/import", ts.owner, "{}")
	if got, want := fmt.Sprint(empty.Status, string(empty.Body)), fmt.Sprint(object.Status, string(object.Body)); got != want {
		t.Errorf("empty text/plain body: %s, want as an empty JSON object: %s", got, want)
	}
	// Other routes still take JSON only.
	wantStatus(t, ts.doWith(t, "POST", datasetsPath+"/"+id+"/items", h, "x"), http.StatusUnsupportedMediaType)
}
