package storetest

import "bytes"
import "sync"
import "testing"
import "time"

import "github.com/strata-eval/strata"

// lease is how long the suite's reservations last: longer than any test.
const lease = time.Hour

// reserveNew reserves an idempotency key that has no saved response.
func (f *fixture) reserveNew(projectID, key string, fingerprint []byte, lease time.Duration) {
	f.tb.Helper()
	saved, err := f.s.ReserveIdempotencyKey(f.ctx, projectID, key, fingerprint, lease)
	if err != nil {
		f.tb.Fatalf("reserve %s: %v", key, err)
	}
	if saved != nil {
		f.tb.Fatalf("reserve %s: saved response %+v, want none", key, saved)
	}
}

// replay reserves an idempotency key and returns its saved response.
func (f *fixture) replay(projectID, key string, fingerprint []byte, lease time.Duration) *strata.SavedResponse {
	f.tb.Helper()
	saved, err := f.s.ReserveIdempotencyKey(f.ctx, projectID, key, fingerprint, lease)
	if err != nil {
		f.tb.Fatalf("reserve %s: %v", key, err)
	}
	if saved == nil {
		f.tb.Fatalf("reserve %s: no saved response, want a replay", key)
	}
	return saved
}

func testIdempotency(t *testing.T, open Opener) {
	t.Run("ReserveSaveReplay", func(t *testing.T) {
		f := newFixture(t, open)
		p := f.actor.ProjectID
		fp := []byte("request one")
		f.reserveNew(p, "k1", fp, lease)
		_, err := f.s.ReserveIdempotencyKey(f.ctx, p, "k1", fp, lease)
		wantCode(t, err, strata.ECONFLICT) // in flight
		_, err = f.s.ReserveIdempotencyKey(f.ctx, p, "k1", []byte("another"), lease)
		wantCode(t, err, strata.EINVALID)
		res := &strata.SavedResponse{Status: 201, Header: map[string]string{"Content-Type": "application/json"}, Body: []byte(`{"id":1}`)}
		if err := f.s.SaveIdempotentResponse(f.ctx, p, "k1", res); err != nil {
			t.Fatal(err)
		}
		saved := f.replay(p, "k1", fp, lease)
		wantEq(t, "status", saved.Status, 201)
		if !bytes.Equal(saved.Body, res.Body) {
			t.Fatalf("body = %s, want %s", saved.Body, res.Body)
		}
		wantEq(t, "content type", saved.Header["Content-Type"], "application/json")
		wantEq(t, "truncated", saved.Truncated, false)
		_, err = f.s.ReserveIdempotencyKey(f.ctx, p, "k1", []byte("another"), lease)
		if err != strata.ErrIdempotencyKeyReused {
			t.Fatalf("other request with a used key: %v", err)
		}
		// Keys are per project.
		other, _, err := f.s.CreateKey(f.ctx, strata.KeyCreate{ProjectName: "other", Role: strata.RoleOwner, UserName: "O"})
		if err != nil {
			t.Fatal(err)
		}
		f.reserveNew(other.ProjectID, "k1", []byte("another"), lease)
		// A released key can be used again.
		if _, err := f.s.ReserveIdempotencyKey(f.ctx, p, "k2", fp, lease); err != nil {
			t.Fatal(err)
		}
		if err := f.s.ReleaseIdempotencyKey(f.ctx, p, "k2"); err != nil {
			t.Fatal(err)
		}
		f.reserveNew(p, "k2", []byte("another"), lease)
		// A response too large to keep is remembered as applied.
		if err := f.s.SaveIdempotentResponse(f.ctx, p, "k2", &strata.SavedResponse{Status: 200, Truncated: true}); err != nil {
			t.Fatal(err)
		}
		saved = f.replay(p, "k2", []byte("another"), lease)
		wantEq(t, "truncated", saved.Truncated, true)
		wantEq(t, "status", saved.Status, 200)
	})

	t.Run("ConcurrentReserve", func(t *testing.T) {
		f := newFixture(t, open)
		const n = 16
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			reserved int
		)
		for range n {
			wg.Go(func() {
				saved, err := f.s.ReserveIdempotencyKey(f.ctx, f.actor.ProjectID, "race", []byte("same"), lease)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && saved == nil:
					reserved++
				case strata.ErrorCode(err) == strata.ECONFLICT:
				default:
					t.Errorf("reserve = %v, %v", saved, err)
				}
			})
		}
		wg.Wait()
		if reserved != 1 {
			t.Fatalf("%d of %d concurrent requests reserved one key", reserved, n)
		}
	})
	// A reservation whose request died with its server is taken over once
	// its lease has run out, not left in progress until the key expires.
	t.Run("ReservationTakeover", func(t *testing.T) {
		f := newFixture(t, open)
		p := f.actor.ProjectID
		f.reserveNew(p, "held", []byte("one"), lease)
		_, err := f.s.ReserveIdempotencyKey(f.ctx, p, "held", []byte("one"), lease)
		wantCode(t, err, strata.ECONFLICT) // in flight, within its lease
		// A lease shorter than the clock's tick has run out at once.
		f.reserveNew(p, "died", []byte("one"), time.Nanosecond)
		f.reserveNew(p, "died", []byte("one"), lease) // taken over
		// The new holder's response is kept, for the key's full time.
		res := &strata.SavedResponse{Status: 200, Header: map[string]string{}, Body: []byte(`{}`)}
		if err := f.s.SaveIdempotentResponse(f.ctx, p, "died", res); err != nil {
			t.Fatal(err)
		}
		saved := f.replay(p, "died", []byte("one"), time.Nanosecond)
		wantEq(t, "status", saved.Status, 200)
		// A saved response outlives its request's lease.
		if err := f.s.SaveIdempotentResponse(f.ctx, p, "held", res); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.ReserveIdempotencyKey(f.ctx, p, "short", []byte("one"), time.Nanosecond); err != nil {
			t.Fatal(err)
		}
		if err := f.s.SaveIdempotentResponse(f.ctx, p, "short", res); err != nil {
			t.Fatal(err)
		}
		f.replay(p, "short", []byte("one"), lease)
	})

	// A request whose body is known only once read saves the fingerprint
	// that covers it: a retry is compared with that.
	t.Run("SaveFingerprint", func(t *testing.T) {
		f := newFixture(t, open)
		p := f.actor.ProjectID
		if _, err := f.s.ReserveIdempotencyKey(f.ctx, p, "raw", []byte("head"), lease); err != nil {
			t.Fatal(err)
		}
		res := &strata.SavedResponse{Status: 200, Header: map[string]string{}, Body: []byte(`{}`), Fingerprint: []byte("head+body")}
		if err := f.s.SaveIdempotentResponse(f.ctx, p, "raw", res); err != nil {
			t.Fatal(err)
		}
		_, err := f.s.ReserveIdempotencyKey(f.ctx, p, "raw", []byte("head"), lease)
		if err != strata.ErrIdempotencyKeyReused {
			t.Fatalf("reserve with the fingerprint replaced: %v", err)
		}
		saved := f.replay(p, "raw", []byte("head+body"), lease)
		wantEq(t, "status", saved.Status, 200)
	})
}

