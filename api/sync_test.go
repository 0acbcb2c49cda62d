package api_test

import "encoding/json"
import "fmt"
import "net/http"
import "slices"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/wire"

// syncResult is the answer of a sync or an upsert, as the client reads it.
type syncResult wire.SyncResult

func (s syncResult) counts() string {
	return fmt.Sprintf("+%d ~%d -%d =%d", s.Added, s.Modified, s.Removed, s.Unchanged)
}

// push sends a sync body of the given Content-Type.
func (ts *testServer) push(t *testing.T, datasetID, query, contentType, body string, status int) syncResult {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {contentType}}
	r := ts.doWith(t, "PUT", datasetsPath+"/"+datasetID+"/items"+query, h, body)
	wantStatus(t, r, status)
	var out syncResult
	if status == http.StatusOK {
		r.decode(t, &out)
	}
	return out
}

func (ts *testServer) export(t *testing.T, datasetID, ref, format string) string {
	t.Helper()
	r := ts.do(t, "GET", datasetsPath+"/"+datasetID+"/versions/"+ref+"/export?format="+format, ts.owner, "")
	wantStatus(t, r, http.StatusOK)
	return string(r.Body)
}

func TestSync(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "sync")
	file := `{"input":"a","externalId":"A","splits":["test"]}
{"input":"b","metadata":{"lang":"en"}}
{"input":"b","metadata":{"lang":"en"}}
`
	first := ts.push(t, id, "?name=first", "application/x-ndjson", file, http.StatusOK)
	if got, want := first.counts(), "+3 ~0 -0 =0"; got != want {
		t.Fatalf("first push: %s, want %s", got, want)
	}
	if first.Version == nil || first.Version.VersionNumber != 2 || first.Version.Name == nil || *first.Version.Name != "first" {
		t.Fatalf("first push made version %+v", first.Version)
	}
	t.Run("SameFileNoVersion", func(t *testing.T) {
		again := ts.push(t, id, "", "application/x-ndjson", file, http.StatusOK)
		if got, want := again.counts(), "+0 ~0 -0 =3"; got != want {
			t.Fatalf("second push: %s, want %s", got, want)
		}
		if again.Version != nil {
			t.Fatalf("second push made a version")
		}
		if got := ts.versionNumber(t, id); got != 2 {
			t.Fatalf("version %d, want 2", got)
		}
	})
	items := ts.dataset(t, id)["items"].([]any)
	before := ids(items, "id")
	t.Run("MatchByExternalIDThenContent", func(t *testing.T) {
		// A's input changes (matched by externalId); one b goes; c comes.
		file := `{"input":"a2","externalId":"A","splits":["test"]}
{"input":"b","metadata":{"lang":"en"}}
{"input":"c"}
`
		dry := ts.push(t, id, "?dryRun=true", "application/x-ndjson", file, http.StatusOK)
		if got, want := dry.counts(), "+1 ~1 -1 =1"; got != want {
			t.Fatalf("dry run: %s, want %s", got, want)
		}
		if len(dry.Changes) != 3 || dry.Changes[0].Change != "modified" || dry.Changes[1].Change != "added" ||
			dry.Changes[2].Change != "removed" || dry.Changes[1].ItemID != "" {
			t.Fatalf("dry run changes: %+v", dry.Changes)
		}
		if got := ts.versionNumber(t, id); got != 2 {
			t.Fatalf("a dry run made version %d", got)
		}
		res := ts.push(t, id, "", "application/x-ndjson", file, http.StatusOK)
		if got, want := res.counts(), dry.counts(); got != want {
			t.Fatalf("push: %s, dry run said %s", got, want)
		}
		if res.Version == nil || res.Version.VersionNumber != 3 {
			t.Fatalf("push made version %+v", res.Version)
		}
		after := ids(ts.dataset(t, id)["items"].([]any), "id")
		if after[0] != before[0] || after[1] != before[1] || slices.Contains(after, before[2]) {
			t.Fatalf("ids before %v, after %v", before, after)
		}
		if got := inputs(ts.dataset(t, id)["items"].([]any)); !slices.Equal(got, []string{"a2", "b", "c"}) {
			t.Fatalf("items %q", got)
		}
	})
	t.Run("MatchByID", func(t *testing.T) {
		body, _ := json.Marshal([]map[string]any{{"id": before[0], "input": "renamed", "externalId": "A2"}})
		res := ts.push(t, id, "?skipVersion=true", "application/json", string(body), http.StatusOK)
		if got, want := res.counts(), "+0 ~1 -2 =0"; got != want {
			t.Fatalf("push: %s, want %s", got, want)
		}
		if res.Version != nil {
			t.Fatalf("skipVersion made a version")
		}
		items := ts.dataset(t, id)["items"].([]any)
		if got := ids(items, "id"); !slices.Equal(got, before[:1]) {
			t.Fatalf("ids %v", got)
		}
	})
	t.Run("LunaryBodyAndCSV", func(t *testing.T) {
		body, _ := json.Marshal(map[string]string{"format": "csv", "content": "input,splits\nx,\"train,test\"\ny,\n"})
		res := ts.push(t, id, "", "application/json", string(body), http.StatusOK)
		if got, want := res.counts(), "+2 ~0 -1 =0"; got != want {
			t.Fatalf("push: %s, want %s", got, want)
		}
		res = ts.push(t, id, "", "text/csv", "input,splits\nx,\"test, train\"\ny,\n", http.StatusOK)
		if got, want := res.counts(), "+0 ~0 -0 =2"; got != want {
			t.Fatalf("push: %s, want %s", got, want)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		v := ts.versionNumber(t, id)
		for name, c := range map[string]struct {
			contentType, body string
			status            int
			message           string
		}{
			"TwoExternalIDs": {"application/x-ndjson", "{\"input\":\"p\",\"externalId\":\"E\"}\n{\"input\":\"q\",\"externalId\":\"E\"}\n", 400, `externalId "E" is in two records: a file names each item once`},
			"BadSplit":       {"application/x-ndjson", `{"input":"p","splits":["a b"]}`, 400, "JSONL line 1: A split is 1 to 64 letters, digits, '-', '_' or '.'"},
			"NotArray":       {"application/json", `"x"`, 400, "A sync body is a file or a JSON array or object"},
			"BadElement":     {"application/json", `[{"output":"x"}]`, 400, "element 1: each item must be an object with at least an 'input' string"},
			"Form":           {"application/x-www-form-urlencoded", `a=b`, 415, "A sync body is JSONL (application/x-ndjson or application/jsonl), CSV (text/csv) or JSON (application/json)"},
		} {
			t.Run(name, func(t *testing.T) {
				h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {c.contentType}}
				wantError(t, ts.doWith(t, "PUT", datasetsPath+"/"+id+"/items", h, c.body), c.status, c.message)
			})
		}
		// The version's name and description, as a version's body has them.
		h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {"application/x-ndjson"}}
		long := "?description=" + strings.Repeat("d", strata.MaxDescriptionLength+1)
		wantValidation(t, ts.doWith(t, "PUT", datasetsPath+"/"+id+"/items"+long, h, `{"input":"p"}`),
			`Validation error: String must contain at most 10000 character(s) at "description"`)
		if got := ts.versionNumber(t, id); got != v {
			t.Fatalf("failed pushes made versions: %d, want %d", got, v)
		}
	})
	t.Run("IfMatch", func(t *testing.T) {
		h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {"application/x-ndjson"}, "If-Match": {`"1"`}}
		r := ts.doWith(t, "PUT", datasetsPath+"/"+id+"/items", h, `{"input":"z"}`)
		wantStatus(t, r, http.StatusPreconditionFailed)
	})
	t.Run("IdempotencyKey", func(t *testing.T) {
		h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {"application/x-ndjson"}, "Idempotency-Key": {"push-1"}}
		r1 := ts.doWith(t, "PUT", datasetsPath+"/"+id+"/items", h, `{"input":"k"}`)
		wantStatus(t, r1, http.StatusOK)
		v := ts.versionNumber(t, id)
		// A later push, then a retry of the first: the retry is answered
		// from the key and does not undo the later push.
		ts.push(t, id, "", "application/x-ndjson", "{\"input\":\"k\"}\n{\"input\":\"l\"}\n", http.StatusOK)
		r2 := ts.doWith(t, "PUT", datasetsPath+"/"+id+"/items", h, `{"input":"k"}`)
		wantStatus(t, r2, http.StatusOK)
		if r2.Header.Get("Idempotent-Replayed") != "true" || string(r2.Body) != string(r1.Body) {
			t.Fatalf("retry was not replayed: %s", r2.Body)
		}
		if got := ts.versionNumber(t, id); got != v+1 {
			t.Fatalf("version %d, want %d", got, v+1)
		}
	})
}

