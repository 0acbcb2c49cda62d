package strata

import "context"
import "crypto/rand"
import "crypto/sha256"
import "encoding/base64"
import "time"

// Role is what a key may do. Roles are ordered: each may do what the ones
// below it may.
type Role string

const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member" // reads and writes datasets
	RoleViewer Role = "viewer" // reads only
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleOwner, RoleAdmin, RoleMember, RoleViewer:
		return true
	}
	return false
}

// CanWrite reports whether r may create, change and delete datasets.
func (r Role) CanWrite() bool { return r == RoleOwner || r == RoleAdmin || r == RoleMember }

// Key is an API key. Its secret is shown once, at creation; the store keeps
// only a hash.
type Key struct {
	ID          string
	ProjectID   string
	ProjectName string
	UserID      string
	UserName    string
	UserEmail   string
	Role        Role
	Prefix      string // the first characters of the secret, to recognise it
	CreatedAt   time.Time
	RevokedAt   *time.Time
}

// Principal is the authenticated caller of a request.
type Principal struct {
	KeyID     string
	ProjectID string
	UserID    string
	Role      Role
}

// Actor returns the actor that p's mutations are recorded as.
func (p *Principal) Actor() Actor { return Actor{ProjectID: p.ProjectID, UserID: p.UserID} }

// KeyCreate is the input of CreateKey. The project and the user (matched by
// email, or by name when the email is empty) are created when missing.
type KeyCreate struct {
	ProjectName string
	Role        Role
	UserName    string
	UserEmail   string
	// First creates the key only if the database has none, atomically:
	// servers started together on a fresh database give it one first key.
	// When a key exists, CreateKey returns nil and no secret.
	First bool
}

// KeyStore manages projects, users and API keys.
type KeyStore interface {
	// CreateKey returns the new key and its secret, which is never stored.
	CreateKey(ctx context.Context, c KeyCreate) (*Key, string, error)
	// Authenticate returns the principal of a live key, or EUNAUTHORIZED.
	Authenticate(ctx context.Context, secret string) (*Principal, error)
	// ListKeys lists the keys of a project ("" for all projects).
	ListKeys(ctx context.Context, projectName string) ([]*Key, error)
	RevokeKey(ctx context.Context, id string) error
	// RotateKey revokes a live key and creates its replacement, with the same
	// project, user and role, in one transaction. It returns the new key and
	// its secret.
	RotateKey(ctx context.Context, id string) (*Key, string, error)
	// CountKeys counts the keys ever created.
	CountKeys(ctx context.Context) (int, error)
}

// keyPrefix marks Strata secrets, so that a leaked one is recognisable.
const keyPrefix = "strata_"

// NewKeySecret returns a new random secret (256 bits) and the hash a store
// keeps instead of it.
func NewKeySecret() (secret string, hash []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	secret = keyPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashKeySecret(secret)
}

// HashKeySecret returns the hash under which a secret is stored and looked up.
// The secret carries 256 random bits, so one SHA-256 suffices: there is nothing
// to brute-force, and lookup by hash compares no secret byte by byte.
func HashKeySecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// KeyDisplayPrefix is the part of a secret that listings show.
func KeyDisplayPrefix(secret string) string {
	if len(secret) > len(keyPrefix)+6 {
		return secret[:len(keyPrefix)+6]
	}
	return secret
}
