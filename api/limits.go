package api

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/strata-eval/strata"
)

// Limits protect the server from a client that sends too much. Zero fields
// take the defaults below; a negative rate or concurrency turns that limit off.
type Limits struct {
	MaxImportItems      int           // items in one import
	MaxImportBytes      int64         // bytes in a raw import body (import_stream.go)
	MaxFieldBytes       int           // bytes in one item's input, ground truth or output
	RequestTimeout      time.Duration // time a request may take, streaming included
	MaxConcurrentPerKey int           // requests of one key in flight at once
	RatePerKey          float64       // requests per second one key may send, on average
	BurstPerKey         int           // requests one key may send at once above the rate
}

// Defaults of Limits.
const (
	DefaultMaxImportItems      = 1_000_000
	DefaultMaxImportBytes      = 2 << 30
	DefaultMaxFieldBytes       = 1 << 20
	DefaultRequestTimeout      = 5 * time.Minute
	DefaultMaxConcurrentPerKey = 32
	DefaultRatePerKey          = 100
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
	def(&l.BurstPerKey, DefaultBurstPerKey)
	if l.MaxImportBytes == 0 {
		l.MaxImportBytes = DefaultMaxImportBytes
	}
	if l.RequestTimeout == 0 {
		l.RequestTimeout = DefaultRequestTimeout
	}
	if l.RatePerKey == 0 {
		l.RatePerKey = DefaultRatePerKey
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

// keyLimiter counts, per key, the requests in flight and a token bucket of
// requests per second.
type keyLimiter struct {
	mu    sync.Mutex
	keys  map[string]*keyState
	swept time.Time
}

type keyState struct {
	inFlight int
	tokens   float64
	last     time.Time
}

// admit lets a request of key in, or says why not. The returned function
// ends the request.
func (k *keyLimiter) admit(key string, l Limits) (func(), error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := time.Now()
	if k.keys == nil {
		k.keys = map[string]*keyState{}
	}
	k.sweep(now, l)
	st := k.keys[key]
	if st == nil {
		st = &keyState{tokens: float64(l.BurstPerKey), last: now}
		k.keys[key] = st
	}
	if l.RatePerKey > 0 {
		st.tokens = math.Min(float64(l.BurstPerKey), st.tokens+now.Sub(st.last).Seconds()*l.RatePerKey)
		st.last = now
		if st.tokens < 1 {
			wait := time.Duration((1 - st.tokens) / l.RatePerKey * float64(time.Second))
			return nil, &rateLimitError{strata.Errorf(strata.ERATELIMIT, "Rate limit exceeded: at most %g requests per second per key", l.RatePerKey), wait}
		}
	}
	if l.MaxConcurrentPerKey > 0 && st.inFlight >= l.MaxConcurrentPerKey {
		return nil, &rateLimitError{strata.Errorf(strata.ERATELIMIT, "Too many concurrent requests: at most %d per key", l.MaxConcurrentPerKey), time.Second}
	}
	st.tokens--
	st.inFlight++
	return func() {
		k.mu.Lock()
		st.inFlight--
		k.mu.Unlock()
	}, nil
}

// sweep forgets keys that are idle with a full bucket, once a minute, so the
// map does not grow with every key ever seen.
func (k *keyLimiter) sweep(now time.Time, l Limits) {
	if now.Sub(k.swept) < time.Minute {
		return
	}
	k.swept = now
	for key, st := range k.keys {
		full := l.RatePerKey <= 0 || st.tokens+now.Sub(st.last).Seconds()*l.RatePerKey >= float64(l.BurstPerKey)
		if st.inFlight == 0 && full {
			delete(k.keys, key)
		}
	}
}

// setRetryAfter tells a rate-limited client when to retry, in whole seconds.
func setRetryAfter(w http.ResponseWriter, err error) {
	if rl, ok := err.(*rateLimitError); ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(rl.retryAfter.Seconds()))))
	}
}
