package api

import "fmt"
import "net/http/httptest"
import "testing"

import "github.com/strata-eval/strata"

// TestWorkingSetTooLargeRecordsNothing: a read of a working set too large
// to keep stops recording its items' layout as soon as it outgrows the
// cache's share, however many items follow: its memory is the share, not
// the dataset.
func TestWorkingSetTooLargeRecordsNothing(t *testing.T) {
	c := newPageCache(64 << 10) // a share of 8 KiB
	ws := c.workingSet(httptest.NewRecorder())
	var b []byte
	for i := range 10_000 {
		b = ws.add(&strata.Item{ID: fmt.Sprintf("item-%d", i), Input: "a question of some length"}).appendJSON(b[:0])
	}
	if n := len(ws.layout.ids); n != 0 || !ws.over {
		t.Fatalf("after 10,000 items past the share: %d ids recorded, over = %v", n, ws.over)
	}
	// One that fits is recorded whole.
	ws = c.workingSet(httptest.NewRecorder())
	for i := range 10 {
		b = ws.add(&strata.Item{ID: fmt.Sprintf("item-%d", i), Input: "q"}).appendJSON(b[:0])
	}
	if n := len(ws.layout.ids); n != 10 || ws.over {
		t.Fatalf("10 small items: %d ids recorded, over = %v", n, ws.over)
	}
}
