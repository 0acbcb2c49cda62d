package api_test

import "encoding/json"
import "fmt"
import "math"
import "net/http"
import "net/url"
import "os"
import "strconv"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/eval"

// The OpenAPI document against the code: the limits it declares are the
// code's (by its constants where there are some, by the server's answers at
// the bounds where there are none), the statuses of the rules are those its
// responses say, and the headers the server sends are declared.

// openapiDoc is api/openapi.json, decoded.
func openapiDoc(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// docAt returns the value at path in the document (object keys), nil when
// there is none.
func docAt(doc map[string]any, path ...string) any {
	var v any = doc
	for _, key := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[key]
	}
	return v
}

// docObject returns the object at path, failing the test when there is none.
func docObject(t *testing.T, doc map[string]any, path ...string) map[string]any {
	t.Helper()
	m, ok := docAt(doc, path...).(map[string]any)
	if !ok {
		t.Fatalf("no object at %s", strings.Join(path, "/"))
	}
	return m
}

// docInt returns the number at path, failing the test when there is none.
func docInt(t *testing.T, doc map[string]any, path ...string) int {
	t.Helper()
	n, ok := docAt(doc, path...).(float64)
	if !ok {
		t.Fatalf("no number at %s", strings.Join(path, "/"))
	}
	return int(n)
}

// inlineParam returns the schema path of a parameter an operation declares
// itself, not by reference.
func inlineParam(t *testing.T, doc map[string]any, route, method, name string) map[string]any {
	t.Helper()
	params, _ := docAt(doc, "paths", route, method, "parameters").([]any)
	for _, p := range params {
		if p, ok := p.(map[string]any); ok && p["name"] == name {
			return p
		}
	}
	t.Fatalf("%s %s declares no parameter %s", method, route, name)
	return nil
}

