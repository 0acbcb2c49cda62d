package api

import "io"
import "net/http"
import "time"

// A request body must keep arriving. Its read deadline starts at
// BodyTimeout after the handler begins to read it and moves on by one second
// for every MinBodyRate bytes received, so a large body sent at a fair pace
// is never cut off while a client that trickles a byte a second is, whatever
// the body's declared length; the request timeout bounds both. A body that
// misses its deadline is 408 and the connection is closed.
//
// A request refused before its body is read (no key, a role too low, a limit)
// is answered at once and its connection closed: the server reads no body it
// will not use.

// Defaults of Server.BodyTimeout and Server.MinBodyRate.
const (
	DefaultBodyTimeout = 30 * time.Second
	DefaultMinBodyRate = 4 << 10 // bytes per second
)

// bodyTimeout returns the server's BodyTimeout, defaulted.
func (s *Server) bodyTimeout() time.Duration {
	if s.BodyTimeout > 0 {
		return s.BodyTimeout
	}
	return DefaultBodyTimeout
}

// minBodyRate returns the server's MinBodyRate, defaulted; 0 means none.
func (s *Server) minBodyRate() int64 {
	switch {
	case s.MinBodyRate < 0:
		return 0
	case s.MinBodyRate == 0:
		return DefaultMinBodyRate
	}
	return s.MinBodyRate
}

// hasBody reports whether a request announces a body: a Content-Length
// above 0, or a chunked one of unknown length.
func hasBody(r *http.Request) bool {
	return r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody
}

// limitBodyRate makes r's body subject to the body deadline.
func (s *Server) limitBodyRate(w http.ResponseWriter, r *http.Request) {
	if !hasBody(r) {
		return
	}
	b := &deadlineBody{ReadCloser: r.Body, rc: http.NewResponseController(w), start: time.Now(),
		timeout: s.bodyTimeout(), rate: s.minBodyRate()}
	b.final, _ = r.Context().Deadline()
	// Also set now: a handler that never reads the body does not leave the
	// server waiting for it once it has answered.
	b.rc.SetReadDeadline(b.deadline())
	r.Body = b
}

// closeUnreadBody marks the response to a request refused before its body
// was read as the connection's last, and stops the server from reading the
// body after the response (it would wait for every byte of a slow one).
func closeUnreadBody(w http.ResponseWriter, r *http.Request) {
	if !hasBody(r) {
		return
	}
	w.Header().Set("Connection", "close")
	http.NewResponseController(w).SetReadDeadline(time.Now())
}

// deadlineBody moves the connection's read deadline on as the body arrives.
type deadlineBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	start   time.Time
	timeout time.Duration
	rate    int64     // bytes per second; 0: the deadline does not move
	final   time.Time // the request's deadline; zero: none
	read    int64
	done    bool
}

// deadline is the time by which the next byte of the body must be in.
func (b *deadlineBody) deadline() time.Time {
	d := b.start.Add(b.timeout)
	if b.rate > 0 {
		d = d.Add(time.Duration(float64(b.read) / float64(b.rate) * float64(time.Second)))
	}
	if !b.final.IsZero() && b.final.Before(d) {
		d = b.final
	}
	return d
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(p)
	}
	// Set before each read: other code may have set its own deadline.
	b.rc.SetReadDeadline(b.deadline())
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	if err == io.EOF {
		// The whole body is in. The server clears the deadline as it starts
		// watching the connection for the client going away (a deadline
		// passing then would read as that): no read may set it again.
		b.done = true
	}
	return n, err
}
