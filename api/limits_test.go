package api_test

import "context"
import "encoding/json"
import "fmt"
import "io"
import "net/http"
import "slices"
import "strconv"
import "strings"
import "sync"
import "sync/atomic"
import "testing"
import "time"

import "github.com/strata-eval/strata/api"

func TestLimits(t *testing.T) {
	t.Run("RatePerKey", func(t *testing.T) {
		ts := newTestServerWith(t, func(s *api.Server) {
			s.Limits = api.Limits{RatePerKey: 0.5, BurstPerKey: 3, MaxConcurrentPerKey: -1}
		})
		for i := 0; i < 3; i++ {
			wantStatus(t, ts.do(t, "GET", datasetsPath, ts.owner, ""), http.StatusOK)
		}
		r := ts.do(t, "GET", datasetsPath, ts.owner, "")
		wantStatus(t, r, http.StatusTooManyRequests)
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 2 {
			t.Fatalf("Retry-After = %q, want 1 or 2 seconds", r.Header.Get("Retry-After"))
		}
		if !strings.Contains(string(r.Body), "Rate limit exceeded") {
			t.Fatalf("body = %s", r.Body)
		}
		// Its writes draw on the same bucket as its reads.
		wantStatus(t, ts.do(t, "POST", datasetsPath, ts.owner, `{"name":"over"}`), http.StatusTooManyRequests)
		// Another key has its own bucket.
		wantStatus(t, ts.do(t, "GET", datasetsPath, ts.viewer, ""), http.StatusOK)
	})

	t.Run("ConcurrentPerKeyWaits", func(t *testing.T) {
		ts, events := newLimitedServer(t, api.Limits{RatePerKey: -1, MaxConcurrentPerKey: 1})
		finish, first := ts.holdSlot(t, events)
		// The key's second write waits for the slot instead of failing.
		second := make(chan int)
		go func() {
			status, _ := ts.sendBody(t, "POST", datasetsPath, ts.owner, `{"name":"second"}`)
			second <- status
		}()
		if got := <-events; got != "queued" {
			t.Fatalf("second request %s, want queued", got)
		}
		// The key's reads have slots of their own: writes waiting for the
		// database's writer never hold them up.
		wantStatus(t, ts.do(t, "GET", datasetsPath, ts.owner, ""), http.StatusOK)
		if got := <-events; got != "admitted" {
			t.Fatalf("read while the writes' slot is taken: %s, want admitted", got)
		}
		// Another key has its own slots.
		wantStatus(t, ts.do(t, "POST", datasetsPath, ts.member, `{"name":"member's"}`), http.StatusCreated)
		finish()
		if got := <-first; got != http.StatusCreated {
			t.Fatalf("slow request: %d, want 201", got)
		}
		if got := <-second; got != http.StatusCreated {
			t.Fatalf("queued request: %d, want 201", got)
		}
	})

	// A request that finds the key's slots taken, and cannot wait, is
	// refused with a Retry-After; once the slot is free the key is served.
	for _, c := range []struct {
		name    string
		limits  api.Limits
		message string
	}{
		{"ConcurrentPerKeyQueueFull", api.Limits{RatePerKey: -1, MaxConcurrentPerKey: 1, MaxQueuedPerKey: -1},
			"Too many concurrent requests: 1 per key run at once and 0 wait, and both are full"},
		{"ConcurrentPerKeyWaitExpires", api.Limits{RatePerKey: -1, MaxConcurrentPerKey: 1, MaxWaitPerKey: time.Millisecond},
			"Too many concurrent requests: waited 1ms for one of the 1 slots of this key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts, events := newLimitedServer(t, c.limits)
			finish, first := ts.holdSlot(t, events)
			r := ts.do(t, "POST", datasetsPath, ts.owner, `{"name":"refused"}`)
			wantError(t, r, http.StatusTooManyRequests, c.message)
			if got := r.Header.Get("Retry-After"); got != "1" {
				t.Fatalf("Retry-After = %q, want 1", got)
			}
			finish()
			<-first
			wantStatus(t, ts.do(t, "GET", datasetsPath, ts.owner, ""), http.StatusOK)
		})
	}

	// With the default limits, a key's bursts wait their turn.
	t.Run("DefaultsConcurrentSnapshots", func(t *testing.T) {
		ts := newTestServerWith(t, func(s *api.Server) { s.Limits = api.Limits{} })
		id := ts.createDataset(t, "snapshots")
		start := ts.versionNumber(t, id)
		const n = 40
		numbers := make(chan int, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				status, body := ts.send(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner)
				if status != http.StatusCreated {
					t.Errorf("snapshot: %d %s", status, body)
					return
				}
				var out struct{ Version struct{ VersionNumber int } }
				if err := json.Unmarshal(body, &out); err != nil {
					t.Error(err)
					return
				}
				numbers <- out.Version.VersionNumber
			})
		}
		wg.Wait()
		close(numbers)
		var got []int
		for v := range numbers {
			got = append(got, v)
		}
		slices.Sort(got)
		if len(got) != n {
			t.Fatalf("%d of %d snapshots succeeded", len(got), n)
		}
		for i, v := range got {
			if want := start + 1 + i; v != want {
				t.Fatalf("snapshot numbers %v: want %d to %d", got, start+1, start+n)
			}
		}
	})

	t.Run("DefaultsManyWorkers", func(t *testing.T) {
		ts := newTestServerWith(t, func(s *api.Server) { s.Limits = api.Limits{} })
		id := ts.createDataset(t, "workers")
		item := ts.createItem(t, id, "case")
		const workers, each = 64, 25
		var refused, failed atomic.Int64
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					method, path := "GET", datasetsPath+"/"+id+"/items/"+item
					if (w+i)%4 == 0 {
						method = "PATCH"
					}
					status, _ := ts.sendBody(t, method, path+"?skipVersion=true", ts.owner, `{"input":"edited"}`)
					switch {
					case status == http.StatusTooManyRequests:
						refused.Add(1)
					case status != http.StatusOK:
						failed.Add(1)
					}
				}
			})
		}
		wg.Wait()
		if got := refused.Load(); got != 0 {
			t.Fatalf("%d of %d requests refused with 429", got, workers*each)
		}
		if got := failed.Load(); got != 0 {
			t.Fatalf("%d of %d requests failed", got, workers*each)
		}
	})

	t.Run("ImportItems", func(t *testing.T) {
		ts := newTestServerWith(t, func(s *api.Server) { s.Limits.MaxImportItems = 3 })
		id := ts.createDataset(t, "limits")
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/import", ts.owner, `{"format":"csv","content":"input\na\nb\nc\nd"}`)
		wantError(t, r, http.StatusRequestEntityTooLarge, "An import holds at most 3 items")
		wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/import", ts.owner, `{"format":"csv","content":"input\na\nb\nc"}`), http.StatusOK)
	})

	t.Run("FieldBytes", func(t *testing.T) {
		ts := newTestServerWith(t, func(s *api.Server) { s.Limits.MaxFieldBytes = 10 })
		id := ts.createDataset(t, "limits")
		big := strings.Repeat("x", 11)
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+id+"/items", ts.owner, fmt.Sprintf(`{"output":%q}`, big)),
			http.StatusRequestEntityTooLarge, "output is larger than 10 bytes")
		item := ts.createItem(t, id, "small")
		wantError(t, ts.do(t, "PATCH", datasetsPath+"/"+id+"/items/"+item, ts.owner, fmt.Sprintf(`{"input":%q}`, big)),
			http.StatusRequestEntityTooLarge, "input is larger than 10 bytes")
		body, _ := json.Marshal(map[string]string{"format": "jsonl", "content": `{"input":"a"}` + "\n" + `{"input":"` + big + `"}`})
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/import", ts.owner, string(body))
		wantError(t, r, http.StatusRequestEntityTooLarge, "item 2: input is larger than 10 bytes")
	})

	t.Run("RequestTimeout", func(t *testing.T) {
		ts := newTestServerWith(t, func(s *api.Server) { s.Limits.RequestTimeout = 1 })
		wantError(t, ts.do(t, "GET", datasetsPath, ts.owner, ""), http.StatusServiceUnavailable, "Request timed out")
	})
}

