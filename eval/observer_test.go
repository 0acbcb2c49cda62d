package eval

import "context"
import "errors"
import "net/http"
import "net/http/httptest"
import "slices"
import "sync"
import "sync/atomic"
import "testing"
import "time"

// calls records what an Observer hears.
type calls struct {
	mu       sync.Mutex
	inFlight int
	outcomes []string
	runs     []string
}

func (c *calls) LLMCallStarted() { c.mu.Lock(); c.inFlight++; c.mu.Unlock() }
func (c *calls) LLMCallEnded(model, outcome string, _ time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inFlight--
	c.outcomes = append(c.outcomes, model+":"+outcome)
}
func (c *calls) RunEnded(status string) { c.mu.Lock(); c.runs = append(c.runs, status); c.mu.Unlock() }

func TestObserverHearsAttempts(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			w.Header().Set("Retry-After-Ms", "1")
			writeJSON(w, 429, nil)
		case 2:
			w.Header().Set("Retry-After-Ms", "1")
			writeJSON(w, 502, nil)
		case 3:
			writeJSON(w, 200, answer("ok"))
		default:
			writeJSON(w, 400, map[string]any{"error": map[string]any{"message": "bad model"}})
		}
	}))
	defer srv.Close()
	obs := &calls{}
	c := testClient(srv.URL)
	c.Observer = obs
	if _, err := c.Respond(context.Background(), Request{Model: "m", Input: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Respond(context.Background(), Request{Model: "n", Input: "x"}); err == nil {
		t.Fatal("a 400 succeeded")
	}
	want := []string{"m:" + OutcomeRateLimited, "m:" + OutcomeServerError, "m:" + OutcomeOK, "n:" + OutcomeClientError}
	if !slices.Equal(obs.outcomes, want) {
		t.Errorf("outcomes = %v, want %v", obs.outcomes, want)
	}
	if obs.inFlight != 0 {
		t.Errorf("in flight = %d after the calls, want 0", obs.inFlight)
	}
}

func TestOutcome(t *testing.T) {
	for _, c := range []struct {
		err        error
		retryAfter time.Duration
		want       string
	}{
		{nil, 0, OutcomeOK},
		{&TimeoutError{After: time.Second}, -1, OutcomeTimeout},
		{context.Canceled, -1, OutcomeCanceled},
		{&UpstreamError{Status: 408}, 0, OutcomeTimeout},
		{&UpstreamError{Status: 429}, 0, OutcomeRateLimited},
		{&UpstreamError{Status: 401}, -1, OutcomeClientError},
		{&UpstreamError{Status: 503}, 0, OutcomeServerError},
		{errConnection, 0, OutcomeConnectionError},
		{errConnection, -1, OutcomeBadResponse},
	} {
		if got := outcome(c.err, c.retryAfter); got != c.want {
			t.Errorf("outcome(%v, %v) = %q, want %q", c.err, c.retryAfter, got, c.want)
		}
	}
}

var errConnection = errors.New("connection refused")
