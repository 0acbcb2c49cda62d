package metrics

import "fmt"
import "net/http"
import "testing"
import "time"

import "github.com/prometheus/client_golang/prometheus/testutil"

func TestRejectReason(t *testing.T) {
	for _, c := range []struct {
		status   int
		timedOut bool
		want     string
	}{
		{http.StatusTooManyRequests, false, ReasonRateLimit},
		{http.StatusRequestEntityTooLarge, false, ReasonTooLarge},
		{http.StatusRequestTimeout, false, ReasonTimeout},
		{http.StatusServiceUnavailable, true, ReasonTimeout},
		// The database unavailable, the server stopping, not ready: no
		// limit refused these.
		{http.StatusServiceUnavailable, false, ""},
		{http.StatusNotFound, false, ""},
		{http.StatusInternalServerError, false, ""},
	} {
		if got := rejectReason(c.status, c.timedOut); got != c.want {
			t.Errorf("rejectReason(%d, %v) = %q, want %q", c.status, c.timedOut, got, c.want)
		}
	}
}

func TestRequestDoneCountsRejections(t *testing.T) {
	m := New()
	m.RequestStarted()
	m.RequestDone("/v1/datasets-v2", "POST", http.StatusTooManyRequests, time.Millisecond, false)
	if got := testutil.ToFloat64(m.httpRejected.WithLabelValues(ReasonRateLimit)); got != 1 {
		t.Errorf("rate_limit rejections = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.httpInFlight); got != 0 {
		t.Errorf("in flight = %v, want 0", got)
	}
}

func TestMethodLabel(t *testing.T) {
	for method, want := range map[string]string{"GET": "GET", "PATCH": "PATCH", "BREW": "other", "get": "other", "CONNECT": "other"} {
		if got := methodLabel(method); got != want {
			t.Errorf("methodLabel(%q) = %q, want %q", method, got, want)
		}
	}
}

func TestModelLabelBounded(t *testing.T) {
	m := New()
	for i := range maxModels + 10 {
		m.LLMCallStarted()
		m.LLMCallEnded(fmt.Sprintf("model-%d", i), "ok", time.Second)
	}
	if got, want := testutil.CollectAndCount(m.llmRequests), maxModels+1; got != want {
		t.Errorf("series = %d, want %d (the first %d models and other)", got, want, maxModels)
	}
	if got := testutil.ToFloat64(m.llmRequests.WithLabelValues("other", "ok")); got != 10 {
		t.Errorf("other = %v, want 10", got)
	}
	// A model seen before the bound keeps its label.
	m.LLMCallStarted()
	m.LLMCallEnded("model-0", "ok", time.Second)
	if got := testutil.ToFloat64(m.llmRequests.WithLabelValues("model-0", "ok")); got != 2 {
		t.Errorf("model-0 = %v, want 2", got)
	}
}
