package api_test

import "fmt"
import "net/http"
import "strings"
import "testing"

// TestJSONSchemaLimits: a json evaluator's schema is refused at create and
// update when it is too deep or too large, with Lunary's validation body.
func TestJSONSchemaLimits(t *testing.T) {
	ts := newTestServer(t)
	nested := func(levels int) string {
		return strings.Repeat(`{"items":`, levels-1) + `{}` + strings.Repeat(`}`, levels-1)
	}
	body := func(name, schema string) string {
		return fmt.Sprintf(`{"name":%q,"slug":%q,"type":"json","mode":"normal","params":{"schema":%s},"filters":[]}`, name, name, schema)
	}
	deep := nested(3000)
	wantValidation(t, ts.do(t, "POST", evaluatorsPath, ts.owner, body("deep", deep)),
		`Validation error: Schema must nest at most 32 levels at "params.schema"`)
	large := `{"enum":["` + strings.Repeat("x", 64<<10) + `"]}`
	wantValidation(t, ts.do(t, "POST", evaluatorsPath, ts.owner, body("large", large)),
		`Validation error: Schema must be at most 65536 bytes at "params.schema"`)

	// A schema that does not compile would fail every item of a run: it is
	// refused when it is saved, with the compiler's reason.
	for name, schema := range map[string]string{"nonsense": `{"type":"nonsense"}`, "remote": `{"$ref":"http://example.com/x.json"}`} {
		r := ts.do(t, "POST", evaluatorsPath, ts.owner, body(name, schema))
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if got := string(r.Body); !strings.Contains(got, `Schema is not a valid JSON Schema: `) || !strings.Contains(got, `params.schema`) {
			t.Errorf("schema %s: %s", schema, got)
		}
	}

	id := ts.createEvaluator(t, "shape", "json", `{"schema":`+nested(32)+`}`)
	update := strings.Replace(body("shape", deep), `"slug":"shape",`, "", 1)
	wantValidation(t, ts.do(t, "PATCH", evaluatorsPath+"/"+id, ts.owner, update),
		`Validation error: Schema must nest at most 32 levels at "params.schema"`)
	r := ts.do(t, "GET", evaluatorsPath+"/"+id, ts.owner, "")
	wantStatus(t, r, http.StatusOK)
	if got := string(r.Body); strings.Count(got, `"items"`) != 31 {
		t.Fatalf("a refused update changed the schema: %s", got)
	}
	// Other types keep their params as they are: the limit is the json
	// evaluator's.
	ts.createEvaluator(t, "other", "string", `{"schema":`+nested(40)+`}`)
}

// TestStringParamsChecked: a string evaluator whose comparator is unknown,
// or whose fixed regex target does not compile, would give every item an
// error: refused when saved.
func TestStringParamsChecked(t *testing.T) {
	ts := newTestServer(t)
	body := func(name, params string) string {
		return fmt.Sprintf(`{"name":%q,"slug":%q,"type":"string","mode":"normal","params":%s,"filters":[]}`, name, name, params)
	}
	wantValidation(t, ts.do(t, "POST", evaluatorsPath, ts.owner, body("nope", `{"comparator":"nope","target":"x"}`)),
		`Validation error: Unknown comparator (equals, not_equals, contains, contains_ignore_case, regex) at "params.comparator"`)
	wantValidation(t, ts.do(t, "POST", evaluatorsPath, ts.owner, body("open", `{"comparator":"regex","target":"(unclosed"}`)),
		"Validation error: Invalid regular expression: error parsing regexp: missing closing ): `(unclosed` at \"params.target\"")
	wantValidation(t, ts.do(t, "POST", evaluatorsPath, ts.owner, body("ref", `{"comparator":"regex","reference":"[z-a]"}`)),
		"Validation error: Invalid regular expression: error parsing regexp: invalid character class range: `z-a` at \"params.reference\"")
	// A regex each item's ground truth gives is checked when scored.
	ts.createEvaluator(t, "truth", "string", `{"comparator":"regex"}`)
	ts.createEvaluator(t, "fine", "string", `{"comparator":"regex","target":"^Par(is)?$"}`)
}

// TestTextSimilarityMethodChecked: a text-similarity evaluator whose
// method is not one of the metrics would score every item with cosine
// instead: refused when created or updated.
func TestTextSimilarityMethodChecked(t *testing.T) {
	ts := newTestServer(t)
	const want = `Validation error: Unknown method (cosine, bleu, gleu, rouge, fuzzy) at "params.method"`
	create := `{"name":"sim","slug":"sim","type":"text-similarity","mode":"normal","params":{"method":"nope"},"filters":[]}`
	t.Run("ErrCreate", func(t *testing.T) {
		wantValidation(t, ts.do(t, "POST", evaluatorsPath, ts.owner, create), want)
	})
	t.Run("ErrUpdate", func(t *testing.T) {
		id := ts.createEvaluator(t, "fuzzy", "text-similarity", `{"method":"fuzzy"}`)
		update := `{"name":"fuzzy","type":"text-similarity","mode":"normal","params":{"method":"nope"},"filters":[]}`
		wantValidation(t, ts.do(t, "PATCH", evaluatorsPath+"/"+id, ts.owner, update), want)
		r := ts.do(t, "GET", evaluatorsPath+"/"+id, ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		if got := string(member(t, r.Body, "params")); got != `{"method":"fuzzy"}` {
			t.Fatalf("a refused update changed the params to %s", got)
		}
	})
	t.Run("Default", func(t *testing.T) {
		// Without a method, cosine; and the check is text-similarity's.
		ts.createEvaluator(t, "default", "text-similarity", `{"threshold":0.9}`)
		ts.createEvaluator(t, "other", "bleu", `{"method":"nope"}`)
	})
}

// TestEvaluatorNames: an evaluator's name, slug, type and mode are 1 to
// 1,000 characters, as a dataset's name; an invisible character in a name
// is refused as in a dataset's.
func TestEvaluatorNames(t *testing.T) {
	ts := newTestServer(t)
	body := func(name, slug string) string {
		return fmt.Sprintf(`{"name":%q,"slug":%q,"type":"bleu","mode":"normal","params":{},"filters":[]}`, name, slug)
	}
	wantValidation(t, ts.do(t, "POST", evaluatorsPath, ts.owner, body("", "s")),
		`Validation error: String must contain at least 1 character(s) at "name"`)
	wantValidation(t, ts.do(t, "POST", evaluatorsPath, ts.owner, body(strings.Repeat("n", 1001), "s")),
		`Validation error: String must contain at most 1000 character(s) at "name"`)
	wantValidation(t, ts.do(t, "POST", evaluatorsPath, ts.owner, body("n", "")),
		`Validation error: String must contain at least 1 character(s) at "slug"`)
	wantError(t, ts.do(t, "POST", evaluatorsPath, ts.owner, body("judge\u200b", "s")), http.StatusBadRequest,
		"name contains an invisible or control character (U+200B)")
	id := ts.createEvaluator(t, strings.Repeat("n", 1000), "bleu", `{}`)
	wantValidation(t, ts.do(t, "PATCH", evaluatorsPath+"/"+id, ts.owner, `{"name":"","type":"bleu","mode":"normal","params":{},"filters":[]}`),
		`Validation error: String must contain at least 1 character(s) at "name"`)
}
