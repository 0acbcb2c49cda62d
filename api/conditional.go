package api

import (
	"net/http"
	"sync"

	"github.com/strata-eval/strata"
)

// Optimistic concurrency. Every response that shows a dataset carries its
// ETag, and so does every response to a mutation of a dataset (the store
// reports the new one through strata.Actor.OnCommit, which endpoint wires to
// an etagWriter). A mutation sent with If-Match is applied only if the
// dataset's ETag still matches, checked under the dataset's lock; otherwise
// it is 412 and nothing changes.

// setETag sets the response's ETag to the dataset's.
func setETag(w http.ResponseWriter, d *strata.Dataset) {
	if d.ETag != "" {
		w.Header().Set("ETag", d.ETag)
	}
}

// etagWriter puts in the response the ETag of the last mutation that
// committed before the response started. A store reports commits through
// committed, possibly from another goroutine (an evaluator run finishing in
// the background): it only records the ETag, and the handler's goroutine
// sets the header when it writes the status.
type etagWriter struct {
	http.ResponseWriter
	mu      sync.Mutex
	etag    string
	started bool
}

func (e *etagWriter) committed(etag string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.etag = etag
}

func (e *etagWriter) start() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.started && e.etag != "" {
		e.ResponseWriter.Header().Set("ETag", e.etag)
	}
	e.started = true
}

func (e *etagWriter) WriteHeader(status int) {
	e.start()
	e.ResponseWriter.WriteHeader(status)
}

func (e *etagWriter) Write(b []byte) (int, error) {
	e.start()
	return e.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's Flush.
func (e *etagWriter) Unwrap() http.ResponseWriter { return e.ResponseWriter }
