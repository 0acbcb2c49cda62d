package api_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/api"
)

// heldSource yields one item, says so, then waits for release: an import
// that holds the dataset's write lock for as long as the test wants.
type heldSource struct {
	n        int
	started  chan struct{}
	released chan struct{}
}

func (s *heldSource) Next() (strata.ItemInput, error) {
	if s.n++; s.n == 1 {
		return strata.ItemInput{Input: "held"}, nil
	}
	close(s.started)
	<-s.released
	return strata.ItemInput{}, io.EOF
}

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
	src := &heldSource{started: make(chan struct{}), released: make(chan struct{})}
	imported := make(chan error, 1)
	go func() {
		_, err := ts.store.ImportItems(t.Context(), p.Actor(), id, src, strata.WriteOptions{})
		imported <- err
	}()
	<-src.started
	r := ts.do(t, "POST", datasetsPath+"/"+id+"/items", ts.owner, `{"input":"waiting"}`)
	close(src.released)
	if err := <-imported; err != nil {
		t.Fatal(err)
	}
	wantError(t, r, http.StatusServiceUnavailable, "Request timed out")
}