func TestImportUpsert(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "upsert")
	body := func(content string) string {
		b, _ := json.Marshal(map[string]string{"format": "jsonl", "content": content})
		return string(b)
	}
	r := ts.do(t, "POST", datasetsPath+"/"+id+"/import?mode=upsert", ts.owner, body(`{"input":"a","externalId":"A"}`+"\n"+`{"input":"b"}`))
	wantStatus(t, r, http.StatusOK)
	var res syncResult
	r.decode(t, &res)
	if got, want := res.counts(), "+2 ~0 -0 =0"; got != want {
		t.Fatalf("first upsert: %s, want %s", got, want)
	}
	first := ids(ts.dataset(t, id)["items"].([]any), "id")
	// By externalId, by id, and a new one; nothing is removed.
	content := `{"input":"a2","externalId":"A"}` + "\n" + fmt.Sprintf(`{"id":%q,"input":"b"}`, first[1]) + "\n" + `{"input":"c"}`
	h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {"application/x-ndjson"}}
	r = ts.doWith(t, "POST", datasetsPath+"/"+id+"/import?mode=upsert", h, content)
	wantStatus(t, r, http.StatusOK)
	r.decode(t, &res)
	if got, want := res.counts(), "+1 ~1 -0 =1"; got != want {
		t.Fatalf("second upsert: %s, want %s", got, want)
	}
	items := ts.dataset(t, id)["items"].([]any)
	if got := inputs(items); !slices.Equal(got, []string{"a2", "b", "c"}) {
		t.Fatalf("items %q", got)
	}
	if got := ids(items, "id"); got[0] != first[0] || got[1] != first[1] {
		t.Fatalf("ids %v, were %v", got, first)
	}
	wantValidation(t, ts.do(t, "POST", datasetsPath+"/"+id+"/import?mode=merge", ts.owner, body(`{"input":"x"}`)),
		`Validation error: Invalid enum value. Expected 'append' | 'upsert', received 'merge' at "mode"`)
}

