package api_test

import "io"
import "log/slog"
import "net/http"
import "testing"
import "time"

import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/eval"
import "github.com/strata-eval/strata/wire"

// TestAsyncRunsCapped: a server computes at most MaxAsyncRuns asynchronous
// runs at once; another is 429 with Retry-After until one ends.
func TestAsyncRunsCapped(t *testing.T) {
	release := make(chan struct{})
	fake := newFakeLLM(t, func(r *llmRequest) (string, int) {
		<-release
		return "good", 0
	})
	llm := fake.client(2)
	ts := newTestServerWith(t, func(s *api.Server) {
		s.LLM = llm
		s.Runner = &eval.Runner{Store: s.Store, LLM: llm, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			ProgressInterval: time.Millisecond, MaxAsyncRuns: 1}
		t.Cleanup(s.Runner.Close)
	})
	judge := ts.createEvaluator(t, "judge", "model-labeler", `{"prompt":"Label {{input}}"}`)
	dataset := func(name string) string {
		ds := ts.createDataset(t, name)
		ts.importJSONL(t, ds, []string{`{"input":"a"}`})
		wantStatus(t, ts.attach(t, ds, judge, ""), http.StatusOK)
		return ds
	}
	first, second := dataset("first"), dataset("second")

	r := ts.do(t, "POST", datasetsPath+"/"+first+"/evaluators/run?async=true", ts.owner, "")
	wantStatus(t, r, http.StatusAccepted)
	var started struct{ Run wire.RunWithSlots }
	r.decode(t, &started)

	r = ts.do(t, "POST", datasetsPath+"/"+second+"/evaluators/run?async=true", ts.owner, "")
	wantError(t, r, http.StatusTooManyRequests, eval.ErrTooManyRuns.Message)
	if got := r.Header.Get("Retry-After"); got != "30" {
		t.Fatalf("Retry-After = %q, want 30", got)
	}
	// A synchronous run is bounded by its request, not counted.
	close(release)
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+second+"/evaluators/run", ts.owner, ""), http.StatusOK)
	waitFor(t, "the first run to end", func() bool { return ts.getRun(t, first, started.Run.ID).Status != "running" })
	// Its slot is free again, once its goroutine has let go of it (just
	// after the run's end is recorded): until then the answer is the 429.
	waitFor(t, "the slot to be free", func() bool {
		r := ts.do(t, "POST", datasetsPath+"/"+second+"/evaluators/run?async=true", ts.owner, "")
		if r.Status != http.StatusAccepted {
			wantError(t, r, http.StatusTooManyRequests, eval.ErrTooManyRuns.Message)
		}
		return r.Status == http.StatusAccepted
	})
}
