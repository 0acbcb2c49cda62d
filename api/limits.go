package api

import "context"
import "errors"
import "math"
import "net/http"
import "slices"
import "strconv"
import "sync"
import "time"

import "golang.org/x/time/rate"

import "github.com/strata-eval/strata"

// Limits protect the server from a client that sends too much. Zero fields
// take the defaults below; a negative concurrency, queue or rate turns that
// limit off (no queue: a request beyond the concurrency is refused at once).
type Limits struct {
	MaxImportItems      int           // items in one import
	MaxImportBytes      int64         // bytes in a raw import body (import_stream.go)
	MaxSyncBytes        int64         // bytes of items a sync or upsert holds in memory (sync.go)
	MaxFieldBytes       int           // bytes in one item's input, ground truth or output
	RequestTimeout      time.Duration // time a request may take, streaming included
	MaxConcurrentPerKey int           // requests of one key in flight at once
	MaxQueuedPerKey     int           // requests of one key waiting for a slot
	MaxWaitPerKey       time.Duration // longest a request waits for a slot
	RatePerKey          float64       // requests per second one key may send, on average; 0: no limit
	BurstPerKey         int           // requests one key may send at once above the rate
	MaxConcurrentReads  int           // reads served at once (reads.go); 0: processors - 1, at least 1; -1: no limit
}

// Defaults of Limits. The rate limit is off: a team's own evaluation
// harness is no attacker, and the concurrency limit already queues it.
const (
	DefaultMaxImportItems      = 10_000_000
	DefaultMaxImportBytes      = 2 << 30
	DefaultMaxSyncBytes        = 512 << 20
	DefaultMaxFieldBytes       = 1 << 20
	DefaultRequestTimeout      = 5 * time.Minute
	DefaultMaxConcurrentPerKey = 32
	DefaultMaxQueuedPerKey     = 1024
	DefaultMaxWaitPerKey       = time.Minute
	DefaultRatePerKey          = 0
	DefaultBurstPerKey         = 200
)

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.MaxImportItems, DefaultMaxImportItems)
	def(&l.MaxFieldBytes, DefaultMaxFieldBytes)
	def(&l.MaxConcurrentPerKey, DefaultMaxConcurrentPerKey)
	def(&l.MaxQueuedPerKey, DefaultMaxQueuedPerKey)
	def(&l.BurstPerKey, DefaultBurstPerKey)
	if l.MaxImportBytes == 0 {
		l.MaxImportBytes = DefaultMaxImportBytes
	}
	if l.MaxSyncBytes == 0 {
		l.MaxSyncBytes = DefaultMaxSyncBytes
	}
	if l.RequestTimeout == 0 {
		l.RequestTimeout = DefaultRequestTimeout
	}
	if l.MaxConcurrentReads == 0 {
		l.MaxConcurrentReads = defaultMaxConcurrentReads()
	}
	if l.MaxWaitPerKey <= 0 {
		l.MaxWaitPerKey = DefaultMaxWaitPerKey
	}
	return l
}

// rateLimitError is a 429 that says when to come back.
type rateLimitError struct {
	err        *strata.Error
	retryAfter time.Duration
}

func (e *rateLimitError) Error() string { return e.err.Error() }
func (e *rateLimitError) Unwrap() error { return e.err }

// keyLimiter holds, per key, the requests in flight, the requests waiting for
// a slot, and the key's rate limiter.
//
// A request beyond MaxConcurrentPerKey waits in the key's queue, first come
// first served, until a request of the key ends and hands it its slot: a
// client that sends more at once than the limit is slowed, not refused. Only
// a full queue (MaxQueuedPerKey) or a wait longer than MaxWaitPerKey is 429.
// The rate limit, when set, refuses at once: it is for a client that sends
// more than a server should take, whatever its parallelism.
type keyLimiter struct {
	mu    sync.Mutex
	keys  map[string]*keyState
	swept time.Time
	// watch, when set, is told of each request admitted at once or queued.
	watch func(event, key string)
}

// keyState is a key's slots and its rate. Its reads (GET, HEAD) and its
// writes have MaxConcurrentPerKey slots each: writes may wait a long time
// for the database's writer (behind a large import on SQLite) while holding
// theirs, and the key's reads go on meanwhile. The rate counts them all.
type keyState struct {
	reads, writes slots
	rate          *rate.Limiter // nil when the rate limit is off
}

type slots struct {
	inFlight int
	queue    []chan struct{} // waiting requests, oldest first; closed when given a slot
}

func (s *slots) idle() bool { return s.inFlight == 0 && len(s.queue) == 0 }