// An upsert with dryRun=true writes nothing, and answers what it would do,
// whichever way the file is sent.
func TestImportUpsertDryRun(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "upsert-dry")
	ts.createItem(t, id, "kept")
	forEachBody(t, func(t *testing.T, raw bool) {
		before := ts.dataset(t, id)
		r := ts.importTo(t, id, "?mode=upsert&dryRun=true", "jsonl", `{"input":"should not be written"}`+"\n", raw)
		wantStatus(t, r, http.StatusOK)
		var res syncResult
		r.decode(t, &res)
		if got, want := res.counts(), "+1 ~0 -0 =0"; got != want || res.More == nil || res.Version != nil || len(res.Changes) != 1 {
			t.Fatalf("dry upsert: %s, more %v, version %v, %d changes; want %s, a dry run's answer, no version, 1 change",
				got, res.More, res.Version, len(res.Changes), want)
		}
		after := ts.dataset(t, id)
		if got := inputs(after["items"].([]any)); !slices.Equal(got, []string{"kept"}) ||
			after["currentVersionNumber"] != before["currentVersionNumber"] {
			t.Fatalf("a dry upsert changed the dataset: items %q, version %v -> %v", got, before["currentVersionNumber"], after["currentVersionNumber"])
		}
		// It answers with the ETag of the dataset it read, to apply it with.
		etag := ts.do(t, "GET", datasetsPath+"/"+id, ts.viewer, "").Header.Get("ETag")
		if got := r.Header.Get("ETag"); got != etag {
			t.Errorf("dry upsert's ETag = %q, want the dataset's %q", got, etag)
		}
	})
}

// A sync or an upsert that would hold more than --max-sync-bytes of items
// in memory is 413 with a message, and changes nothing; a smaller file
// applies.
func TestSyncMemoryBound(t *testing.T) {
	ts := newTestServerWith(t, func(s *api.Server) { s.Limits.MaxSyncBytes = 4000 })
	id := ts.createDataset(t, "bounded")
	ts.createItem(t, id, "kept")
	var file strings.Builder
	for i := range 5 {
		fmt.Fprintf(&file, "{\"input\":\"%d %s\"}\n", i, strings.Repeat("x", 1000))
	}
	before := ts.dataset(t, id)
	h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {"application/x-ndjson"}}
	for _, req := range []struct{ name, method, path string }{
		{"Sync", "PUT", "/items"},
		{"Upsert", "POST", "/import?mode=upsert"},
	} {
		t.Run(req.name, func(t *testing.T) {
			r := ts.doWith(t, req.method, datasetsPath+"/"+id+req.path, h, file.String())
			wantStatus(t, r, http.StatusRequestEntityTooLarge)
			var body struct{ Message string }
			r.decode(t, &body)
			if want := "This sync would hold more than 4000 bytes of items in memory"; !strings.HasPrefix(body.Message, want) {
				t.Errorf("message %q, want it to start %q", body.Message, want)
			}
			after := ts.dataset(t, id)
			if after["currentVersionNumber"] != before["currentVersionNumber"] || len(after["items"].([]any)) != 1 {
				t.Fatalf("a refused %s changed the dataset: %v", req.name, after)
			}
		})
	}
	one, _, _ := strings.Cut(file.String(), "\n")
	if got, want := ts.push(t, id, "", "application/x-ndjson", one, http.StatusOK).counts(), "+1 ~0 -1 =0"; got != want {
		t.Errorf("within the bound: %s, want %s", got, want)
	}
}

