package api_test

import "fmt"
import "io"
import "net/http"
import "testing"

import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/internal/testkit"

// A HEAD is answered with a GET's status and headers, without the work of
// its body: an export stops at its first write instead of reading the whole
// version, and the connection stays usable.
func TestHeadStopsAtTheHeaders(t *testing.T) {
	var counter *testkit.ScanCounter
	ts := newTestServerWith(t, func(s *api.Server) {
		counter = &testkit.ScanCounter{Store: s.Store}
		s.Store = counter
	})
	id := ts.createDataset(t, "head")
	const n = 3000
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"input":"question %d"}`, i)
	}
	ts.importJSONL(t, id, lines)
	ts.snapshot(t, id)
	path := datasetsPath + "/" + id + "/versions/2/export"

	get := ts.do(t, "GET", path, ts.viewer, "")
	wantStatus(t, get, http.StatusOK)
	if got := counter.Items.Swap(0); got != n {
		t.Fatalf("GET scanned %d items, want %d", got, n)
	}
	// One connection: the request after the HEAD is read by the server
	// only when the HEAD's handler has returned.
	c := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	send := func(method, path string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+ts.viewer)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	head := send("HEAD", path)
	if head.StatusCode != http.StatusOK {
		t.Fatalf("HEAD = %d", head.StatusCode)
	}
	for _, h := range []string{"Content-Type", "Content-Disposition", "ETag"} {
		if got, want := head.Header.Get(h), get.Header.Get(h); got != want {
			t.Errorf("HEAD %s = %q, GET's %q", h, got, want)
		}
	}
	if res := send("GET", datasetsPath+"/"+id+"/versions"); res.StatusCode != http.StatusOK {
		t.Fatalf("GET after HEAD = %d", res.StatusCode)
	}
	if got := counter.Items.Load(); got >= n {
		t.Errorf("HEAD scanned %d items of %d: it made the whole body", got, n)
	}
}
