package api_test

import "net/http"
import "testing"

// TestEmptyFlagRefused: a Strata flag given with no value (?dryRun= from an
// unset variable) is refused, never taken for false: a sync meant as a
// preview must not run for real.
func TestEmptyFlagRefused(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "flags")
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/items?skipVersion=true", ts.owner, `{"input":"kept"}`), http.StatusCreated)
	h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {"application/x-ndjson"}}
	wantError(t, ts.doWith(t, "PUT", datasetsPath+"/"+id+"/items?dryRun=", h, `{"input":"new"}`+"\n"),
		http.StatusBadRequest, "dryRun must be true or false")
	if n := ts.itemCount(t, id); n != 1 {
		t.Fatalf("%d items after a refused sync, want the 1 kept", n)
	}
	wantError(t, ts.do(t, "POST", datasetsPath+"/"+id+"/evaluators/run?async=", ts.owner, ""),
		http.StatusBadRequest, "async must be true or false")
	// Absent is false.
	wantStatus(t, ts.doWith(t, "PUT", datasetsPath+"/"+id+"/items", h, `{"input":"new"}`+"\n"), http.StatusOK)
}