// A dataset pulled as a file, edited and pushed back changes exactly what
// was edited, in one version that the diff describes alike.
func TestSyncTenThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 items")
	}
	ts := newTestServer(t)
	id := ts.createDataset(t, "big")
	var b strings.Builder
	for i := range 10_000 {
		fmt.Fprintf(&b, `{"input":"q%d","groundTruth":"a%d","metadata":{"n":%d},"splits":["%s"]}`+"\n", i, i, i, []string{"train", "test"}[i%2])
	}
	h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {"application/x-ndjson"}}
	wantStatus(t, ts.doWith(t, "POST", datasetsPath+"/"+id+"/import", h, b.String()), http.StatusOK)
	from := ts.versionNumber(t, id)

	lines := strings.Split(strings.TrimSuffix(ts.export(t, id, "latest", "jsonl"), "\n"), "\n")
	if len(lines) != 10_000 {
		t.Fatalf("export has %d lines", len(lines))
	}
	var edited []string
	for i, line := range lines {
		switch {
		case i%1000 == 7: // 10 changed
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
			rec["output"] = "changed"
			out, _ := json.Marshal(rec)
			edited = append(edited, string(out))
		case i%2000 == 13: // 5 deleted
		default:
			edited = append(edited, line)
		}
	}
	for i := range 5 { // 5 added
		edited = append(edited, fmt.Sprintf(`{"input":"new%d"}`, i))
	}
	res := ts.push(t, id, "", "application/x-ndjson", strings.Join(edited, "\n")+"\n", http.StatusOK)
	if got, want := res.counts(), "+5 ~10 -5 =9985"; got != want {
		t.Fatalf("push: %s, want %s", got, want)
	}
	if res.Version == nil || res.Version.VersionNumber != from+1 {
		t.Fatalf("push made version %+v, want %d", res.Version, from+1)
	}
	r := ts.do(t, "GET", fmt.Sprintf("%s/%s/diff?from=%d&to=%d", datasetsPath, id, from, from+1), ts.owner, "")
	wantStatus(t, r, http.StatusOK)
	var diff struct {
		Counts struct{ Added, Removed, Modified, Unchanged int }
	}
	r.decode(t, &diff)
	if got, want := fmt.Sprintf("+%d ~%d -%d =%d", diff.Counts.Added, diff.Counts.Modified, diff.Counts.Removed, diff.Counts.Unchanged), res.counts(); got != want {
		t.Fatalf("diff says %s, the push %s", got, want)
	}
	again := ts.push(t, id, "", "application/x-ndjson", strings.Join(edited, "\n")+"\n", http.StatusOK)
	if got, want := again.counts(), "+0 ~0 -0 =10000"; got != want || again.Version != nil {
		t.Fatalf("pushing again: %s (version %+v), want %s and none", got, again.Version, want)
	}
}

