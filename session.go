package strata

import "context"
import "crypto/rand"
import "encoding/base64"
import "time"

// Sessions of the pages. A browser that signs in with a key is given a
// session: a random id, which its cookie holds instead of the key. The store
// keeps only the id's hash, the key it was opened with and when it expires.
// A session ends at sign-out, when it expires, and when its key is revoked
// or rotated: it is only ever as good as its key.

// SessionStore manages the sessions of the pages.
type SessionStore interface {
	// CreateSession opens a session lasting ttl for the live key whose
	// secret is given (EUNAUTHORIZED for any other). The returned id is the
	// only copy of the session's secret.
	CreateSession(ctx context.Context, keySecret string, ttl time.Duration) (id string, p *Principal, err error)
	// AuthenticateSession returns the principal of a live session: not
	// ended, not expired, its key not revoked. EUNAUTHORIZED else.
	AuthenticateSession(ctx context.Context, id string) (*Principal, error)
	// EndSession ends a session; ending one that is not live is no error.
	EndSession(ctx context.Context, id string) error
}

// NewSessionID returns a new random session id (256 bits). A store keeps
// HashKeySecret(id), as for keys: nothing to brute-force, one lookup.
func NewSessionID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
