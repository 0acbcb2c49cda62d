package storetest

import (
	"bytes"
	"sync"
	"testing"

	"github.com/strata-eval/strata"
)

func testIdempotency(t *testing.T, open Opener) {
	t.Run("ReserveSaveReplay", func(t *testing.T) {
		f := newFixture(t, open)
		p := f.actor.ProjectID
		fp := []byte("request one")
		if saved, err := f.s.ReserveIdempotencyKey(f.ctx, p, "k1", fp); err != nil || saved != nil {
			t.Fatalf("first reserve = %v, %v", saved, err)
		}
		_, err := f.s.ReserveIdempotencyKey(f.ctx, p, "k1", fp)
		wantCode(t, err, strata.ECONFLICT) // in flight
		_, err = f.s.ReserveIdempotencyKey(f.ctx, p, "k1", []byte("another"))
		wantCode(t, err, strata.EINVALID)
		res := &strata.SavedResponse{Status: 201, Header: map[string]string{"Content-Type": "application/json"}, Body: []byte(`{"id":1}`)}
		if err := f.s.SaveIdempotentResponse(f.ctx, p, "k1", res); err != nil {
			t.Fatal(err)
		}
		saved, err := f.s.ReserveIdempotencyKey(f.ctx, p, "k1", fp)
		if err != nil || saved == nil || saved.Status != 201 || !bytes.Equal(saved.Body, res.Body) ||
			saved.Header["Content-Type"] != "application/json" || saved.Truncated {
			t.Fatalf("replay = %+v, %v", saved, err)
		}
		_, err = f.s.ReserveIdempotencyKey(f.ctx, p, "k1", []byte("another"))
		if err != strata.ErrIdempotencyKeyReused {
			t.Fatalf("other request with a used key: %v", err)
		}
		// Keys are per project.
		other, _, err := f.s.CreateKey(f.ctx, strata.KeyCreate{ProjectName: "other", Role: strata.RoleOwner, UserName: "O"})
		if err != nil {
			t.Fatal(err)
		}
		if saved, err := f.s.ReserveIdempotencyKey(f.ctx, other.ProjectID, "k1", []byte("another")); err != nil || saved != nil {
			t.Fatalf("same key in another project = %v, %v", saved, err)
		}
		// A released key can be used again.
		if _, err := f.s.ReserveIdempotencyKey(f.ctx, p, "k2", fp); err != nil {
			t.Fatal(err)
		}
		if err := f.s.ReleaseIdempotencyKey(f.ctx, p, "k2"); err != nil {
			t.Fatal(err)
		}
		if saved, err := f.s.ReserveIdempotencyKey(f.ctx, p, "k2", []byte("another")); err != nil || saved != nil {
			t.Fatalf("reserve after release = %v, %v", saved, err)
		}
		// A response too large to keep is remembered as applied.
		if err := f.s.SaveIdempotentResponse(f.ctx, p, "k2", &strata.SavedResponse{Status: 200, Truncated: true}); err != nil {
			t.Fatal(err)
		}
		if saved, err := f.s.ReserveIdempotencyKey(f.ctx, p, "k2", []byte("another")); err != nil || saved == nil || !saved.Truncated || saved.Status != 200 {
			t.Fatalf("truncated replay = %+v, %v", saved, err)
		}
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
				saved, err := f.s.ReserveIdempotencyKey(f.ctx, f.actor.ProjectID, "race", []byte("same"))
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
}
