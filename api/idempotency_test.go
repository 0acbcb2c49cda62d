package api_test

import "context"
import "errors"
import "encoding/json"
import "fmt"
import "net"
import "net/http"
import "strings"
import "sync"
import "sync/atomic"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/internal/testkit"
import "github.com/strata-eval/strata/postgres"
import "github.com/strata-eval/strata/sqlite"

// newTestServerWithClock is a test server whose store's clock runs ahead of
// the real one by what the returned offset holds.
func newTestServerWithClock(t *testing.T, configure ...func(*api.Server)) (*testServer, *atomic.Int64) {
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
		for _, c := range configure {
			c(s)
		}
	})
	return ts, &offset
}

// itemCount is the number of items in the working set of dataset id.
func (ts *testServer) itemCount(t *testing.T, id string) int {
	t.Helper()
	return len(ts.do(t, "GET", datasetsPath+"/"+id+"/items", ts.owner, "").array(t))
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
		if got := ts.itemCount(t, id); got != 1 {
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
		if got := ts.itemCount(t, id); got != 1 {
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
		// An empty key, or two, is no key the client meant: refused, not
		// run unprotected.
		for keys, msg := range map[string]string{"": "An Idempotency-Key is 1 to 255 printable ASCII characters", "a,b": "Idempotency-Key is given twice: send it once"} {
			h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Idempotency-Key": strings.Split(keys, ",")}
			wantError(t, ts.doWith(t, "POST", itemsPath, h, `{"input":"x"}`), http.StatusBadRequest, msg)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		before := ts.itemCount(t, id)
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
		if got := ts.itemCount(t, id); got != before+1 || created == 0 {
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
		before := ts.itemCount(t, id)
		wantStatus(t, post(t, "daily", ts.owner, itemsPath+"?skipVersion=true", `{"input":"monday"}`), http.StatusCreated)
		clock.Add(int64(23 * time.Hour))
		wantError(t, post(t, "daily", ts.owner, itemsPath+"?skipVersion=true", `{"input":"tuesday"}`), http.StatusUnprocessableEntity, "This Idempotency-Key was used with another request")
		clock.Add(int64(time.Hour + time.Millisecond))
		r := post(t, "daily", ts.owner, itemsPath+"?skipVersion=true", `{"input":"tuesday"}`)
		wantStatus(t, r, http.StatusCreated)
		if r.Header.Get("Idempotent-Replayed") != "" || ts.itemCount(t, id) != before+2 {
			t.Errorf("an expired key was not used afresh")
		}
	})
}

// TestIdempotencyRawBody: the fingerprint of a raw import covers the file it
// streams and its Content-Type.
func TestIdempotencyRawBody(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "raw")
	raw := func(t *testing.T, key, contentType, body string) *response {
		t.Helper()
		h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {contentType}, "Idempotency-Key": {key}}
		return ts.doWith(t, "POST", datasetsPath+"/"+id+"/import", h, body)
	}

	first := raw(t, "raw-1", "text/csv", "input\na\nb\n")
	wantStatus(t, first, http.StatusOK)
	// Another file with the same key is refused, not answered with the
	// first file's response.
	wantError(t, raw(t, "raw-1", "text/csv", "input\nc\nd\ne\n"), http.StatusUnprocessableEntity, "This Idempotency-Key was used with another request")
	// The same bytes as another format are another request.
	wantError(t, raw(t, "raw-1", "application/x-ndjson", "input\na\nb\n"), http.StatusUnprocessableEntity, "This Idempotency-Key was used with another request")
	// The same file is a replay.
	again := raw(t, "raw-1", "text/csv", "input\na\nb\n")
	wantStatus(t, again, http.StatusOK)
	if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) {
		t.Fatalf("retry of the same file: %s %v, want the first response replayed", again.Body, again.Header)
	}
	if got, want := ts.itemCount(t, id), 2; got != want {
		t.Fatalf("%d items, want %d", got, want)
	}
	// A request that failed on its file replays its failure to the same
	// file, and refuses another.
	bad := "input\n\"open\n"
	wantStatus(t, raw(t, "raw-2", "text/csv", bad), http.StatusBadRequest)
	replay := raw(t, "raw-2", "text/csv", bad)
	if replay.Status != http.StatusBadRequest || replay.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry of a refused file: %d %v", replay.Status, replay.Header)
	}
	wantError(t, raw(t, "raw-2", "text/csv", "input\nfixed\n"), http.StatusUnprocessableEntity, "This Idempotency-Key was used with another request")
}

