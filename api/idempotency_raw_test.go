package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/api"
)

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
	count := func(t *testing.T) int {
		t.Helper()
		return len(ts.do(t, "GET", datasetsPath+"/"+id+"/items", ts.owner, "").array(t))
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
	if got, want := count(t), 2; got != want {
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
