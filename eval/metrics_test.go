package eval

import "context"
import "encoding/json"
import "fmt"
import "math"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestMetrics(t *testing.T) {
	for _, c := range []struct {
		name     string
		metric   func(string, string) float64
		ref, hyp string
		want     float64
	}{
		{"BLEU/AllFound", BLEU, "the cat sat on the mat", "the cat sat", 1},
		{"BLEU/Partial", BLEU, "the cat", "the dog barked", 1.0 / 3},
		{"BLEU/RepeatsAreClipped", BLEU, "the cat sat on the mat", "the the the", 2.0 / 3},
		{"BLEU/EmptyHypothesis", BLEU, "the cat", "", 0},
		{"ROUGE/Recall", ROUGE, "the cat sat on the mat", "the cat", 2.0 / 6},
		{"ROUGE/RepeatsAreClipped", ROUGE, "a b", "a a a a", 0.5},
		{"ROUGE/EmptyReference", ROUGE, "", "a", 0},
		{"GLEU/Mean", GLEU, "the cat sat", "the cat", math.Sqrt(2.0 / 3)},
		{"GLEU/NoMatch", GLEU, "a b", "c d", 0},
		{"Cosine/Half", Cosine, "a b", "a c", 0.5},
		{"Cosine/Same", Cosine, "a a b", "b a a", 1},
		{"Cosine/Frequencies", Cosine, "a a", "a b", 2 / (2 * math.Sqrt2)},
		{"Cosine/Empty", Cosine, "", "a", 0},
		{"Fuzzy/Kitten", Fuzzy, "kitten", "sitting", 4.0 / 7},
		{"Fuzzy/Equal", Fuzzy, "héllo", "héllo", 1},
		{"Fuzzy/BothEmpty", Fuzzy, "", "", 1},
		{"Fuzzy/OneEmpty", Fuzzy, "a", "", 0},
		{"Fuzzy/Runes", Fuzzy, "日本語", "日本", 2.0 / 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.metric(c.ref, c.hyp); !near(got, c.want) {
				t.Errorf("%q vs %q = %v, want %v", c.ref, c.hyp, got, c.want)
			}
		})
	}
}

func TestLevenshtein(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"flaw", "lawn", 2}, {"intention", "execution", 5}} {
		if got := Levenshtein([]rune(c.a), []rune(c.b)); got != c.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func str(s string) *string { return &s }

// score compiles an evaluator of type typ with params and scores one item.
func score(t *testing.T, typ, params string, c *strata.EvaluatorConfig, it Item) map[string]any {
	t.Helper()
	ev := &strata.Evaluator{Type: typ, Kind: strata.KindCustom, Params: json.RawMessage(params)}
	sc, err := Compile(ev, c, nil)
	if err != nil {
		t.Fatalf("compile %s: %v", typ, err)
	}
	raw := sc.Score(context.Background(), it)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("result %s: %v", raw, err)
	}
	return m
}

func wantResult(t *testing.T, got map[string]any, want map[string]any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("result = %s\nwant     %s", g, w)
	}
}