// newLimitedServer is a test server with limits l, whose limiter reports
// to the channel what it does with the owner key's requests.
func newLimitedServer(t *testing.T, l api.Limits) (*testServer, <-chan string) {
	events := make(chan string, 16)
	var owner atomic.Value
	ts := newTestServerWith(t, func(s *api.Server) {
		s.Limits = l
		api.WatchLimiter(s, func(event, key string) {
			if key == owner.Load() {

				events <- event
			}
		})
	})
	k, err := ts.store.Authenticate(context.Background(), ts.owner)
	if err != nil {
		t.Fatal(err)
	}
	owner.Store(k.KeyID)
	return ts, events
}

// holdSlot starts a request of the owner key whose body does not end until
// finish is called, and returns once the server has admitted it. Its status
// arrives on the channel.
func (ts *testServer) holdSlot(t *testing.T, events <-chan string) (finish func(), status <-chan int) {
	t.Helper()
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", ts.URL+datasetsPath, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ts.owner)
	done := make(chan int, 1)
	go func() {
		res, err := ts.Client().Do(req)
		if err != nil {
			done <- 0
			return
		}
		res.Body.Close()
		done <- res.StatusCode
	}()
	if _, err := pw.Write([]byte(`{"name":`)); err != nil {
		t.Fatal(err)
	}
	if got := <-events; got != "admitted" {
		t.Fatalf("first request %s, want admitted", got)
	}
	return func() {
		pw.Write([]byte(`"slow"}`))
		pw.Close()
	}, done
}

// send is a request that may run in another goroutine: it reports failures
// with Error, never Fatal.
func (ts *testServer) send(t *testing.T, method, path, key string) (int, []byte) {
	return ts.sendBody(t, method, path, key, "")
}

func (ts *testServer) sendBody(t *testing.T, method, path, key, body string) (int, []byte) {
	var rd io.Reader
	if body != "" && method != "GET" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Error(err)
	}
	return res.StatusCode, data
}

// status sends a request without a body and returns its status.
func (ts *testServer) status(t *testing.T, method, path, key string) int {
	status, _ := ts.send(t, method, path, key)
	return status
}
