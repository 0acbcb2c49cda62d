package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/strata-eval/strata/api"
)

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
		// Another key has its own bucket.
		wantStatus(t, ts.do(t, "GET", datasetsPath, ts.viewer, ""), http.StatusOK)
	})

	t.Run("ConcurrentPerKey", func(t *testing.T) {
		ts := newTestServerWith(t, func(s *api.Server) {
			s.Limits = api.Limits{RatePerKey: -1, MaxConcurrentPerKey: 1}
		})
		// A request whose body never ends stays in flight.
		pr, pw := io.Pipe()
		req, _ := http.NewRequest("POST", ts.URL+datasetsPath, pr)
		req.Header.Set("Authorization", "Bearer "+ts.owner)
		done := make(chan *http.Response)
		go func() {
			res, err := ts.Client().Do(req)
			if err != nil {
				done <- nil
				return
			}
			res.Body.Close()
			done <- res
		}()
		pw.Write([]byte(`{"name":`)) // the server has read the headers: the request is admitted
		var got int
		for i := 0; i < 100 && got != http.StatusTooManyRequests; i++ {
			got = ts.do(t, "GET", datasetsPath, ts.owner, "").Status
		}
		if got != http.StatusTooManyRequests {
			t.Fatalf("second request of the key: %d, want 429", got)
		}
		wantStatus(t, ts.do(t, "GET", datasetsPath, ts.member, ""), http.StatusOK)
		pw.Write([]byte(`"slow"}`))
		pw.Close()
		if res := <-done; res == nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("slow request: %v", res)
		}
		wantStatus(t, ts.do(t, "GET", datasetsPath, ts.owner, ""), http.StatusOK)
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