// TestOpenAPIDeclaredLimits: every bound the code keeps in a constant is
// the one the document declares, and the document says how each length is
// counted: UTF-16 code units where the server counts as JavaScript does
// (JSON Schema counts code points), code points for an externalId, bytes
// for the map.* parameters.
func TestOpenAPIDeclaredLimits(t *testing.T) {
	doc := openapiDoc(t)
	schema := func(name, prop string) []string {
		return []string{"components", "schemas", name, "properties", prop}
	}
	param := func(name string) []string { return []string{"components", "parameters", name} }
	const (
		utf16      = "UTF-16 code units"
		codePoints = "code points"
		bytes      = "bytes"
	)
	type bound struct {
		path     []string // of the schema, or of the parameter (its schema is under "schema")
		key      string   // minLength, maxLength, maximum, maxItems, default
		want     any
		counting string // what its description says lengths count; "" for no length
	}
	var bounds []bound
	for _, s := range []string{"DatasetV2Input", "DatasetV2Update"} {
		bounds = append(bounds,
			bound{schema(s, "name"), "minLength", 1, utf16},
			bound{schema(s, "name"), "maxLength", strata.MaxNameLength, utf16},
			bound{schema(s, "description"), "maxLength", strata.MaxDescriptionLength, utf16})
	}
	bounds = append(bounds,
		bound{schema("DatasetV2Update", "slug"), "maxLength", strata.MaxSlugLength, ""},
		bound{schema("DatasetV2VersionInput", "name"), "maxLength", strata.MaxNameLength, utf16},
		bound{schema("DatasetV2VersionInput", "description"), "maxLength", strata.MaxDescriptionLength, utf16})
	for _, s := range []string{"EvaluatorInput", "EvaluatorUpdate"} {
		fields := []string{"name", "type", "mode"}
		if s == "EvaluatorInput" {
			fields = append(fields, "slug")
		}
		for _, f := range fields {
			bounds = append(bounds,
				bound{schema(s, f), "minLength", 1, utf16},
				bound{schema(s, f), "maxLength", strata.MaxNameLength, utf16})
		}
		bounds = append(bounds, bound{schema(s, "description"), "maxLength", strata.MaxDescriptionLength, utf16})
	}
	bounds = append(bounds,
		bound{schema("EvaluatorRunRename", "name"), "maxLength", api.MaxRunNameLength, utf16},
		bound{schema("GenerateInput", "instructions"), "maxLength", api.MaxInstructionsLength, utf16},
		bound{schema("GenerateInput", "model"), "default", eval.DefaultModel, ""},
		bound{[]string{"components", "schemas", "ItemExternalId"}, "maxLength", strata.MaxExternalIDLength, codePoints},
		bound{[]string{"components", "schemas", "ItemSplits"}, "maxItems", strata.MaxSplits, ""},
		bound{param("ItemFilterExternalId"), "maxLength", strata.MaxExternalIDLength, codePoints},
		bound{param("ItemFilterSplit"), "maxItems", strata.MaxFilterTerms, ""},
		bound{param("SyncVersionName"), "maxLength", strata.MaxNameLength, utf16},
		bound{param("SyncVersionDescription"), "maxLength", strata.MaxDescriptionLength, utf16},
		bound{param("Search"), "maxLength", 255, utf16}, // a literal of the code: TestOpenAPILimitsEnforced
		bound{param("ItemSearch"), "maxLength", 1000, utf16},
		bound{param("PageLimit"), "maximum", api.MaxPageLimit, ""},
		bound{param("DiffLimit"), "maximum", api.MaxPageLimit, ""},
		bound{param("DiffLimit"), "default", api.DefaultPageLimit, ""},
		bound{param("RunsLimit"), "maximum", api.MaxRunsLimit, ""},
		bound{param("RunsLimit"), "default", api.DefaultRunsLimit, ""},
		bound{param("Sort"), "default", string(strata.SortNewest), ""},
		bound{param("Slot"), "maximum", strata.MaxEvaluatorSlots, ""},
		bound{param("IdempotencyKey"), "maxLength", strata.MaxIdempotencyKeyLength, ""},
	)
	for _, p := range []string{"ImportMapInput", "ImportMapGroundTruth", "ImportMapOutput", "ImportMapSplits"} {
		bounds = append(bounds, bound{param(p), "maxLength", 1000, bytes})
	}
	for _, b := range bounds {
		name := strings.Join(b.path, "/")
		obj := docObject(t, doc, b.path...)
		s := obj
		if b.path[1] == "parameters" {
			s = docObject(t, doc, append(b.path, "schema")...)
		}
		var want any = b.want
		if n, ok := b.want.(int); ok {
			want = float64(n)
		}
		if got := s[b.key]; got != want {
			t.Errorf("%s: %s = %v, want %v (the code's)", name, b.key, got, want)
		}
		if desc, _ := obj["description"].(string); b.counting != "" && !strings.Contains(desc, b.counting) {
			t.Errorf("%s: the description does not say that lengths count %s: %q", name, b.counting, desc)
		}
	}
	before := inlineParam(t, doc, "/v1/datasets-v2/{datasetId}/versions", "get", "before")
	if got := docInt(t, before, "schema", "maximum"); got != math.MaxInt32 {
		t.Errorf("before: maximum = %d, want %d", got, math.MaxInt32)
	}
	if !strings.Contains(docAt(doc, "components", "schemas", "ItemSplits", "items", "pattern").(string), strconv.Itoa(strata.MaxTagLength)) {
		t.Errorf("ItemSplits: a split is named as a tag is, 1 to %d characters", strata.MaxTagLength)
	}
}