// TestIdempotencyTakeover: a key reserved by a request that never completed
// (its server died) is taken over once the request could no longer be
// running, instead of answering 409 until the key expires.
func TestIdempotencyTakeover(t *testing.T) {
	ts, clock := newTestServerWithClock(t)
	id := ts.createDataset(t, "takeover")
	path := datasetsPath + "/" + id + "/items"
	header := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {"application/json"}, "Idempotency-Key": {"died"}}
	body := `{"input":"x"}`
	// A server reserved the key for this very request, then died.
	req, err := http.NewRequest("POST", ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	p, err := ts.store.Authenticate(context.Background(), ts.owner)
	if err != nil {
		t.Fatal(err)
	}
	lease := api.DefaultRequestTimeout + time.Minute
	fp := api.Fingerprint(req, map[string]json.RawMessage{"input": json.RawMessage(`"x"`)})
	if _, err := ts.store.ReserveIdempotencyKey(context.Background(), p.ProjectID, "died", fp, lease); err != nil {
		t.Fatal(err)
	}
	wantError(t, ts.doWith(t, "POST", path, header, body), http.StatusConflict, strata.ErrIdempotencyKeyInFlight.Message)
	// Once its lease (the request timeout and a minute) has run out, the
	// key is the next request's.
	clock.Add(int64(lease + time.Second))
	r := ts.doWith(t, "POST", path, header, body)
	wantStatus(t, r, http.StatusCreated)
	if r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("a taken-over key replayed")
	}
	if again := ts.doWith(t, "POST", path, header, body); again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry after the takeover: %d, not a replay", again.Status)
	}
	if n := strings.Count(string(ts.do(t, "GET", path, ts.owner, "").Body), `"input":"x"`); n != 1 {
		t.Fatalf("%d items created, want 1", n)
	}
}

// diesBeforeSave is a store whose server dies after a keyed request's
// writes commit, before its response is saved.
type diesBeforeSave struct{ strata.Store }

func (diesBeforeSave) SaveIdempotentResponse(context.Context, string, string, *strata.SavedResponse) error {
	return errors.New("killed")
}

// TestIdempotencyCrashAfterCommit: a request whose write committed but whose
// response was never saved is not applied again by a retry after its lease:
// the retry learns it was applied.
func TestIdempotencyCrashAfterCommit(t *testing.T) {
	ts, clock := newTestServerWithClock(t, func(s *api.Server) { s.Store = diesBeforeSave{s.Store} })
	id := ts.createDataset(t, "crash")
	path := datasetsPath + "/" + id + "/items"
	header := http.Header{"Authorization": {"Bearer " + ts.owner}, "Idempotency-Key": {"crash"}}
	wantStatus(t, ts.doWith(t, "POST", path, header, `{"input":"x"}`), http.StatusCreated)
	clock.Add(int64(api.DefaultRequestTimeout + time.Minute + time.Second))
	wantError(t, ts.doWith(t, "POST", path, header, `{"input":"x"}`), http.StatusConflict, strata.ErrIdempotentNotKept.Message)
	if n := ts.itemCount(t, id); n != 1 {
		t.Fatalf("%d items after the retry, want 1", n)
	}
	// A request that failed before writing gives its key back.
	header.Set("Idempotency-Key", "refused")
	wantStatus(t, ts.doWith(t, "POST", path, header, `{"input":1}`), http.StatusUnprocessableEntity)
	clock.Add(int64(api.DefaultRequestTimeout + time.Minute + time.Second))
	wantStatus(t, ts.doWith(t, "POST", path, header, `{"input":1}`), http.StatusUnprocessableEntity)
}

// TestIdempotencyRetryAfterOutage: a keyed request that failed while the
// database was down, its key not given back then, can be retried as soon
// as the database is back, not answered 409 in progress until its lease
// ends.
func TestIdempotencyRetryAfterOutage(t *testing.T) {
	st := &testkit.Outage{}
	ts := newTestServerWith(t, func(s *api.Server) {
		st.Store = s.Store
		s.Store = st
	})
	h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Idempotency-Key": {"during the outage"}}
	st.Down.Store(true)
	wantStatus(t, ts.doWith(t, "POST", datasetsPath, h, `{"name":"kept"}`), http.StatusServiceUnavailable)
	st.Down.Store(false)
	wantStatus(t, ts.doWith(t, "POST", datasetsPath, h, `{"name":"kept"}`), http.StatusCreated)
}

// A keyed write whose client left before its answer (499: an answer no one
// received) gives its key back: the retry is applied, not answered with a
// replay of the 499.
func TestIdempotencyClientLeft(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "left")
	path := datasetsPath + "/" + id + "/import?skipVersion=true"
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	// The body is announced whole and sent in part: the client leaves
	// while the server reads it.
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nIdempotency-Key: left-1\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100\r\n\r\n{\"input\":\"a\"}\n", path, ts.owner)
	conn.Close()
	h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Idempotency-Key": {"left-1"}, "Content-Type": {"application/x-ndjson"}}
	var r *response
	waitFor(t, "the key to be settled", func() bool {
		r = ts.doWith(t, "POST", path, h, "{\"input\":\"a\"}\n{\"input\":\"b\"}\n")
		return r.Status != http.StatusConflict // in progress
	})
	wantStatus(t, r, http.StatusOK)
	if r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("the retry was a replay")
	}
}
