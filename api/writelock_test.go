package api_test

import "net/http"
import "testing"
import "time"

import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/internal/testkit"

// TestWaitForWriteLockTimesOut: a write that waits for the lock another
// write holds gives up at the request's deadline with 503, instead of
// waiting for the holder.
func TestWaitForWriteLockTimesOut(t *testing.T) {
	ts := newTestServerWith(t, func(s *api.Server) { s.Limits.RequestTimeout = 100 * time.Millisecond })
	id := ts.createDataset(t, "held")
	p, err := ts.store.Authenticate(t.Context(), ts.owner)
	if err != nil {
		t.Fatal(err)
	}
	release := testkit.HoldWriteLock(t, ts.store, p.Actor(), id)
	r := ts.do(t, "POST", datasetsPath+"/"+id+"/items", ts.owner, `{"input":"waiting"}`)
	release()
	wantError(t, r, http.StatusServiceUnavailable, "Request timed out")
}