// testIdempotencyMark: the writes of a keyed request mark the key applied in
// their own transaction, so that a key whose response was never saved (its
// server died after the commit) is not run again once its lease is over.
func testIdempotencyMark(t *testing.T, open Opener) {
	f := newFixture(t, open)
	p := f.actor.ProjectID
	fp := []byte("create")
	// A lease shorter than the clock's tick has run out at once: unmarked,
	// the key would be taken over by the next reservation.
	f.reserveNew(p, "applied", fp, time.Nanosecond)
	keyed := strata.WithIdempotencyKey(f.ctx, p, "applied")
	if _, err := f.s.CreateDataset(keyed, f.actor, strata.DatasetCreate{Name: "once"}); err != nil {
		t.Fatal(err)
	}
	// A second write of the same request keeps the mark.
	if _, err := f.s.CreateDataset(keyed, f.actor, strata.DatasetCreate{Name: "twice"}); err != nil {
		t.Fatal(err)
	}
	// Within a request's lease, its response may be being saved.
	_, err := f.s.ReserveIdempotencyKey(f.ctx, p, "applied", fp, lease)
	wantCode(t, err, strata.ECONFLICT)
	if err != strata.ErrIdempotencyKeyInFlight {
		t.Fatalf("applied key within its lease: %v, want in progress", err)
	}
	// After it, the request was applied and its response lost.
	saved := f.replay(p, "applied", fp, time.Nanosecond)
	wantEq(t, "truncated", saved.Truncated, true)
	// Releasing an applied key keeps it: its request changed something.
	if err := f.s.ReleaseIdempotencyKey(f.ctx, p, "applied"); err != nil {
		t.Fatal(err)
	}
	wantEq(t, "truncated after release", f.replay(p, "applied", fp, time.Nanosecond).Truncated, true)
	// The response saved after the mark is the one replayed.
	res := &strata.SavedResponse{Status: 201, Header: map[string]string{}, Body: []byte(`{"id":1}`)}
	if err := f.s.SaveIdempotentResponse(f.ctx, p, "applied", res); err != nil {
		t.Fatal(err)
	}
	saved = f.replay(p, "applied", fp, lease)
	wantEq(t, "status", saved.Status, 201)
	wantEq(t, "truncated", saved.Truncated, false)

	// A write that fails marks nothing: the key is taken over after its
	// lease.
	f.reserveNew(p, "failed", fp, time.Nanosecond)
	keyed = strata.WithIdempotencyKey(f.ctx, p, "failed")
	_, err = f.s.CreateDataset(keyed, f.actor, strata.DatasetCreate{Name: "once"})
	wantCode(t, err, strata.ECONFLICT) // the name is taken
	f.reserveNew(p, "failed", fp, lease)
}