// Export then import, in either format, gives the same items: the content
// hash of the new dataset's version equals the original's once ids are set
// aside, which a sync of the export into the original shows (no change).
func TestExportImportRoundTripFields(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "fields")
	for _, body := range []string{
		`{"input":"plain"}`,
		`{"input":"all","groundTruth":"","output":"o, \"q\"\n","metadata":{"lang":"en","turns":3,"tags":["x","y"],"deep":{"k":null}},"splits":["train","test"],"externalId":"ext, 1"}`,
		`{"input":"  spaced  ","metadata":{"emoji":"🚀","html":"<b>&</b>"},"splits":["dev"]}`,
	} {
		wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/items?skipVersion=true", ts.owner, body), http.StatusCreated)
	}
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, "{}"), http.StatusCreated)
	for _, format := range []string{"jsonl", "csv"} {
		t.Run(format, func(t *testing.T) {
			file := ts.export(t, id, "latest", format)
			contentType := map[string]string{"jsonl": "application/x-ndjson", "csv": "text/csv"}[format]
			res := ts.push(t, id, "?dryRun=true", contentType, file, http.StatusOK)
			if got, want := res.counts(), "+0 ~0 -0 =3"; got != want {
				t.Fatalf("sync of the export: %s, want %s", got, want)
			}
			copyID := ts.createDataset(t, "copy "+format)
			h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {contentType}}
			wantStatus(t, ts.doWith(t, "POST", datasetsPath+"/"+copyID+"/import", h, file), http.StatusOK)
			if got, want := withoutIDs(t, ts.export(t, copyID, "latest", "jsonl")), withoutIDs(t, ts.export(t, id, "latest", "jsonl")); got != want {
				t.Fatalf("imported copy:\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// withoutIDs drops the id key of each line of a JSONL export.
func withoutIDs(t *testing.T, jsonl string) string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(jsonl), "\n") {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		delete(rec, "id")
		b, _ := json.Marshal(rec)
		out = append(out, string(b))
	}
	return strings.Join(out, "\n")
}

// A dry run writes nothing: a viewer may preview an import, an upsert or a
// sync, and is refused the same requests without dryRun.
func TestViewerDryRuns(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "previewed")
	ts.createItem(t, id, "kept")
	before := ts.dataset(t, id)
	h := http.Header{"Authorization": {"Bearer " + ts.viewer}, "Content-Type": {"application/x-ndjson"}}
	for _, req := range []struct{ method, path string }{
		{"PUT", "/items"},
		{"POST", "/import"},
		{"POST", "/import?mode=upsert"},
	} {
		sep := "?"
		if strings.Contains(req.path, "?") {
			sep = "&"
		}
		wantStatus(t, ts.doWith(t, req.method, datasetsPath+"/"+id+req.path+sep+"dryRun=true", h, `{"input":"new"}`+"\n"), http.StatusOK)
		wantStatus(t, ts.doWith(t, req.method, datasetsPath+"/"+id+req.path, h, `{"input":"new"}`+"\n"), http.StatusForbidden)
		wantStatus(t, ts.doWith(t, req.method, datasetsPath+"/"+id+req.path+sep+"dryRun=false", h, `{"input":"new"}`+"\n"), http.StatusForbidden)
	}
	after := ts.dataset(t, id)
	if got := inputs(after["items"].([]any)); !slices.Equal(got, []string{"kept"}) || after["currentVersionNumber"] != before["currentVersionNumber"] {
		t.Fatalf("a viewer's requests changed the dataset: %q, version %v -> %v", got, before["currentVersionNumber"], after["currentVersionNumber"])
	}
}

// A sync and an upsert say how the file's columns were read, as an import
// does: every body form, the columns it took and the ones kept in metadata.
func TestSyncReportsMapping(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "sync mapping")
	h := http.Header{"Authorization": {"Bearer " + ts.owner}}
	cases := []struct {
		name, method, query, contentType, body string
	}{
		{"SyncJSONL", "PUT", "/items", "application/x-ndjson", `{"question":"q","answer":"a","source":"wiki"}`},
		{"SyncCSV", "PUT", "/items", "text/csv", "question,answer,source\nq,a,wiki\n"},
		{"SyncJSONArray", "PUT", "/items", "application/json", `[{"question":"q","answer":"a","source":"wiki"}]`},
		{"SyncDryRun", "PUT", "/items?dryRun=true", "text/csv", "question,answer,source\nq2,a,wiki\n"},
		{"Upsert", "POST", "/import?mode=upsert", "application/x-ndjson", `{"question":"q3","answer":"a","source":"wiki"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h.Set("Content-Type", c.contentType)
			r := ts.doWith(t, c.method, datasetsPath+"/"+id+c.query, h, c.body)
			wantStatus(t, r, http.StatusOK)
			var res syncResult
			r.decode(t, &res)
			m := res.Mapping
			if m.Input == nil || *m.Input != "question" || m.GroundTruth == nil || *m.GroundTruth != "answer" || m.Output != nil {
				t.Errorf("mapping %+v, want input question, groundTruth answer, no output", m)
			}
			if !slices.Equal(res.Unmapped, []string{"source"}) {
				t.Errorf("unmapped %q, want [source]", res.Unmapped)
			}
		})
	}
}
