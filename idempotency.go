package strata

import "context"
import "time"

// Idempotency keys.
//
// A POST sent with an Idempotency-Key header is applied at most once per
// project and key. The store reserves the key before the request runs, so
// that of two concurrent requests with one key only one runs; it then keeps
// the response, which a retry with the same request gets back. The same key
// with another request is refused. Keys expire IdempotencyKeyTTL after their
// first use. A reservation lasts a lease, the longest its request can run:
// a key whose request died with its server (reserved, never completed) is
// taken over by the next request once the lease has run out.

const (
	// IdempotencyKeyTTL is how long a key is remembered.
	IdempotencyKeyTTL = 24 * time.Hour
	// MaxIdempotencyKeyLength bounds a key, in bytes.
	MaxIdempotencyKeyLength = 255
	// MaxSavedResponseBytes bounds the body a key keeps for replay. A
	// request whose response is larger is still applied once, but a retry
	// is told so rather than given the body.
	MaxSavedResponseBytes = 1 << 20
)

// SavedResponse is the response of the first request of a key.
type SavedResponse struct {
	Status int
	Header map[string]string // Content-Type, ETag: what a replay sends again
	Body   []byte
	// Fingerprint, when set, replaces the fingerprint the key was reserved
	// with: a streamed body is known only once it has been read.
	Fingerprint []byte
	// Truncated reports that the body was not kept (too large, or the
	// response broke off): a retry cannot be answered with it.
	Truncated bool
}

// WithIdempotencyKey returns ctx for the writes of a request whose key the
// caller has reserved. Each write transaction run under it marks the key
// applied before it commits, in the same transaction: until the response is
// saved, a retry is told that the request was applied
// (ErrIdempotentNotKept), even if the server died between the commit and
// SaveIdempotentResponse, and the key is kept for its full time rather than
// given back at the end of its lease.
func WithIdempotencyKey(ctx context.Context, projectID, key string) context.Context {
	return context.WithValue(ctx, idempotencyKeyContext{}, [2]string{projectID, key})
}

// IdempotencyKeyOf returns the key ctx's writes mark applied, if any.
func IdempotencyKeyOf(ctx context.Context) (projectID, key string, ok bool) {
	k, ok := ctx.Value(idempotencyKeyContext{}).([2]string)
	return k[0], k[1], ok && k[1] != ""
}

// WithoutIdempotencyKey returns ctx with no key to mark: the key's own
// reservation, response and release are not the request's writes.
func WithoutIdempotencyKey(ctx context.Context) context.Context {
	if _, _, ok := IdempotencyKeyOf(ctx); !ok {
		return ctx
	}
	return context.WithValue(ctx, idempotencyKeyContext{}, [2]string{})
}

type idempotencyKeyContext struct{}

// Idempotency errors.
var (
	ErrIdempotencyKeyReused   = &Error{Code: EINVALID, Message: "This Idempotency-Key was used with another request"}
	ErrIdempotencyKeyInFlight = &Error{Code: ECONFLICT, Message: "A request with this Idempotency-Key is in progress"}
	ErrIdempotencyKeyInvalid  = &Error{Code: EINVALID, Message: "An Idempotency-Key is 1 to 255 printable ASCII characters"}
	ErrIdempotentNotKept      = &Error{Code: ECONFLICT, Message: "This request was already applied; its response was not kept"}
)

// IdempotencyStore keeps idempotency keys.
type IdempotencyStore interface {
	// ReserveIdempotencyKey claims key for a request with the given
	// fingerprint, for lease at most. When the key is new, expired, or
	// reserved by a request whose lease ran out, it returns nil, nil: the
	// caller runs the request, then calls SaveIdempotentResponse, or
	// ReleaseIdempotencyKey if the request changed nothing and may be
	// retried. For a key already used it returns the saved response (same
	// fingerprint), ErrIdempotencyKeyReused (another fingerprint) or
	// ErrIdempotencyKeyInFlight (the first request is still running).
	// A write made with a ctx from WithIdempotencyKey marks the key
	// applied in its own transaction: reserved again before a response is
	// saved, the key is ErrIdempotencyKeyInFlight within the lease asked
	// for, counted from its reservation (its request may be saving the
	// response), and after it returns a SavedResponse with Truncated set.
	ReserveIdempotencyKey(ctx context.Context, projectID, key string, fingerprint []byte, lease time.Duration) (*SavedResponse, error)
	SaveIdempotentResponse(ctx context.Context, projectID, key string, res *SavedResponse) error
	ReleaseIdempotencyKey(ctx context.Context, projectID, key string) error
}