// writes reports whether a request of this method takes a write slot.
func writes(method string) bool { return method != http.MethodGet && method != http.MethodHead }

// admit lets a request of key in, waiting for a slot if it must, or says why
// not. The returned function ends the request.
func (k *keyLimiter) admit(ctx context.Context, key, method string, l Limits) (func(), error) {
	k.mu.Lock()
	now := time.Now()
	if k.keys == nil {
		k.keys = map[string]*keyState{}
	}
	k.sweep(now)
	st := k.keys[key]
	if st == nil {
		st = &keyState{}
		if l.RatePerKey > 0 {
			st.rate = rate.NewLimiter(rate.Limit(l.RatePerKey), l.BurstPerKey)
		}
		k.keys[key] = st
	}
	if st.rate != nil {
		if r := st.rate.ReserveN(now, 1); !r.OK() || r.DelayFrom(now) > 0 {
			wait := time.Second
			if r.OK() {
				wait = r.DelayFrom(now)
				r.CancelAt(now)
			}
			k.mu.Unlock()
			return nil, &rateLimitError{strata.Errorf(strata.ERATELIMIT, "Rate limit exceeded: at most %g requests per second per key", l.RatePerKey), wait}
		}
	}
	sl := &st.reads
	if writes(method) {
		sl = &st.writes
	}
	release := func() { k.release(sl) }
	if l.MaxConcurrentPerKey <= 0 || (sl.inFlight < l.MaxConcurrentPerKey && len(sl.queue) == 0) {
		sl.inFlight++
		k.mu.Unlock()
		k.tell("admitted", key)
		return release, nil
	}
	if len(sl.queue) >= max(l.MaxQueuedPerKey, 0) {
		k.mu.Unlock()
		return nil, &rateLimitError{strata.Errorf(strata.ERATELIMIT,
			"Too many concurrent requests: %d per key run at once and %d wait, and both are full", l.MaxConcurrentPerKey, max(l.MaxQueuedPerKey, 0)), time.Second}
	}
	ready := make(chan struct{})
	sl.queue = append(sl.queue, ready)
	k.mu.Unlock()
	k.tell("queued", key)

	timer := time.NewTimer(l.MaxWaitPerKey)
	defer timer.Stop()
	var err error
	select {
	case <-ready:
		return release, nil
	case <-timer.C:
		err = &rateLimitError{strata.Errorf(strata.ERATELIMIT,
			"Too many concurrent requests: waited %s for one of the %d slots of this key", l.MaxWaitPerKey, l.MaxConcurrentPerKey), time.Second}
	case <-ctx.Done():
		err = ctx.Err()
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if i := slices.Index(sl.queue, ready); i >= 0 {
		sl.queue = slices.Delete(sl.queue, i, i+1)
		return nil, err
	}
	// Given a slot as the wait ended: take it after all.
	return release, nil
}

func (k *keyLimiter) tell(event, key string) {
	if k.watch != nil {
		k.watch(event, key)
	}
}

// release ends a request: its slot goes to the oldest waiting request, if
// any.
func (k *keyLimiter) release(sl *slots) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(sl.queue) > 0 {
		close(sl.queue[0])
		sl.queue = slices.Delete(sl.queue, 0, 1)
		return
	}
	sl.inFlight--
}

// sweep forgets keys that are idle with a full bucket, once a minute, so the
// map does not grow with every key ever seen.
func (k *keyLimiter) sweep(now time.Time) {
	if now.Sub(k.swept) < time.Minute {
		return
	}
	k.swept = now
	for key, st := range k.keys {
		full := st.rate == nil || st.rate.TokensAt(now) >= float64(st.rate.Burst())
		if st.reads.idle() && st.writes.idle() && full {
			delete(k.keys, key)
		}
	}
}

// runsRetryAfter is when a client refused an asynchronous run may try
// again: runs take minutes, not milliseconds.
const runsRetryAfter = 30 * time.Second

// unavailableRetryAfter is when a client may try again while the database
// cannot be reached: about what a database takes to restart.
const unavailableRetryAfter = 5 * time.Second

// setRetryAfter tells a client refused for now when to retry, in whole
// seconds.
func setRetryAfter(w http.ResponseWriter, err error) {
	var rl *rateLimitError
	switch {
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(rl.retryAfter.Seconds())))))
	case strata.ErrorCode(err) == strata.ERATELIMIT:
		w.Header().Set("Retry-After", strconv.Itoa(int(runsRetryAfter.Seconds())))
	case strata.ErrorCode(err) == strata.EUNAVAILABLE:
		w.Header().Set("Retry-After", strconv.Itoa(int(unavailableRetryAfter.Seconds())))
	}
}
