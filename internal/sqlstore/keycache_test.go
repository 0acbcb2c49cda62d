package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/internal/sqlstore"
	"github.com/strata-eval/strata/sqlite"
)

// TestKeyCacheOtherProcess checks the bound on what another process's
// revocation costs: a server that authenticated a key keeps trusting it for
// at most KeyCacheTTL after another store revoked it, then refuses it.
func TestKeyCacheOtherProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "strata.db")
	revoker, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer revoker.Close()
	server, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	server.Now = func() time.Time { return now }

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
	path := filepath.Join(t.TempDir(), "strata.db")
	revoker, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer revoker.Close()
	server, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	server.KeyCacheTTL = -1
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
	if _, err := server.Authenticate(ctx, secret); strata.ErrorCode(err) != strata.EUNAUTHORIZED {
		t.Fatalf("err = %v, want %s", err, strata.EUNAUTHORIZED)
	}
}
