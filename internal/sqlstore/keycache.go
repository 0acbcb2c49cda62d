package sqlstore

import "sync"
import "time"

import "github.com/strata-eval/strata"

// DefaultKeyCacheTTL is how long a key found by Authenticate is trusted
// without asking the database again. A key revoked or rotated through this
// Store stops working at once; one revoked by another process (strata keys
// revoke, another server) within this time.
const DefaultKeyCacheTTL = 5 * time.Second

// keyCacheSize bounds the cache: past it, the cache starts over. Only keys
// that exist are cached, so guessing secrets cannot fill it.
const keyCacheSize = 10_000

// keyCache remembers the principals of recently seen key hashes, so that a
// request does not cost a database query to authenticate.
type keyCache struct {
	mu      sync.Mutex
	entries map[string]cachedKey // by key hash
	// generation counts forgets: a lookup that began before one must not
	// put back what it read, which may be a key revoked meanwhile.
	generation uint64
}

type cachedKey struct {
	principal strata.Principal
	until     time.Time
}

// get returns the cached principal of hash, if fresh, and else the
// generation to pass to put.
func (c *keyCache) get(hash string, now time.Time) (*strata.Principal, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || !now.Before(e.until) {
		return nil, c.generation, false
	}
	p := e.principal
	return &p, c.generation, true
}

// put caches p unless the cache was forgotten since generation.
func (c *keyCache) put(hash string, p strata.Principal, until time.Time, generation uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if generation != c.generation {
		return
	}
	if c.entries == nil || len(c.entries) >= keyCacheSize {
		c.entries = make(map[string]cachedKey)
	}
	c.entries[hash] = cachedKey{principal: p, until: until}
}

// forget drops every entry: keys are revoked rarely, and a revoked key must
// stop working at once.
func (c *keyCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = nil
	c.generation++
}

// keyCacheTTL is the configured time, DefaultKeyCacheTTL when unset; a
// negative KeyCacheTTL turns the cache off.
func (s *Store) keyCacheTTL() time.Duration {
	if s.KeyCacheTTL == 0 {
		return DefaultKeyCacheTTL
	}
	return s.KeyCacheTTL
}
