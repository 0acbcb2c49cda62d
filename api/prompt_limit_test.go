package api_test

import "encoding/json"
import "fmt"
import "net/http"
import "strings"
import "sync/atomic"
import "testing"

import "github.com/strata-eval/strata/eval"

// TestGenerateInputLimit: generate sends no input larger than the prompt
// limit upstream, whether it comes from the body or from the item.
func TestGenerateInputLimit(t *testing.T) {
	var calls atomic.Int32
	fake := newFakeLLM(t, func(r *llmRequest) (string, int) {
		calls.Add(1)
		return "ok", 0
	})
	ts := newEvalServer(t, fake.client(2))
	ds := ts.createDataset(t, "gen")
	limit := eval.DefaultMaxPromptBytes
	big := ts.createItem(t, ds, strings.Repeat("x", limit+1))
	small := ts.createItem(t, ds, "small")
	want := fmt.Sprintf("input is %d bytes, more than the limit of %d for a prompt", limit+1, limit)

	wantError(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/items/"+big+"/generate", ts.owner, `{}`), http.StatusRequestEntityTooLarge, want)
	body, _ := json.Marshal(map[string]string{"input": strings.Repeat("y", limit+1)})
	wantError(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/items/"+small+"/generate", ts.owner, string(body)), http.StatusRequestEntityTooLarge, want)
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d LLM calls for inputs over the limit", n)
	}
	body, _ = json.Marshal(map[string]string{"input": strings.Repeat("y", limit)})
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/items/"+small+"/generate", ts.owner, string(body)), http.StatusOK)
}
