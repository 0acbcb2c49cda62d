package api_test

import "context"
import "net/http"
import "net/http/httptest"
import "testing"
import "time"

import "github.com/strata-eval/strata/api"

// A read waits for a read slot; a write does not. With every slot held, a
// read is answered 503 when its request's time runs out, and once a slot
// is free it is served.
func TestReadsTakeASlot(t *testing.T) {
	var srv *api.Server
	ts := newTestServerWith(t, func(s *api.Server) {
		s.Limits.MaxConcurrentReads = 1
		s.Limits.RequestTimeout = 100 * time.Millisecond
		s.ReadSlice = time.Hour // the slot is held until released
		srv = s
	})
	id := ts.createDataset(t, "reads")
	path := datasetsPath + "/" + id
	release, err := srv.AdmitRead(httptest.NewRequestWithContext(context.Background(), "GET", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, ts.do(t, "GET", path, ts.owner, ""), http.StatusServiceUnavailable, "Request timed out")
	wantStatus(t, ts.do(t, "PATCH", path, ts.owner, `{"name":"renamed"}`), http.StatusOK)
	release()
	wantStatus(t, ts.do(t, "GET", path, ts.owner, ""), http.StatusOK)
}

// A read keeps its slot for its slice at most: a long one does not hold
// up the next.
func TestReadSlotSlice(t *testing.T) {
	s := &api.Server{Limits: api.Limits{MaxConcurrentReads: 1}, ReadSlice: time.Millisecond}
	first, err := s.AdmitRead(httptest.NewRequestWithContext(context.Background(), "GET", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer first()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a watchdog, not a measure
	defer cancel()
	second, err := s.AdmitRead(httptest.NewRequestWithContext(ctx, "GET", "/", nil))
	if err != nil {
		t.Fatalf("a read waiting behind one past its slice: %v", err)
	}
	second()
}

// MaxConcurrentReads -1 takes no slot.
func TestReadSlotsOff(t *testing.T) {
	s := &api.Server{Limits: api.Limits{MaxConcurrentReads: -1}, ReadSlice: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a read that waited would fail
	for range 3 {
		release, err := s.AdmitRead(httptest.NewRequestWithContext(ctx, "GET", "/", nil))
		if err != nil {
			t.Fatalf("read with no limit: %v", err)
		}
		defer release()
	}
}
