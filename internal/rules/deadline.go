package rules

import "context"
import "net/http"
import "time"

// WriteGrace is how long the writes of an answer may go on after its
// request's deadline: the answer to a request that ran out of time (408,
// 503), or the end of a stream read before it, still goes out.
const WriteGrace = 10 * time.Second

// WithDeadline gives a request of the API or the pages its deadline,
// timeout from now, and the writes of its answer theirs, WriteGrace later:
// a client that stops reading a streamed answer (an export, a dataset's
// items, any list) holds it, and the database snapshot it is read from, no
// longer than that. A write past the deadline fails, and the handler gives
// up the answer. net/http clears the write deadline once the answer is
// done, before the connection's next request.
func WithDeadline(ctx context.Context, w http.ResponseWriter, timeout time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	if d, ok := ctx.Deadline(); ok {
		// A writer that cannot take a deadline (a test's recorder) has none.
		http.NewResponseController(w).SetWriteDeadline(d.Add(WriteGrace))
	}
	return ctx, cancel
}