// TestOpenAPIDefaults: a parameter declares a default only when leaving it
// out means that value. Without limit (or cursor), GET .../items answers
// every item, not 100.
func TestOpenAPIDefaults(t *testing.T) {
	doc := openapiDoc(t)
	if d, ok := docObject(t, doc, "components", "parameters", "PageLimit", "schema")["default"]; ok {
		t.Errorf("PageLimit declares default %v: without limit or cursor, every item is answered", d)
	}
	ts := newTestServer(t)
	ds := ts.createDataset(t, "many")
	n := api.DefaultPageLimit + 1
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"input":"q%d"}`, i)
	}
	ts.importJSONL(t, ds, lines)
	for _, path := range []string{"/items", "/versions/latest/items"} {
		if path == "/versions/latest/items" {
			wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/versions", ts.owner, ""), http.StatusCreated)
		}
		r := ts.do(t, "GET", datasetsPath+"/"+ds+path, ts.viewer, "")
		wantStatus(t, r, http.StatusOK)
		if got := len(r.array(t)); got != n {
			t.Errorf("GET %s without limit: %d items, want all %d", path, got, n)
		}
	}
}

// TestOpenAPILimitsEnforced: the bounds the document declares where the
// code has no constant to compare them with are those the server keeps: the
// value at the bound passes, one past it is refused; and lengths count as
// the document says (UTF-16 code units; bytes for map.*).
func TestOpenAPILimitsEnforced(t *testing.T) {
	doc := openapiDoc(t)
	ts := newTestServer(t)
	ds := ts.createDataset(t, "bounds")
	p := datasetsPath + "/" + ds
	paramMax := func(name, key string) int {
		return docInt(t, doc, "components", "parameters", name, "schema", key)
	}
	check := func(path string, ok bool) {
		t.Helper()
		r := ts.do(t, "GET", path, ts.viewer, "")
		if ok && r.Status != http.StatusOK {
			t.Errorf("GET %.120s: %d %s, want 200: the document allows it", path, r.Status, r.Body)
		} else if !ok && r.Status != http.StatusUnprocessableEntity {
			t.Errorf("GET %.120s: %d %s, want 422: the document refuses it", path, r.Status, r.Body)
		}
	}
	// Strings: the bound in ASCII, and in characters that count twice.
	emoji := "😀"
	for _, c := range []struct{ path, param string }{{datasetsPath + "?search=", "Search"}, {p + "/items?search=", "ItemSearch"}} {
		max := paramMax(c.param, "maxLength")
		check(c.path+strings.Repeat("a", max), true)
		check(c.path+strings.Repeat("a", max+1), false)
		check(c.path+url.QueryEscape(strings.Repeat(emoji, max/2)), true)
		check(c.path+url.QueryEscape(strings.Repeat(emoji, max/2+1)), false) // fewer code points than max
	}
	// Numbers.
	before := inlineParam(t, doc, "/v1/datasets-v2/{datasetId}/versions", "get", "before")
	for _, c := range []struct {
		path string
		max  int
	}{
		{p + "/versions?limit=", paramMax("Limit", "maximum")},
		{p + "/versions?before=", docInt(t, before, "schema", "maximum")},
		{p + "/items?limit=", paramMax("PageLimit", "maximum")},
		{p + "/versions/latest/items?limit=", paramMax("PageLimit", "maximum")},
		{p + "/diff?from=working&to=working&limit=", paramMax("DiffLimit", "maximum")},
		{p + "/evaluator-runs?limit=", paramMax("RunsLimit", "maximum")},
	} {
		check(c.path+strconv.Itoa(c.max), true)
		check(c.path+strconv.Itoa(c.max+1), false)
		check(c.path+"0", false)
	}
	check(p+"/diff?from=&to=working", false) // minLength 1

	// A dataset's name: 1000 UTF-16 code units, so 500 emoji and not 501.
	max := docInt(t, doc, "components", "schemas", "DatasetV2Input", "properties", "name", "maxLength")
	for _, n := range []int{max / 2, max/2 + 1} {
		body, _ := json.Marshal(map[string]string{"name": strings.Repeat(emoji, n)})
		r := ts.do(t, "POST", datasetsPath, ts.owner, string(body))
		if want := n*2 <= max; want != (r.Status == http.StatusCreated) {
			t.Errorf("a name of %d emoji: %d %s", n, r.Status, r.Body)
		}
	}

	// map.*: bytes, 400 past them. é is two bytes.
	for _, name := range []string{"ImportMapInput", "ImportMapGroundTruth", "ImportMapOutput", "ImportMapSplits"} {
		param := docObject(t, doc, "components", "parameters", name)["name"].(string)
		max := paramMax(name, "maxLength")
		body := `{"format":"jsonl","content":"{\"input\":\"x\"}"}`
		at := ts.do(t, "POST", p+"/import?dryRun=true&"+param+"="+url.QueryEscape(strings.Repeat("é", max/2)), ts.owner, body)
		wantStatus(t, at, http.StatusOK)
		past := ts.do(t, "POST", p+"/import?dryRun=true&"+param+"="+url.QueryEscape(strings.Repeat("é", max/2+1)), ts.owner, body)
		wantError(t, past, http.StatusBadRequest, fmt.Sprintf("%s is longer than %d bytes", param, max))
	}
}

// TestOpenAPIBadRequestOrValidation: the rules that answer 400 {message}
// and those that answer 422 {error, message} are where the document's 400
// and 422 responses say they are.
func TestOpenAPIBadRequestOrValidation(t *testing.T) {
	doc := openapiDoc(t)
	badRequest := docObject(t, doc, "components", "responses", "BadRequest")["description"].(string)
	validation := docObject(t, doc, "components", "responses", "ValidationFailed")["description"].(string)
	ts := newEvalServer(t, nil)
	ds := ts.createDataset(t, "rules")
	p := datasetsPath + "/" + ds
	item := ts.createItem(t, ds, "q")
	ev := ts.createEvaluator(t, "mentions", "string", `{"comparator":"contains","target":"q"}`)
	wantStatus(t, ts.attach(t, ds, ev, ""), http.StatusOK)
	splits := make([]string, strata.MaxSplits+1)
	for i := range splits {
		splits[i] = "s" + strconv.Itoa(i)
	}
	many, _ := json.Marshal(map[string]any{"splits": splits})
	large, _ := json.Marshal(map[string]any{"metadata": map[string]string{"k": strings.Repeat("x", strata.MaxMetadataBytes)}})
	jsonl := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {"application/x-ndjson"}}
	ownerJSON := http.Header{"Authorization": {"Bearer " + ts.owner}}
	for _, c := range []struct {
		method, path string
		header       http.Header // the owner's key if nil
		body         string
		status       int
		says         string // what the response's description in the document says of it
	}{
		{"POST", p + "/items", nil, `{"splits":["no spaces"]}`, 400, "a split that is not 1 to 64 letters"},
		{"POST", p + "/items", nil, string(many), 400, "more than 16 splits"},
		{"POST", p + "/items", nil, `{"externalId":""}`, 400, "an externalId that is empty"},
		{"POST", p + "/items", nil, `{"externalId":"tab\there"}`, 400, "not printable"},
		{"POST", p + "/items", nil, string(large), 400, "metadata over 64 KiB"},
		{"POST", p + "/items", nil, `{"input":"nul\u0000"}`, 400, "a NUL"},
		{"PATCH", p + "/items/" + item, nil, `{}`, 400, "No fields to update"},
		{"POST", p + "/import?dryRun=maybe", nil, `{"format":"jsonl","content":"{\"input\":\"x\"}"}`, 400, "dryRun must be true or false"},
		{"POST", p + "/import?dryRun=true&dryRun=true", nil, `{"format":"jsonl","content":"{\"input\":\"x\"}"}`, 400, "dryRun must be given at most once"},
		{"POST", p + "/import?inputFrom=bogus", nil, `{"format":"jsonl","content":"{\"input\":\"x\"}"}`, 400, "inputFrom other than lastUserMessage"},
		{"POST", p + "/import?map.nothing=x", nil, `{"format":"jsonl","content":"{\"input\":\"x\"}"}`, 400, "a map.* parameter that is unknown"},
		{"PUT", p + "/items?dryRun=bogus", jsonl, `{"input":"x"}`, 400, "dryRun"},
		{"PATCH", p + "/items/" + item + "?metadataMerge=bogus", nil, `{"input":"x"}`, 400, "metadataMerge"},
		{"POST", p + "/evaluators/run?async=bogus", nil, ``, 400, "async"},
		{"POST", p + "/items", http.Header{"Idempotency-Key": {"clé"}}, `{"input":"x"}`, 400, "An Idempotency-Key that is not 1 to 255 printable ASCII characters"},
		{"POST", p + "/items", nil, `{"input":"x","input":"y"}`, 400, "a duplicate key"},
		{"POST", datasetsPath, nil, `{"name":"` + strings.Repeat("n", strata.MaxNameLength+1) + `"}`, 422, "String must contain at most"},
		{"POST", datasetsPath, nil, `{}`, 422, "missing"},
		{"POST", datasetsPath, nil, `{"name":1}`, 422, "of the wrong type"},
		{"GET", datasetsPath + "?sort=oldest", nil, ``, 422, "outside its enum"},
		{"GET", p + "/items?limit=0", nil, ``, 422, "its range"},
		{"GET", p + "/items?cursor=%21", nil, ``, 422, "a malformed cursor"},
		{"GET", datasetsPath + "/not-a-uuid", nil, ``, 422, "not a UUID"},
		{"GET", p + "/items?split=no%20spaces", nil, ``, 422, "a split name"},
		{"GET", p + "/items?externalId=", nil, ``, 422, "an externalId filter that is empty"},
		{"POST", p + "/evaluators/run?splits=test", nil, ``, 422, "a query parameter that evaluators/run does not know"},
		{"PUT", p + "/versions/latest/tags/latest", nil, ``, 422, "a tag name"},
		{"PATCH", p, nil, `{"slug":"Not A Slug"}`, 422, "slug"},
		{"GET", p + "/items?search=%00", nil, ``, 422, "holds a NUL"},
	} {
		h := http.Header{}
		for k, vs := range ownerJSON {
			h[k] = vs
		}
		for k, vs := range c.header {
			h[k] = vs
		}
		r := ts.doWith(t, c.method, c.path, h, c.body)
		what := fmt.Sprintf("%s %.80s %.60s", c.method, c.path, c.body)
		if r.Status != c.status {
			t.Errorf("%s: %d %s, want %d", what, r.Status, r.Body, c.status)
			continue
		}
		var body map[string]any
		json.Unmarshal(r.Body, &body)
		desc := badRequest
		if c.status == http.StatusUnprocessableEntity {
			desc = validation
			if body["error"] != "Error" {
				t.Errorf("%s: a 422 without Lunary's error: %s", what, r.Body)
			}
		} else if _, ok := body["error"]; ok || body["message"] == nil {
			t.Errorf("%s: a 400 that is not {message}: %s", what, r.Body)
		}
		if !strings.Contains(desc, c.says) {
			t.Errorf("%s answers %d (%s), but the document's %d response does not say %q", what, c.status, r.Body, c.status, c.says)
		}
	}
}

// TestOpenAPIETagSent: every response that declares the dataset's ETag
// sends it: an asynchronous run's 202, a run of nothing, and an import's dry
// run, which write nothing, answer the dataset's ETag as it stands.
func TestOpenAPIETagSent(t *testing.T) {
	ts := newEvalServer(t, nil)
	ds := ts.createDataset(t, "etags")
	p := datasetsPath + "/" + ds
	ts.importJSONL(t, ds, []string{`{"input":"Paris","splits":["test"]}`, `{"input":"Lyon"}`})
	ev := ts.createEvaluator(t, "mentions", "string", `{"comparator":"contains","target":"Paris"}`)
	wantStatus(t, ts.attach(t, ds, ev, ""), http.StatusOK)
	current := func() string {
		t.Helper()
		r := ts.do(t, "GET", p, ts.viewer, "")
		wantStatus(t, r, http.StatusOK)
		return r.Header.Get("ETag")
	}
	wantETag := func(what string, r *response, status int, want string) {
		t.Helper()
		wantStatus(t, r, status)
		if got := r.Header.Get("ETag"); got == "" || got != want {
			t.Errorf("%s: ETag %q, want the dataset's %q", what, got, want)
		}
	}

	file := `{"format":"jsonl","content":"{\"input\":\"Nice\"}"}`
	wantETag("a dry run of an import", ts.do(t, "POST", p+"/import?dryRun=true", ts.owner, file), http.StatusOK, current())
	raw := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {"application/x-ndjson"}}
	wantETag("a dry run of a raw import", ts.doWith(t, "POST", p+"/import?dryRun=true", raw, `{"input":"Nice"}`), http.StatusOK, current())
	bad := `{"format":"jsonl","content":"not json"}`
	wantETag("a dry run of a broken file", ts.do(t, "POST", p+"/import?dryRun=true", ts.owner, bad), http.StatusOK, current())

	for _, q := range []string{"?split=none", "?split=none&async=true"} {
		wantETag("a run of nothing ("+q+")", ts.do(t, "POST", p+"/evaluators/run"+q, ts.owner, ""), http.StatusOK, current())
	}
	empty := ts.createDataset(t, "empty")
	wantStatus(t, ts.attach(t, empty, ev, ""), http.StatusOK)
	for _, q := range []string{"", "?async=true"} {
		r := ts.do(t, "POST", datasetsPath+"/"+empty+"/evaluators/run"+q, ts.owner, "")
		wantETag("a run of a dataset without items"+q, r, http.StatusOK, ts.do(t, "GET", datasetsPath+"/"+empty, ts.viewer, "").Header.Get("ETag"))
	}

	before := current()
	r := ts.do(t, "POST", p+"/evaluators/run?async=true&split=test", ts.owner, "")
	wantETag("an asynchronous run", r, http.StatusAccepted, before)
	var started struct{ Run struct{ ID string } }
	r.decode(t, &started)
	waitFor(t, "the run to end", func() bool { return ts.getRun(t, ds, started.Run.ID).Status != "running" })
	if after := current(); after == before {
		t.Errorf("the run's results left the ETag at %s", after)
	}
}

// TestOpenAPIReplayedErrors: a POST's error response is saved with its
// Idempotency-Key and sent again marked Idempotent-Replayed, so every 4xx
// that a POST (or a sync, a PUT that takes a key) can have kept declares
// the header. 401 and 403 are answered before a key is looked at.
func TestOpenAPIReplayedErrors(t *testing.T) {
	doc := openapiDoc(t)
	for route, ops := range docObject(t, doc, "paths") {
		for method, op := range ops.(map[string]any) {
			keyed := method == "post" || (method == "put" && route == "/v1/datasets-v2/{datasetId}/items")
			if !keyed {
				continue
			}
			for status, res := range op.(map[string]any)["responses"].(map[string]any) {
				if status < "400" || status >= "500" || status == "401" || status == "403" {
					continue
				}
				res := res.(map[string]any)
				if ref, ok := res["$ref"].(string); ok {
					res = docObject(t, doc, strings.Split(strings.TrimPrefix(ref, "#/"), "/")...)
				}
				if docAt(res, "headers", "Idempotent-Replayed") == nil {
					t.Errorf("%s %s: response %s does not declare Idempotent-Replayed", strings.ToUpper(method), route, status)
				}
			}
		}
	}

	ts := newTestServer(t)
	ds := ts.createDataset(t, "replays")
	for i, c := range []struct {
		path, body string
		status     int
	}{
		{datasetsPath + "/" + strata.NewID() + "/items", `{"input":"x"}`, http.StatusNotFound},
		{datasetsPath, `{}`, http.StatusUnprocessableEntity},
		{datasetsPath + "/" + ds + "/items", `{"splits":["no spaces"]}`, http.StatusBadRequest},
	} {
		h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Idempotency-Key": {"replay-" + strconv.Itoa(i)}}
		first := ts.doWith(t, "POST", c.path, h, c.body)
		again := ts.doWith(t, "POST", c.path, h, c.body)
		if first.Status != c.status || again.Status != c.status || string(again.Body) != string(first.Body) {
			t.Errorf("POST %s: %d then %d, want %d twice", c.path, first.Status, again.Status, c.status)
		}
		if first.Header.Get("Idempotent-Replayed") != "" || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("POST %s: Idempotent-Replayed %q then %q", c.path, first.Header.Get("Idempotent-Replayed"), again.Header.Get("Idempotent-Replayed"))
		}
	}
}