func TestMetricEvaluators(t *testing.T) {
	it := Item{Input: "q", GroundTruth: str("the cat sat"), Output: str("the cat")}
	t.Run("BLEUAgainstGroundTruth", func(t *testing.T) {
		wantResult(t, score(t, "bleu", `{}`, nil, it), map[string]any{"score": 1, "passed": true})
	})
	t.Run("ROUGEThreshold", func(t *testing.T) {
		wantResult(t, score(t, "rouge", `{"threshold":0.7}`, nil, it), map[string]any{"score": 2.0 / 3, "passed": false})
	})
	t.Run("ThresholdClamped", func(t *testing.T) {
		wantResult(t, score(t, "rouge", `{"threshold":-3}`, nil, it), map[string]any{"score": 2.0 / 3, "passed": true})
	})
	t.Run("ReferenceParam", func(t *testing.T) {
		wantResult(t, score(t, "fuzzy", `{"reference":"the cat"}`, nil, it), map[string]any{"score": 1, "passed": true})
	})
	// An edit distance takes time in the product of the lengths: texts
	// over MaxFuzzyRunes get an error result, at once (two of 1 MiB would
	// hold a worker for an hour), whichever evaluator asks for it.
	t.Run("FuzzyBounded", func(t *testing.T) {
		long := strings.Repeat("é", MaxFuzzyRunes+1) // counted in characters, not bytes
		for _, typ := range []string{"fuzzy", "text-similarity"} {
			got := score(t, typ, `{"method":"fuzzy"}`, nil, Item{GroundTruth: str("short"), Output: &long})
			want := fmt.Sprintf("fuzzy compares texts of at most %d characters: the reference has 5, the output %d", MaxFuzzyRunes, MaxFuzzyRunes+1)
			if got["error"] != want {
				t.Errorf("%s of a long output = %v, want the error %q", typ, got, want)
			}
		}
		atLimit := strings.Repeat("a", MaxFuzzyRunes)
		if got := score(t, "fuzzy", `{}`, nil, Item{GroundTruth: &atLimit, Output: &atLimit}); got["score"] != 1.0 {
			t.Errorf("fuzzy at the limit = %v, want a score of 1", got)
		}
	})
	t.Run("ErrNoReference", func(t *testing.T) {
		got := score(t, "gleu", `{}`, nil, Item{Output: str("x")})
		if _, ok := got["error"]; !ok {
			t.Errorf("result = %v, want an error", got)
		}
	})
	t.Run("ErrNoOutput", func(t *testing.T) {
		wantResult(t, score(t, "cosine", `{}`, nil, Item{GroundTruth: str("x")}), map[string]any{"error": "Item has no output"})
	})
	t.Run("TextSimilarity", func(t *testing.T) {
		wantResult(t, score(t, "text-similarity", `{"method":"gleu","threshold":0.9}`, nil, it), map[string]any{
			"method": "gleu", "score": math.Sqrt(2.0 / 3), "reference": "the cat sat", "threshold": 0.9, "passed": false})
	})
	t.Run("TextSimilarityDefaultsToCosine", func(t *testing.T) {
		wantResult(t, score(t, "text-similarity", `{"method":"nope","reference":"a b"}`, nil, Item{Output: str("a c")}), map[string]any{
			"method": "cosine", "score": 0.5, "reference": "a b", "threshold": 0.5, "passed": true})
	})
}

