package api

import "net/http"

import "github.com/strata-eval/strata"

// Optimistic concurrency. Every response that shows a dataset carries its
// ETag, and so does every response to a mutation of a dataset. endpoint puts
// in the request's context a strata.Condition with its If-Match: the store
// applies a mutation only if the dataset's ETag still matches, checked under
// the dataset's lock (otherwise it is 412 and nothing changes), and records
// in it the dataset's new ETag, which an etagWriter sends.

// setETag sets the response's ETag to the dataset's.
func setETag(w http.ResponseWriter, d *strata.Dataset) {
	if d.ETag != "" {
		w.Header().Set("ETag", d.ETag)
	}
}

// etagWriter puts in the response the ETag of the last mutation that
// committed under the request's Condition before the response started.
type etagWriter struct {
	http.ResponseWriter
	cond    *strata.Condition
	started bool
}

func (e *etagWriter) start() {
	if etag := e.cond.ETag(); !e.started && etag != "" {
		e.ResponseWriter.Header().Set("ETag", etag)
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
