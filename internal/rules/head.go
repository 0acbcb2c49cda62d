package rules

import "errors"
import "net/http"

// ErrHeadAnswered is what a write to a HeadWriter returns: the HEAD has its
// answer, and the handler may stop making the body a GET would have sent.
var ErrHeadAnswered = errors.New("a HEAD request is answered by its headers")

// HeadWriter returns w for a HEAD request: its first write sends the status
// and headers and fails with ErrHeadAnswered, so that a stream (an export
// reads a whole version) stops there. net/http would discard the body, but
// only after the handler had made all of it.
func HeadWriter(w http.ResponseWriter) http.ResponseWriter { return headWriter{w} }

type headWriter struct{ http.ResponseWriter }

func (w headWriter) Write([]byte) (int, error) {
	w.ResponseWriter.Write(nil) // sends the header, 200 unless set
	return 0, ErrHeadAnswered
}

// Unwrap lets http.ResponseController reach the connection's Flush.
func (w headWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