func TestCheckTextSimilarityParams(t *testing.T) {
	for _, c := range []struct {
		name   string
		params map[string]any
		err    string
	}{
		{"NoMethod", map[string]any{"threshold": 0.9}, ""},
		{"Cosine", map[string]any{"method": "cosine"}, ""},
		{"Fuzzy", map[string]any{"method": "fuzzy"}, ""},
		{"ErrUnknown", map[string]any{"method": "nope"}, "Unknown method (cosine, bleu, gleu, rouge, fuzzy)"},
		{"ErrCase", map[string]any{"method": "Cosine"}, "Unknown method (cosine, bleu, gleu, rouge, fuzzy)"},
		// Lunary scores a falsy method with the default.
		{"Null", map[string]any{"method": nil}, ""},
		{"Empty", map[string]any{"method": ""}, ""},
		{"ErrNotString", map[string]any{"method": 3}, "Unknown method (cosine, bleu, gleu, rouge, fuzzy)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			param, err := CheckTextSimilarityParams(c.params)
			if c.err == "" {
				if err != nil {
					t.Fatalf("CheckTextSimilarityParams = %q, %v, want no error", param, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckTextSimilarityParams = no error, want %q", c.err)
			}
			if got, want := err.Error(), c.err; got != want {
				t.Errorf("error = %q, want %q", got, want)
			}
			if got, want := param, "method"; got != want {
				t.Errorf("param = %q, want %q", got, want)
			}
		})
	}
	// The methods the check names are those a run computes.
	t.Run("MethodsScore", func(t *testing.T) {
		if got, want := len(similarityMethods), len(similarity); got != want {
			t.Fatalf("%d methods named, %d computed", got, want)
		}
		for _, m := range similarityMethods {
			if similarity[m] == nil {
				t.Errorf("method %q has no metric", m)
			}
		}
	})
}

func TestStringEvaluator(t *testing.T) {
	it := Item{Input: "q", GroundTruth: str("Paris"), Output: str("The capital is Paris.")}
	for _, c := range []struct {
		params string
		passed bool
	}{
		{`{"comparator":"equals"}`, false},
		{`{"comparator":"equals","target":"The capital is Paris."}`, true},
		{`{"comparator":"not_equals"}`, true},
		{`{"comparator":"contains"}`, true},
		{`{"comparator":"contains","target":"paris"}`, false},
		{`{"comparator":"contains_ignore_case","target":"PARIS"}`, true},
		{`{"comparator":"contains","reference":"capital"}`, true},
		{`{"comparator":"regex","target":"^The .* Paris\\.$"}`, true},
		{`{"comparator":"regex","target":"^Paris"}`, false},
	} {
		wantResult(t, score(t, "string", c.params, nil, it), map[string]any{"passed": c.passed})
	}
	for _, params := range []string{`{}`, `{"comparator":"startswith"}`, `{"comparator":"regex","target":"("}`} {
		if got := score(t, "string", params, nil, it); got["error"] == nil {
			t.Errorf("%s: result = %v, want an error", params, got)
		}
	}
}

func TestJSONEvaluator(t *testing.T) {
	schema := `{"schema":{"type":"object","required":["answer"],"properties":{"answer":{"type":"number"}}}}`
	for _, c := range []struct {
		params, output string
		passed         bool
	}{
		{`{}`, `{"a":1}`, true},
		{`{}`, `[1, 2]`, true},
		{`{}`, `{"a":`, false},
		{`{}`, `yes`, false},
		{`{}`, `{"a":1} {"b":2}`, false},
		{`{}`, ` "text" `, true},
		{schema, `{"answer": 42}`, true},
		{schema, `{"answer": "42"}`, false},
		{schema, `{}`, false},
	} {
		got := score(t, "json", c.params, nil, Item{Output: str(c.output)})
		if got["passed"] != c.passed {
			t.Errorf("%s on %s: result = %v, want passed %v", c.params, c.output, got, c.passed)
		}
		if !c.passed && got["reason"] == nil {
			t.Errorf("%s on %s: no reason in %v", c.params, c.output, got)
		}
	}
	t.Run("ReasonNamesTheCharacter", func(t *testing.T) {
		for output, want := range map[string]string{
			"日本語":      `Output is not valid JSON: invalid character '日' looking for beginning of value`,
			`{"a": é}`: `Output is not valid JSON: invalid character 'é' looking for beginning of value`,
			`yes`:      `Output is not valid JSON: invalid character 'y' looking for beginning of value`,
		} {
			if got := score(t, "json", `{}`, nil, Item{Output: str(output)}); got["reason"] != want {
				t.Errorf("reason on %q = %v, want %q", output, got["reason"], want)
			}
		}
	})
	t.Run("ErrSchema", func(t *testing.T) {
		got := score(t, "json", `{"schema":{"type":"nope"}}`, nil, Item{Output: str(`{}`)})
		if e, _ := got["error"].(string); !strings.HasPrefix(e, "Invalid JSON Schema") {
			t.Errorf("result = %v", got)
		}
	})
	t.Run("NoRemoteRefs", func(t *testing.T) {
		got := score(t, "json", `{"schema":{"$ref":"file:///etc/passwd"}}`, nil, Item{Output: str(`{}`)})
		if got["error"] == nil {
			t.Errorf("result = %v, want an error", got)
		}
	})
}

func TestLunaryFallbacks(t *testing.T) {
	t.Run("ModelLabeler", func(t *testing.T) {
		got := score(t, "model-labeler", `{"labels":[" Good ","bad",""]}`, nil, Item{Output: str("This is GOOD, not bad")})
		wantResult(t, got, map[string]any{"labels": []string{"Good", "bad"}, "matches": []string{"Good", "bad"},
			"primaryLabel": "Good", "passed": true})
		got = score(t, "model-labeler", `{"labels":["good"]}`, nil, Item{})
		wantResult(t, got, map[string]any{"labels": []string{"good"}, "matches": []string{}, "primaryLabel": nil, "passed": false})
	})
	t.Run("ModelScorer", func(t *testing.T) {
		words := strings.TrimSpace(strings.Repeat("w ", 100))
		got := score(t, "model-scorer", `{}`, nil, Item{Output: str(words)})
		wantResult(t, got, map[string]any{"score": 10 * math.Tanh(1), "minScore": 0, "maxScore": 10, "passed": true})
		got = score(t, "model-scorer", `{"minScore":2,"maxScore":1}`, nil, Item{Output: str("one two")})
		wantResult(t, got, map[string]any{"score": 2, "minScore": 2, "maxScore": 2, "passed": true})
		got = score(t, "model-scorer", `{"minScore":0,"maxScore":4}`, nil, Item{Output: str("one")})
		wantResult(t, got, map[string]any{"score": 4 * math.Tanh(0.01), "minScore": 0, "maxScore": 4, "passed": false})
	})
}

func TestCompile(t *testing.T) {
	for _, c := range []struct {
		ev   strata.Evaluator
		want string
	}{
		{strata.Evaluator{Type: "not-a-type", Kind: strata.KindCustom}, "Evaluator type 'not-a-type' is not supported for dataset testing"},
		{strata.Evaluator{Type: "pii", Kind: strata.KindBuiltin}, "Builtin evaluators cannot be used for dataset testing"},
		{strata.Evaluator{Type: "model-labeler", Kind: strata.KindCustom, Params: json.RawMessage(`{"prompt":"x","modelId":"gpt-4o"}`)},
			"Model 'gpt-4o' is not allowed on this server (STRATA_LLM_MODELS)"},
	} {
		_, err := Compile(&c.ev, nil, nil)
		if got := strata.ErrorMessage(err); got != c.want || strata.ErrorCode(err) != strata.EINVALID {
			t.Errorf("%s: error %v, want %q", c.ev.Type, err, c.want)
		}
	}
	for _, typ := range ServiceTypes {
		sc, err := Compile(&strata.Evaluator{Type: typ, Kind: strata.KindCustom}, nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		var got map[string]any
		json.Unmarshal(sc.Score(t.Context(), Item{Input: "q"}), &got)
		wantResult(t, got, map[string]any{"error": "Evaluator type '" + typ + "' runs on Lunary's ML service, which Strata does not have"})
	}
	if model, ok := LLMModel(&strata.Evaluator{Type: "model-scorer", Params: json.RawMessage(`{"prompt":" ","model":"m"}`)}); ok {
		t.Errorf("blank prompt calls %s", model)
	}
	if model, ok := LLMModel(&strata.Evaluator{Type: "model-scorer", Params: json.RawMessage(`{"prompt":"p","model":" m "}`)}); !ok || model != "m" {
		t.Errorf("model = %q, %v", model, ok)
	}
}

func TestFillPrompt(t *testing.T) {
	got := fillPrompt("Q: {{input}} A: {{output}} E: {{ground_truth}} {{input}}", Item{Input: "i", Output: str("o")})
	if want := "Q: i A: o E:  i"; got != want {
		t.Errorf("prompt = %q, want %q", got, want)
	}
}
