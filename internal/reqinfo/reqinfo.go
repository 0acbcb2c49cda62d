// Package reqinfo carries what the handlers of one HTTP request learn about
// it (the caller's key id, the route it matched) back to the middleware that
// logs and measures it, and gives every log record made with the request's
// context its request id. The middleware puts an Info in the context before
// the handlers run and reads it once they return; handlers fill it in as
// they go, without knowing who reads it.
package reqinfo

import "context"
import "log/slog"
import "strings"
import "sync"

import "github.com/google/uuid"

// Info is what is known of one request. Its methods are safe for
// concurrent use and do nothing on a nil Info, so a handler served without
// the middleware (a test, another binary) needs no check.
type Info struct {
	id string

	mu       sync.Mutex
	keyID    string
	route    string
	routeSet bool
	timedOut bool
}

type ctxKey struct{}

// New returns the Info of a request with the given id, and ctx carrying it.
func New(ctx context.Context, id string) (context.Context, *Info) {
	info := &Info{id: id}
	return context.WithValue(ctx, ctxKey{}, info), info
}

// From returns the Info ctx carries, or nil.
func From(ctx context.Context) *Info {
	info, _ := ctx.Value(ctxKey{}).(*Info)
	return info
}

// ID is the request id, "" on a nil Info.
func (i *Info) ID() string {
	if i == nil {
		return ""
	}
	return i.id
}

// SetKeyID records the id of the key the request authenticated with: never
// the key itself.
func (i *Info) SetKeyID(id string) {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.keyID = id
	i.mu.Unlock()
}

// KeyID is the caller's key id, "" while unauthenticated.
func (i *Info) KeyID() string {
	if i == nil {
		return ""
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.keyID
}

// SetRoute records the pattern the request matched, "" when it matched none.
// A handler that dispatches on a copy of the request (so that the pattern
// its mux sets is lost to the caller) records it here.
func (i *Info) SetRoute(pattern string) {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.route, i.routeSet = pattern, true
	i.mu.Unlock()
}

// Route is the recorded pattern, and whether one was recorded.
func (i *Info) Route() (pattern string, ok bool) {
	if i == nil {
		return "", false
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.route, i.routeSet
}

// SetTimedOut records that the request ran over its time limit: its 503
// says so, where another 503 (the database unavailable, the server
// stopping) does not.
func (i *Info) SetTimedOut() {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.timedOut = true
	i.mu.Unlock()
}

// TimedOut reports whether SetTimedOut was called.
func (i *Info) TimedOut() bool {
	if i == nil {
		return false
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.timedOut
}

// SetKeyID records the key id on the Info of ctx, if any.
func SetKeyID(ctx context.Context, id string) { From(ctx).SetKeyID(id) }

// SetRoute records the route on the Info of ctx, if any.
func SetRoute(ctx context.Context, pattern string) { From(ctx).SetRoute(pattern) }

// LogHandler adds the request id of the context to every record logged with
// one (the ...Context methods of slog.Logger), so that an error a handler
// logs carries the id of its access line.
type LogHandler struct{ slog.Handler }

// Handle adds request_id, when the context carries one, and passes the
// record on.
func (h LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := From(ctx).ID(); id != "" {
		r = r.Clone()
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapper around the derived handler.
func (h LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return LogHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the wrapper around the derived handler.
func (h LogHandler) WithGroup(name string) slog.Handler {
	return LogHandler{h.Handler.WithGroup(name)}
}

// MaxIDLength bounds a request id taken from a client.
const MaxIDLength = 128

// SaneID reports whether a client's X-Request-Id may be used as the
// request's id: 1 to MaxIDLength letters, digits and - _ . : / + = @, so
// that it can go into a log line and a header as it is.
func SaneID(id string) bool {
	if id == "" || len(id) > MaxIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-_.:/+=@", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// NewID returns a new request id: a UUIDv7, so ids sort by time.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }
