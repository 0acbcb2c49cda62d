package api_test

import "encoding/json"
import "fmt"
import "io"
import "net/http"
import "runtime"
import "strings"
import "sync"
import "sync/atomic"
import "testing"
import "time"

// watchHeap samples the live heap every 20 ms from now until the function
// it returns is called, which returns how far the heap grew above its level
// now at its highest.
func watchHeap(t *testing.T) (grown func() int64) {
	t.Helper()
	liveHeap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var (
		peak    atomic.Uint64
		base    = liveHeap()
		stop    = make(chan struct{})
		sampled sync.WaitGroup
	)
	sampled.Add(1)
	go func() {
		defer sampled.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				if h := liveHeap(); h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	}()
	stopOnce := sync.OnceValue(func() int64 {
		close(stop)
		sampled.Wait()
		return int64(peak.Load()) - int64(base)
	})
	t.Cleanup(func() { stopOnce() })
	return stopOnce
}

// TestEvaluatorListStreams lists evaluators whose params hold 128 KiB
// each and watches the live heap: a server that read the list whole, or
// encoded it whole, would hold all of it at once.
func TestEvaluatorListStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 32 MiB of evaluators")
	}
	const n, paramBytes = 256, 128 << 10
	ts := newTestServer(t)
	params := fmt.Sprintf(`{"reference":%q}`, strings.Repeat("a", paramBytes))
	for i := range n {
		ts.createEvaluator(t, fmt.Sprintf("big-%d", i), "rouge", params)
	}

	grown := watchHeap(t)
	req, _ := http.NewRequest("GET", ts.URL+evaluatorsPath+"?kind=custom", nil)
	req.Header.Set("Authorization", "Bearer "+ts.owner)
	// Not ts.Client(), which reads each body whole to check it against the
	// OpenAPI document.
	res, err := new(http.Client).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", res.StatusCode)
	}
	// Read an evaluator at a time, as the server sends them: the test
	// holds no more of the list than the server should.
	dec := json.NewDecoder(res.Body)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		t.Fatalf("list starts with %v (%v), want [", tok, err)
	}
	listed := 0
	for dec.More() {
		var e struct {
			Name   string
			Params struct{ Reference string }
		}
		if err := dec.Decode(&e); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("big-%d", listed); e.Name != want || len(e.Params.Reference) != paramBytes {
			t.Fatalf("evaluator %d: %q with %d bytes of reference, want %q with %d", listed, e.Name, len(e.Params.Reference), want, paramBytes)
		}
		listed++
	}
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		t.Fatal(err)
	}
	grew := grown()
	if listed != n {
		t.Fatalf("%d evaluators listed, want %d", listed, n)
	}
	t.Logf("%d MiB of evaluators listed; live heap grew by at most %.1f MiB", n*paramBytes>>20, float64(grew)/(1<<20))
	// The store reads a list in chunks of about 8 MiB, and the server may
	// hold two at once while it encodes (16.1 MiB measured on a loaded CI
	// machine, 6 to 8 MiB on a quiet one); the list read whole is all of
	// its 32 MiB, and encoded whole twice that.
	if grew > n*paramBytes*3/4 {
		t.Fatalf("live heap grew by %d bytes while listing %d: the list is held in memory", grew, n*paramBytes)
	}
}
