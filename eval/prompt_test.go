package eval

import "context"
import "encoding/json"
import "net/http"
import "net/http/httptest"
import "runtime"
import "strings"
import "sync/atomic"
import "testing"

import "github.com/strata-eval/strata"

func TestFilledSize(t *testing.T) {
	out := "out"
	for _, c := range []struct {
		template string
		it       Item
	}{
		{"Q: {{input}} A: {{output}} E: {{ground_truth}} {{input}}", Item{Input: "i", Output: &out}},
		{"{{{input}}}} {{input}}{{input}} {{output", Item{Input: "a longer input"}},
		{"no placeholder", Item{Input: "x"}},
		{strings.Repeat("{{ground_truth}}", 5), Item{Input: "x", GroundTruth: &out}},
	} {
		if got, want := filledSize(c.template, c.it), len(fillPrompt(c.template, c.it)); got != want {
			t.Errorf("filledSize(%q) = %d, want %d", c.template, got, want)
		}
	}
}

// TestPromptLimit: an item whose filled prompt would exceed the limit gets
// an error result, without a call and without the prompt being built.
func TestPromptLimit(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, 200, answer("7"))
	}))
	defer srv.Close()
	llm := testClient(srv.URL)
	llm.Models = []string{"*"}
	params, _ := json.Marshal(map[string]string{"prompt": strings.Repeat("{{input}} ", 150), "model": "m"})
	sc, err := Compile(&strata.Evaluator{Type: strata.TypeModelScorer, Params: params}, nil, llm)
	if err != nil {
		t.Fatal(err)
	}

	huge := Item{Input: strings.Repeat("x", 1<<20)} // 150 MiB once filled
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := sc.Score(context.Background(), huge)
	runtime.ReadMemStats(&after)
	var got struct{ Error string }
	if err := json.Unmarshal(res, &got); err != nil {
		t.Fatal(err)
	}
	if want := "The prompt filled with this item would be 157286550 bytes, more than the limit of 262144"; got.Error != want {
		t.Fatalf("error = %q, want %q", got.Error, want)
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d LLM calls for a prompt over the limit", n)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 1<<20 {
		t.Fatalf("refusing the prompt allocated %d bytes", allocated)
	}

	// The limit is a setting; a prompt within it is sent.
	llm.MaxPromptBytes = 1500
	if got := string(sc.Score(context.Background(), Item{Input: "ok"})); !strings.Contains(got, `"score":7`) {
		t.Fatalf("small item: %s", got)
	}
	if got := string(sc.Score(context.Background(), Item{Input: strings.Repeat("y", 10)})); !strings.Contains(got, "more than the limit of 1500") {
		t.Fatalf("item over a configured limit: %s", got)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d LLM calls, want 1", n)
	}
}
