package api_test

import "context"
import "encoding/json"
import "fmt"
import "io"
import "maps"
import "net/http"
import "slices"
import "strings"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"

// badRequest is one malformed request of the catalogue.
type badRequest struct {
	name, method, path, body string
	header                   http.Header // added to the owner's Authorization
}

// TestBadInput sends a catalogue of malformed requests: each must get a 4xx
// with a message, never a 5xx, and leave the database as it was.
func TestBadInput(t *testing.T) {
	ts := newTestServerWith(t, func(s *api.Server) {
		s.MaxBodyBytes = 64 << 10
		s.Limits.MaxFieldBytes = 4 << 10
		s.Limits.RequestTimeout = 2 * time.Second
	})
	id := ts.createDataset(t, "catalogue")
	item := ts.createItem(t, id, "the one item")
	ds := datasetsPath + "/" + id
	it := ds + "/items/" + item
	labeler := ts.createEvaluator(t, "labeler", "model-labeler", `{"labels":["a","b"]}`)
	ts.createDataset(t, "caf\u00e9") // NFC

	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	deepObject := `{"name":"deep","x":` + strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000) + "}"
	huge := strings.Repeat("x", 5<<10)
	ct := func(v string) http.Header { return http.Header{"Content-Type": {v}} }

	cases := []badRequest{
		// Bodies that are not JSON objects.
		{name: "TruncatedJSON", method: "POST", path: datasetsPath, body: `{"name":`},
		{name: "TrailingGarbage", method: "POST", path: datasetsPath, body: `{"name":"a"} x`},
		{name: "MissingValue", method: "POST", path: datasetsPath, body: `{"name":}`},
		{name: "SingleQuotes", method: "POST", path: datasetsPath, body: `{'name':'a'}`},
		{name: "TrailingComma", method: "POST", path: datasetsPath, body: `{"name":"a",}`},
		{name: "ScalarString", method: "POST", path: datasetsPath, body: `"a"`},
		{name: "ScalarNumber", method: "POST", path: datasetsPath, body: `42`},
		{name: "ScalarNull", method: "POST", path: datasetsPath, body: `null`},
		{name: "Array", method: "POST", path: datasetsPath, body: `[{"name":"a"}]`},
		{name: "DeepArray", method: "POST", path: datasetsPath, body: deep},
		{name: "DeepObject", method: "POST", path: datasetsPath, body: deepObject},
		{name: "InvalidUTF8", method: "POST", path: datasetsPath, body: "{\"name\":\"bad \xff\xfe\"}"},
		{name: "InvalidUTF8InItem", method: "POST", path: ds + "/items", body: "{\"input\":\"\xc3\x28\"}"},
		{name: "NULInName", method: "POST", path: datasetsPath, body: `{"name":"a\u0000b"}`},
		{name: "NULInItem", method: "PATCH", path: it, body: `{"output":"a\u0000b"}`},
		// Text that is not text, wherever it is sent.
		{name: "NULInVersionName", method: "POST", path: ds + "/versions", body: `{"name":"v\u0000"}`},
		{name: "NULInVersionDescription", method: "POST", path: ds + "/versions", body: `{"description":"\u0000"}`},
		{name: "NULInEvaluatorParams", method: "POST", path: evaluatorsPath, body: `{"name":"e","slug":"e","type":"rouge","mode":"normal","params":{"reference":"a\u0000"},"filters":[]}`},
		{name: "NULInEvaluatorParamsKey", method: "POST", path: evaluatorsPath, body: `{"name":"e","slug":"e","type":"rouge","mode":"normal","params":{"\u0000":1},"filters":[]}`},
		{name: "NULInPassLabel", method: "POST", path: ds + "/evaluators", body: `{"evaluatorId":"` + labeler + `","config":{"type":"model-labeler","passLabels":["a\u0000"]}}`},
		{name: "NameZeroWidth", method: "POST", path: datasetsPath, body: `{"name":"catalogue\u200b"}`},
		{name: "NameBidiControl", method: "POST", path: datasetsPath, body: `{"name":"cat\u202ealogue"}`},
		{name: "NameTab", method: "POST", path: datasetsPath, body: `{"name":"cata\tlogue"}`},
		{name: "RenameZeroWidth", method: "PATCH", path: ds, body: `{"name":"x\u200by"}`},
		{name: "NameTakenInNFC", method: "POST", path: datasetsPath, body: `{"name":"cafe\u0301"}`},
		// JSON objects that name a key twice, at any depth.
		{name: "DuplicateKey", method: "POST", path: datasetsPath, body: `{"name":"a","name":"b"}`},
		{name: "DuplicateKeyEscaped", method: "POST", path: datasetsPath, body: `{"name":"c","n\u0061me":"d"}`},
		{name: "DuplicateKeyInItem", method: "PATCH", path: it, body: `{"input":"a","output":"b","input":"c"}`},
		{name: "DuplicateKeyDeep", method: "POST", path: ds + "/items", body: `{"input":"a","x":[{"y":{"k":1,"j":[],"k":2}}]}`},
		{name: "DuplicateKeyInSyncBody", method: "PUT", path: ds + "/items", body: `{"format":"jsonl","content":"{\"input\":\"x\"}","format":"jsonl"}`},
		{name: "DuplicateKeyInParams", method: "POST", path: evaluatorsPath, body: `{"name":"e","slug":"e","type":"rouge","mode":"normal","params":{"threshold":0.5,"threshold":0.9},"filters":[]}`},
		{name: "DuplicateKeyInConfig", method: "POST", path: ds + "/evaluators", body: `{"evaluatorId":"` + labeler + `","config":{"type":"model-labeler","passLabels":["a"],"passLabels":["b"]}}`},
		// Wrong types.
		{name: "NameNumber", method: "POST", path: datasetsPath, body: `{"name":1}`},
		{name: "NameNull", method: "POST", path: datasetsPath, body: `{"name":null}`},
		{name: "NameArray", method: "POST", path: datasetsPath, body: `{"name":["a"]}`},
		{name: "NameObject", method: "POST", path: datasetsPath, body: `{"name":{"a":1}}`},
		{name: "NameBlank", method: "POST", path: datasetsPath, body: `{"name":"   "}`},
		{name: "NameHuge", method: "POST", path: datasetsPath, body: `{"name":"` + huge + `"}`},
		{name: "DescriptionNumber", method: "POST", path: datasetsPath, body: `{"name":"d","description":5}`},
		{name: "DescriptionTooLong", method: "POST", path: datasetsPath, body: `{"name":"d","description":"` + strings.Repeat("d", 10001) + `"}`},
		{name: "PatchNothing", method: "PATCH", path: ds, body: `{}`},
		{name: "PatchUnknownOnly", method: "PATCH", path: ds, body: `{"nom":"x"}`},
		{name: "PatchNameBool", method: "PATCH", path: ds, body: `{"name":true}`},
		{name: "ItemInputNumber", method: "POST", path: ds + "/items", body: `{"input":1}`},
		{name: "ItemInputNull", method: "PATCH", path: it, body: `{"input":null}`},
		{name: "ItemOutputObject", method: "POST", path: ds + "/items", body: `{"output":{"a":1}}`},
		{name: "ItemGroundTruthArray", method: "PATCH", path: it, body: `{"groundTruth":[1]}`},
		{name: "ItemFieldHuge", method: "POST", path: ds + "/items", body: `{"input":"` + huge + `"}`},
		{name: "ItemPatchNothing", method: "PATCH", path: it, body: `{}`},
		{name: "VersionNameNumber", method: "POST", path: ds + "/versions", body: `{"name":3}`},
		// Imports.
		{name: "ImportNoFields", method: "POST", path: ds + "/import", body: `{}`},
		{name: "ImportFormatXML", method: "POST", path: ds + "/import", body: `{"format":"xml","content":"<a/>"}`},
		{name: "ImportFormatUpper", method: "POST", path: ds + "/import", body: `{"format":"CSV","content":"input\na"}`},
		{name: "ImportEmptyContent", method: "POST", path: ds + "/import", body: `{"format":"csv","content":""}`},
		{name: "ImportContentNumber", method: "POST", path: ds + "/import", body: `{"format":"csv","content":1}`},
		{name: "ImportCSVNoInputColumn", method: "POST", path: ds + "/import", body: `{"format":"csv","content":"title\na"}`},
		{name: "ImportCSVBareQuote", method: "POST", path: ds + "/import", body: `{"format":"csv","content":"input\na\"b\nc"}`},
		{name: "ImportCSVUnterminated", method: "POST", path: ds + "/import", body: `{"format":"csv","content":"input\n\"open"}`},
		{name: "ImportJSONLBadLine", method: "POST", path: ds + "/import", body: `{"format":"jsonl","content":"{\"input\":\"a\"}\n{nope"}`},
		{name: "ImportJSONLNoInput", method: "POST", path: ds + "/import", body: `{"format":"jsonl","content":"{\"input\":\"a\"}\n{\"output\":\"b\"}"}`},
		{name: "ImportJSONLInputNull", method: "POST", path: ds + "/import", body: `{"format":"jsonl","content":"{\"input\":null}"}`},
		{name: "ImportJSONLArrayLine", method: "POST", path: ds + "/import", body: `{"format":"jsonl","content":"[1,2]"}`},
		{name: "ImportNULInField", method: "POST", path: ds + "/import", body: `{"format":"jsonl","content":"{\"input\":\"a\\u0000\"}"}`},
		// Ids and paths.
		{name: "ItemIDNotUUID", method: "PATCH", path: ds + "/items/x", body: `{"input":"a"}`},
		{name: "ItemIDUnknown", method: "DELETE", path: ds + "/items/00000000-0000-0000-0000-000000000000"},
		{name: "VersionIDNotUUID", method: "POST", path: ds + "/versions/nope/restore"},
		{name: "VersionIDUnknown", method: "POST", path: ds + "/versions/00000000-0000-0000-0000-000000000000/restore"},
		{name: "UnknownRoute", method: "POST", path: ds + "/explode"},
		{name: "WrongMethod", method: "PUT", path: ds, body: `{"name":"x"}`},
		// Query parameters.
		{name: "SkipVersionRepeated", method: "POST", path: ds + "/items?skipVersion=true&skipVersion=false", body: `{"input":"a"}`},
		{name: "SkipVersioningRepeated", method: "DELETE", path: it + "?skipVersioning=1&skipVersioning=1"},
		// Evaluator params whose cost the server bounds.
		{name: "EvaluatorSchemaTooDeep", method: "POST", path: evaluatorsPath, body: `{"name":"deep","slug":"deep","type":"json","mode":"normal","params":{"schema":` +
			strings.Repeat(`{"not":`, 3000) + `{}` + strings.Repeat(`}`, 3000) + `},"filters":[]}`},
		{name: "EvaluatorSchemaTooDeepUpdate", method: "PATCH", path: evaluatorsPath + "/" + strata.NewID(), body: `{"name":"deep","type":"json","mode":"normal","params":{"schema":` +
			strings.Repeat(`[`, 40) + strings.Repeat(`]`, 40) + `},"filters":[]}`},
		// A write whose query does not parse: its skipVersion would be
		// dropped, and a version made.
		{name: "MalformedEscapeWrite", method: "POST", path: ds + "/items?skipVersion=tru%e", body: `{"input":"a"}`},
		// Transport.
		{name: "FormBody", method: "POST", path: datasetsPath, body: `name=form`, header: ct("application/x-www-form-urlencoded")},
		{name: "XMLBody", method: "POST", path: datasetsPath, body: `<name>x</name>`, header: ct("application/xml")},
		{name: "TextBody", method: "POST", path: ds + "/items", body: `{"input":"a"}`, header: ct("text/plain")},
		{name: "BadContentType", method: "POST", path: datasetsPath, body: `{"name":"x"}`, header: ct("(((")},
		{name: "OversizedBody", method: "POST", path: ds + "/import", body: `{"format":"csv","content":"input\n` + strings.Repeat("a", 70<<10) + `"}`},
	}
	// Reads with a malformed id, path or query parameter.
	gets := map[string]string{
		"InvalidUTF8InQuery":     datasetsPath + "?search=%ff",
		"NULInQuery":             ds + "/items?search=a%00",
		"InvalidUTF8InQueryName": ds + "/items?%c3%28=1",
		"DatasetIDNotUUID":       datasetsPath + "/nope",
		"DatasetIDSQL":           datasetsPath + "/1%27%20OR%20%271%27=%271",
		"DatasetIDTooLong":       ds + "0",
		"DatasetIDDotDot":        datasetsPath + "/../datasets-v2",
		"DatasetIDEncodedDotDot": datasetsPath + "/%2e%2e/items",
		"DatasetIDUnicode":       datasetsPath + "/%C3%BC/items",
		"DatasetIDNUL":           datasetsPath + "/%00",
		"DoubleSlash":            datasetsPath + "//items",
		"MalformedEscape":        ds + "/items?limit=2&search=%zz",
		"MalformedEscapeExport":  ds + "/versions/latest/export?format=csv&split=te%st",
		"SortUnknown":            datasetsPath + "?sort=random",
		"SortSQL":                datasetsPath + "?sort=name%3B%20DROP%20TABLE%20datasets",
		"SearchEmpty":            datasetsPath + "?search=%20",
		"SearchHuge":             datasetsPath + "?search=" + strings.Repeat("s", 256),
		"LimitZero":              ds + "/versions?limit=0",
		"LimitNegative":          ds + "/versions?limit=-1",
		"LimitHuge":              ds + "/versions?limit=1e309",
		"LimitTooMany":           ds + "/versions?limit=101",
		"LimitWord":              ds + "/versions?limit=ten",
		"LimitFraction":          ds + "/versions?limit=1.5",
	}
	for _, name := range slices.Sorted(maps.Keys(gets)) {
		cases = append(cases, badRequest{name: name, method: "GET", path: gets[name]})
	}
	if len(cases) < 60 {
		t.Fatalf("only %d cases", len(cases))
	}
	before := ts.state(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{"Authorization": {"Bearer " + ts.owner}}
			for k, v := range c.header {
				h[k] = v
			}
			r := ts.doWith(t, c.method, c.path, h, c.body)
			if r.Status < 400 || r.Status > 499 {
				t.Fatalf("%s %s: status %d, want 4xx (%s)", c.method, c.path, r.Status, r.Body)
			}
			var body struct{ Message string }
			if err := json.Unmarshal(r.Body, &body); err != nil || body.Message == "" {
				t.Fatalf("%s %s: %d with no message: %s", c.method, c.path, r.Status, r.Body)
			}
		})
	}
	t.Run("SlowBody", func(t *testing.T) {
		pr, pw := io.Pipe()
		req, _ := http.NewRequest("POST", ts.URL+ds+"/items", pr)
		req.Header.Set("Authorization", "Bearer "+ts.owner)
		req.Header.Set("Content-Type", "application/json")
		// The client sends part of its body, then nothing more until the
		// server has answered.
		go pw.Write([]byte(`{"input":`))
		defer pw.Close()
		res, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if got, want := res.StatusCode, http.StatusRequestTimeout; got != want {
			b, _ := io.ReadAll(res.Body)
			t.Fatalf("slow body: %d %s, want %d", got, b, want)
		}
	})
	if after := ts.state(t); after != before {
		t.Fatalf("the catalogue changed the database:\nbefore %s\nafter  %s", before, after)
	}
}

// state is everything a client of project "main" can see, as one string.
func (ts *testServer) state(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	p, err := ts.store.Authenticate(ctx, ts.owner)
	if err != nil {
		t.Fatal(err)
	}
	var list []*strata.Dataset
	err = ts.store.ListDatasets(ctx, p.ProjectID, strata.DatasetFilter{}, func(d *strata.Dataset) error {
		list = append(list, d)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, d := range list {
		fmt.Fprintf(&b, "%s %q %v v%d n%d desc=%v |", d.ID, d.Name, d.UpdatedAt, d.CurrentVersionNumber, d.ItemCount, d.Description)
		err := ts.store.ScanItems(ctx, strata.ItemQuery{ProjectID: p.ProjectID, DatasetID: d.ID}, func(it *strata.Item) error {
			fmt.Fprintf(&b, " %s %q %v %v %v;", it.ID, it.Input, it.GroundTruth, it.Output, it.UpdatedAt)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}
