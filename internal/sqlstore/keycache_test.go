package sqlstore_test

import "context"
import "path/filepath"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/sqlstore"
import "github.com/strata-eval/strata/sqlite"

// TestKeyCacheOtherProcess checks the bound on what another process's
// revocation costs: a server that authenticated a key keeps trusting it for
// at most KeyCacheTTL after another store revoked it, then refuses it.
func TestKeyCacheOtherProcess(t *testing.T) {
	ctx := context.Background()
	revoker, server := twoStores(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	server.Now = func() time.Time { return now }
	secret := revokedElsewhere(t, revoker, server)
	now = now.Add(sqlstore.DefaultKeyCacheTTL - time.Millisecond)
	if _, err := server.Authenticate(ctx, secret); err != nil {
		t.Fatalf("within the cache time: %v", err)
	}
	now = now.Add(time.Millisecond)
	if _, err := server.Authenticate(ctx, secret); strata.ErrorCode(err) != strata.EUNAUTHORIZED {
		t.Fatalf("after the cache time: err = %v, want %s", err, strata.EUNAUTHORIZED)
	}
}

// TestKeyCacheOff checks that a negative KeyCacheTTL asks the database every
// time.
func TestKeyCacheOff(t *testing.T) {
	ctx := context.Background()
	revoker, server := twoStores(t)
	server.KeyCacheTTL = -1
	secret := revokedElsewhere(t, revoker, server)
	if _, err := server.Authenticate(ctx, secret); strata.ErrorCode(err) != strata.EUNAUTHORIZED {
		t.Fatalf("err = %v, want %s", err, strata.EUNAUTHORIZED)
	}
}

// revokedElsewhere makes a key in revoker, has server authenticate it once
// (and cache it), then revokes it in revoker. It returns the key's secret.
func revokedElsewhere(t *testing.T, revoker, server *sqlite.Store) string {
	t.Helper()
	ctx := context.Background()
	k, secret, err := revoker.CreateKey(ctx, strata.KeyCreate{ProjectName: "p", Role: strata.RoleOwner})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if err := revoker.RevokeKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	return secret
}

// twoStores opens two stores on one SQLite database, as two processes
// would: one that revokes keys, one that serves.
func twoStores(t *testing.T) (revoker, server *sqlite.Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "strata.db")
	var err error
	if revoker, err = sqlite.Open(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { revoker.Close() })
	if server, err = sqlite.Open(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	return revoker, server
}
