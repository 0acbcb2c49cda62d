package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-eval/strata/api"
	"github.com/strata-eval/strata/postgres"
	"github.com/strata-eval/strata/sqlite"
)

// newTestServerWithClock is a test server whose store's clock runs ahead of
// the real one by what the returned offset holds.
func newTestServerWithClock(t *testing.T) (*testServer, *atomic.Int64) {
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	ts := newTestServerWith(t, func(s *api.Server) {
		switch st := s.Store.(type) {
		case *sqlite.Store:
			st.Store.Now = now
		case *postgres.Store:
			st.Store.Now = now
		default:
			t.Fatalf("cannot set the clock of %T", s.Store)
		}
	})
	return ts, &offset
}

func TestIdempotencyKey(t *testing.T) {
	ts, clock := newTestServerWithClock(t)
	id := ts.createDataset(t, "retries")
	post := func(t *testing.T, key, secret, path, body string) *response {
		t.Helper()
		h := http.Header{"Authorization": {"Bearer " + secret}}
		if key != "" {
			h.Set("Idempotency-Key", key)
		}
		return ts.doWith(t, "POST", path, h, body)
	}
	items := func(t *testing.T) int {
		t.Helper()
		return len(ts.do(t, "GET", datasetsPath+"/"+id+"/items", ts.owner, "").array(t))
	}
	itemsPath := datasetsPath + "/" + id + "/items"

	t.Run("Replay", func(t *testing.T) {
		first := post(t, "k1", ts.owner, itemsPath, `{"input":"once","output":null}`)
		wantStatus(t, first, http.StatusCreated)
		if first.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("first response marked as a replay")
		}
		// The same request, its JSON written another way.
		for _, body := range []string{`{"input":"once","output":null}`, `{ "output": null, "input": "once" }`} {
			again := post(t, "k1", ts.member, itemsPath, body)
			wantStatus(t, again, http.StatusCreated)
			if string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" ||
				again.Header.Get("ETag") != first.Header.Get("ETag") || again.Header.Get("Content-Type") != first.Header.Get("Content-Type") {
				t.Errorf("retry = %s %v, want the first response %s", again.Body, again.Header, first.Body)
			}
		}
		if got := items(t); got != 1 {
			t.Errorf("%d items, want 1", got)
		}
	})
	t.Run("ErrOtherRequest", func(t *testing.T) {
		for _, c := range []struct{ path, body string }{
			{itemsPath, `{"input":"another"}`},
			{itemsPath + "?skipVersion=true", `{"input":"once","output":null}`},
			{datasetsPath + "/" + id + "/versions", ""},
		} {
			wantError(t, post(t, "k1", ts.owner, c.path, c.body), http.StatusUnprocessableEntity, "This Idempotency-Key was used with another request")
		}
		if got := items(t); got != 1 {
			t.Errorf("%d items, want 1", got)
		}
	})
	t.Run("PerProject", func(t *testing.T) {
		other := ts.createKey(t, "elsewhere", "owner", "Eve", "eve@example.com")
		r := post(t, "k1", other, datasetsPath, `{"name":"theirs"}`)
		wantStatus(t, r, http.StatusCreated)
		if r.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("another project's key replayed")
		}
	})
	t.Run("ErrorsAreKeptToo", func(t *testing.T) {
		first := post(t, "k2", ts.owner, itemsPath, `{"input":5}`)
		wantValidation(t, first, `Validation error: Expected string, received number at "input"`)
		again := post(t, "k2", ts.owner, itemsPath, `{"input":5}`)
		if again.Status != first.Status || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry of a refused request = %d %s", again.Status, again.Body)
		}
	})
	t.Run("ErrInvalidKey", func(t *testing.T) {
		for _, key := range []string{strings.Repeat("k", 256), "caf\u00e9", "tab\there"} {
			wantError(t, post(t, key, ts.owner, itemsPath, `{"input":"x"}`), http.StatusBadRequest, "An Idempotency-Key is 1 to 255 printable ASCII characters")
		}
		wantStatus(t, post(t, strings.Repeat("k", 255), ts.owner, itemsPath+"?skipVersion=true", `{"input":"long key"}`), http.StatusCreated)
	})
	t.Run("Concurrent", func(t *testing.T) {
		before := items(t)
		const n = 12
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				statuses[i] = post(t, "race", ts.owner, itemsPath, `{"input":"raced"}`).Status
			})
		}
		wg.Wait()
		created := 0
		for _, s := range statuses {
			switch s {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
			default:
				t.Errorf("status %d", s)
			}
		}
		if got := items(t); got != before+1 || created == 0 {
			t.Errorf("%d concurrent retries created %d items (%d answered 201), want 1", n, got-before, created)
		}
	})
	t.Run("NotKept", func(t *testing.T) {
		big := strings.Repeat("x", 400_000)
		content, _ := json.Marshal(strings.Repeat(`{"input":"`+big+`"}`+"\n", 3))
		wantStatus(t, post(t, "", ts.owner, datasetsPath+"/"+id+"/import", `{"format":"jsonl","content":`+string(content)+`}`), http.StatusOK)
		first := post(t, "big", ts.owner, datasetsPath+"/"+id+"/versions/latest/restore", "")
		wantStatus(t, first, http.StatusOK)
		wantError(t, post(t, "big", ts.owner, datasetsPath+"/"+id+"/versions/latest/restore", ""), http.StatusConflict,
			"This request was already applied; its response was not kept")
	})
	t.Run("Expiry", func(t *testing.T) {
		before := items(t)
		wantStatus(t, post(t, "daily", ts.owner, itemsPath+"?skipVersion=true", `{"input":"monday"}`), http.StatusCreated)
		clock.Add(int64(23 * time.Hour))
		wantError(t, post(t, "daily", ts.owner, itemsPath+"?skipVersion=true", `{"input":"tuesday"}`), http.StatusUnprocessableEntity, "This Idempotency-Key was used with another request")
		clock.Add(int64(time.Hour + time.Millisecond))
		r := post(t, "daily", ts.owner, itemsPath+"?skipVersion=true", `{"input":"tuesday"}`)
		wantStatus(t, r, http.StatusCreated)
		if r.Header.Get("Idempotent-Replayed") != "" || items(t) != before+2 {
			t.Errorf("an expired key was not used afresh")
		}
	})
}
