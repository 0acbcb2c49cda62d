package web_test

import "fmt"
import "io"
import "net/http"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/web"
import "github.com/strata-eval/strata/internal/testkit"

// A HEAD of a download answers with its headers and does not read the
// version to make a body no one receives.
func TestHeadOfExportReadsNoVersion(t *testing.T) {
	var counter *testkit.ScanCounter
	s := newSiteWith(t, func(ws *web.Server) {
		counter = &testkit.ScanCounter{Store: ws.Store}
		ws.Store = counter
	})
	p, d := s.ownerDataset(t, "head")
	const n = 3000
	items := make(strata.ItemSlice, n)
	for i := range items {
		items[i] = strata.ItemInput{Input: fmt.Sprintf("question %d", i)}
	}
	if _, err := s.store.ImportItems(t.Context(), p.Actor(), d.ID, &items, strata.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	s.signin(t, s.owner)
	// One connection: the request after the HEAD is read by the server
	// only when the HEAD's handler has returned.
	c := &http.Client{Jar: s.client.Jar, Transport: &http.Transport{MaxConnsPerHost: 1}}
	send := func(method, path string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL+path, nil)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	export := "/datasets/" + d.ID + "/versions/2/export"
	head := send("HEAD", export)
	if head.StatusCode != http.StatusOK {
		t.Fatalf("HEAD = %d", head.StatusCode)
	}
	if got, want := head.Header.Get("Content-Disposition"), fmt.Sprintf(`attachment; filename="%s-v2.jsonl"`, d.ID); got != want {
		t.Errorf("HEAD Content-Disposition = %q, want %q", got, want)
	}
	if res := send("GET", "/signin"); res.StatusCode != http.StatusOK && res.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET after HEAD = %d", res.StatusCode)
	}
	if got := counter.Items.Load(); got >= n {
		t.Errorf("HEAD scanned %d items of %d: it made the whole body", got, n)
	}
	counter.Items.Store(0)
	if res := send("GET", export); res.StatusCode != http.StatusOK {
		t.Fatalf("GET = %d", res.StatusCode)
	}
	if got := counter.Items.Load(); got != n {
		t.Errorf("GET scanned %d items, want %d", got, n)
	}
}
