package storetest

import "testing"
import "time"

import "github.com/strata-eval/strata"

func testSessions(t *testing.T, open Opener) {
	const day = 24 * time.Hour
	setup := func(t *testing.T) (strata.Store, *strata.Key, string) {
		s := open(t)
		k, secret, err := s.CreateKey(t.Context(), strata.KeyCreate{ProjectName: "p", Role: strata.RoleMember, UserName: "M"})
		if err != nil {
			t.Fatal(err)
		}
		return s, k, secret
	}
	t.Run("OK", func(t *testing.T) {
		s, k, secret := setup(t)
		ctx := t.Context()
		id, p, err := s.CreateSession(ctx, secret, day)
		if err != nil {
			t.Fatal(err)
		}
		if id == "" {
			t.Fatal("empty session id")
		}
		if id == secret {
			t.Fatal("the session id is the key's secret")
		}
		if got, want := p.KeyID, k.ID; got != want {
			t.Errorf("created: key %s, want %s", got, want)
		}
		got, err := s.AuthenticateSession(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if *got != *p {
			t.Errorf("session principal = %+v, want %+v", got, p)
		}
		// The id is no key, and the key is no session.
		_, err = s.Authenticate(ctx, id)
		wantCode(t, err, strata.EUNAUTHORIZED)
		_, err = s.AuthenticateSession(ctx, secret)
		wantCode(t, err, strata.EUNAUTHORIZED)
	})
	t.Run("ErrInvalidKey", func(t *testing.T) {
		s, _, secret := setup(t)
		_, _, err := s.CreateSession(t.Context(), secret+"x", day)
		wantCode(t, err, strata.EUNAUTHORIZED)
	})
	t.Run("EndedAtSignOut", func(t *testing.T) {
		s, _, secret := setup(t)
		ctx := t.Context()
		id, _, err := s.CreateSession(ctx, secret, day)
		if err != nil {
			t.Fatal(err)
		}
		other, _, err := s.CreateSession(ctx, secret, day)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.EndSession(ctx, id); err != nil {
			t.Fatal(err)
		}
		_, err = s.AuthenticateSession(ctx, id)
		wantCode(t, err, strata.EUNAUTHORIZED)
		if err := s.EndSession(ctx, id); err != nil {
			t.Errorf("ending an ended session: %v", err)
		}
		if _, err := s.AuthenticateSession(ctx, other); err != nil {
			t.Errorf("another session of the key ended too: %v", err)
		}
	})
	t.Run("EndedWithItsKey", func(t *testing.T) {
		s, k, secret := setup(t)
		ctx := t.Context()
		id, _, err := s.CreateSession(ctx, secret, day)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeKey(ctx, k.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.AuthenticateSession(ctx, id)
		wantCode(t, err, strata.EUNAUTHORIZED)
		_, _, err = s.CreateSession(ctx, secret, day)
		wantCode(t, err, strata.EUNAUTHORIZED)
	})
	t.Run("EndedByRotation", func(t *testing.T) {
		s, k, secret := setup(t)
		ctx := t.Context()
		id, _, err := s.CreateSession(ctx, secret, day)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.RotateKey(ctx, k.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.AuthenticateSession(ctx, id)
		wantCode(t, err, strata.EUNAUTHORIZED)
	})
	t.Run("Expired", func(t *testing.T) {
		s, _, secret := setup(t)
		ctx := t.Context()
		id, _, err := s.CreateSession(ctx, secret, 0) // expires as it opens
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.AuthenticateSession(ctx, id)
		wantCode(t, err, strata.EUNAUTHORIZED)
	})
}
