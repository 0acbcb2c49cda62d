// Package client is a Go client of Strata's HTTP API: Lunary's Datasets v2
// routes and Strata's extensions (versions, refs, tags, diff, history,
// streamed import, upsert, sync and export, evaluators and runs).
//
// Every call takes a context. A response other than the expected status is an
// *Error carrying the status and the server's message (IsNotFound,
// IsConflict, IsRateLimited and RetryAfter read it). A call refused before
// anything is sent, such as an empty id, is an error wrapping
// ErrInvalidArgument.
//
// Requests are retried after the server's Retry-After (MaxRetries times at
// most). A 429 is retried whatever the method, PATCH included: the server
// refuses a request for its key's limits before running it, so nothing was
// applied. A 503 is retried for GET, HEAD and DELETE as they are, and for
// POST and PUT with an Idempotency-Key the client sets (the server applies a
// key once and replays its answer); never for PATCH, whose handler may have
// run (with the auto-version it triggers, a repeat is not a no-op). A
// request with a streamed body is retried only when the body can be rewound:
// an io.Seeker whose Seek succeeds when the call starts (a regular file, not
// a pipe or a terminal), and it is sent again from the offset it had then.
// When a rewind fails all the same, the call returns the server's answer.
// When the context ends during a wait, the error is both the context's
// (errors.Is(err, context.Canceled)) and the server's last answer
// (StatusOf, RetryAfter).
//
// Items, VersionItems and Changes read a list page after page as a
// range-over-func sequence (iter.Seq2[T, error]).
package client

import "bytes"
import "context"
import "crypto/rand"
import "encoding/hex"
import "encoding/json"
import "errors"
import "fmt"
import "io"
import "net/http"
import "net/url"
import "strconv"
import "strings"
import "sync"
import "time"

// Client talks to one Strata server with one API key.
type Client struct {
	// BaseURL is the server, "http://127.0.0.1:3333" (a trailing "/" is
	// ignored).
	BaseURL string
	// Key is the API key, sent as a bearer token.
	Key string
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
	// MaxRetries is how often a retryable request is repeated after a 429 or
	// 503; 0 means DefaultMaxRetries, a negative value none.
	MaxRetries int
	// MaxRetryWait caps one wait between attempts, whatever Retry-After
	// asks; 0 means DefaultMaxRetryWait.
	MaxRetryWait time.Duration
	// UserAgent is sent with every request when set.
	UserAgent string
}

// Defaults of the retry policy.
const (
	DefaultMaxRetries   = 4
	DefaultMaxRetryWait = 30 * time.Second
)

// New returns a client of the server at baseURL with key.
func New(baseURL, key string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), Key: key}
}

// Error is an answer of the server other than the one expected.
type Error struct {
	Method, Path string
	Status       int
	// Message is the server's message ({"message"}), or the start of the
	// body when it has none.
	Message string
	// RetryAfter is when the server said to try again (its Retry-After, in
	// seconds or as a date), and 0 when it did not say.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Status, http.StatusText(e.Status), e.Message)
}

// StatusOf returns the status of the *Error in err's chain, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// IsNotFound reports whether err is a 404 of the server.
func IsNotFound(err error) bool { return StatusOf(err) == http.StatusNotFound }

// IsConflict reports whether err is a 409 of the server: a name, slug or
// external id taken, or an Idempotency-Key in use.
func IsConflict(err error) bool { return StatusOf(err) == http.StatusConflict }

// IsRateLimited reports whether err is a 429 of the server: the key's limits
// refused the request (nothing was applied), also after the client's retries.
func IsRateLimited(err error) bool { return StatusOf(err) == http.StatusTooManyRequests }

// RetryAfter returns the Retry-After of the *Error in err's chain: when the
// server said to try again, and 0 when it did not say or err is no *Error.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// ErrInvalidArgument is in the chain of the error of a call the client
// refuses before sending anything (errors.Is(err, ErrInvalidArgument)): an
// id, ref, tag or run id that is empty, "." or "..", or holds a "/" (it would
// send the request to another route), an update that both sets and clears a
// field, an unknown format.
var ErrInvalidArgument = errors.New("invalid argument")

// invalidf is an error wrapping ErrInvalidArgument.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// request is one API call.
type request struct {
	method, path string
	query        url.Values
	header       http.Header
	body         io.Reader // nil, a *bytes.Reader, or a caller's stream
	want         int       // the expected status; 0: any 2xx
}

// jsonBody encodes v as a request body.
func jsonBody(v any) (io.Reader, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(b), nil
}

// retryable reports whether a request may be sent again after an answer
// of status, whose handler may have run (a 503) or not (a 429).
func (r *request) retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests:
		// The server refuses a request for its key's limits before its
		// handler runs: a repeat of any method applies it once.
		return true
	case http.StatusServiceUnavailable:
		switch r.method {
		case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodPost, http.MethodPut:
			return true
		}
	}
	return false
}

// prepareRetries makes r ready to be sent again: a POST or PUT gets an
// Idempotency-Key. It returns how to rewind the body to where it is now,
// and false when the body cannot be rewound, so r is sent once.
func (r *request) prepareRetries() (rewind func() error, ok bool) {
	rewind = func() error { return nil }
	if r.body != nil {
		s, isSeeker := r.body.(io.Seeker)
		if !isSeeker {
			return nil, false
		}
		// An *os.File is an io.Seeker even when it is a pipe or a
		// terminal: only a seek that succeeds tells, and it gives the
		// offset a retry starts from (the caller may have read a header).
		start, err := s.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, false
		}
		rewind = func() error {
			_, err := s.Seek(start, io.SeekStart)
			return err
		}
	}
	switch r.method {
	case http.MethodPost, http.MethodPut:
		// A PUT (a tag, a sync) is idempotent by itself, but a sync
		// retried after someone else's push would undo theirs: the key
		// makes the server answer a retry with the first answer.
		if r.header == nil {
			r.header = http.Header{}
		}
		if r.header.Get("Idempotency-Key") == "" {
			r.header.Set("Idempotency-Key", newIdempotencyKey())
		}
	}
	return rewind, true
}

func newIdempotencyKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "strata-client-" + hex.EncodeToString(b)
}

// do sends r, retrying as the policy allows, and returns the response with
// the expected status; its body is the caller's to close (closeBody).
func (c *Client) do(ctx context.Context, r *request) (*http.Response, error) {
	if err := checkPath(r.path); err != nil {
		return nil, err
	}
	retries := c.MaxRetries
	if retries == 0 {
		retries = DefaultMaxRetries
	}
	var rewind func() error
	if retries > 0 {
		var ok bool
		if rewind, ok = r.prepareRetries(); !ok {
			retries = 0
		}
	}
	for attempt := 0; ; attempt++ {
		res, body, err := c.send(ctx, r)
		if err != nil {
			return nil, err
		}
		ok := r.want == res.StatusCode || (r.want == 0 && res.StatusCode/100 == 2)
		if ok {
			return res, nil
		}
		apiErr := readError(r, res)
		if attempt >= retries || !r.retryable(res.StatusCode) {
			return nil, apiErr
		}
		retryAfter, given := parseRetryAfter(res.Header.Get("Retry-After"))
		wait := c.retryWait(retryAfter, given, attempt)
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, &waitError{ctx: ctx.Err(), last: apiErr}
		case <-timer.C:
		}
		// The transport may still hold the body of the attempt that
		// failed: it reads no more of it once it is stopped.
		body.stop()
		if err := rewind(); err != nil {
			return nil, apiErr // the server's answer, not a failed seek
		}
	}
}

// waitError is a call whose context ended while it waited to retry: it is
// both the context's error and the server's last answer.
type waitError struct {
	ctx  error
	last *Error
}

func (e *waitError) Error() string {
	return fmt.Sprintf("%v while waiting to retry after %v", e.ctx, e.last)
}

func (e *waitError) Unwrap() []error { return []error{e.ctx, e.last} }

// attemptBody is the body of one attempt: once stopped, it reads no more of
// the caller's reader, which a retry rewinds.
type attemptBody struct {
	mu      sync.Mutex
	r       io.Reader
	stopped bool
}

func (b *attemptBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return 0, errAttemptOver
	}
	return b.r.Read(p)
}

// Close keeps the caller's reader open, so that a retry can rewind it.
func (b *attemptBody) Close() error { return nil }

// stop waits for a Read in progress and makes the next ones fail.
func (b *attemptBody) stop() {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.stopped = true
	b.mu.Unlock()
}

var errAttemptOver = errors.New("strata client: the attempt that sent this body is over")

// checkPath refuses a path with a segment that names nothing: an empty
// argument ("/v1/datasets-v2//items"), "." or ".." (which the server or a
// proxy would resolve to another route), or one holding "/" (escaped to
// %2F). Every method builds its path with esc, so this checks them all.
func checkPath(path string) error {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, seg := range segs {
		if seg != "" && seg != "." && seg != ".." && !strings.Contains(strings.ToUpper(seg), "%2F") {
			continue
		}
		what := "path segment"
		if i > 0 {
			if name, ok := segmentNames[segs[i-1]]; ok {
				what = name
			}
		}
		value, err := url.PathUnescape(seg)
		if err != nil {
			value = seg
		}
		return invalidf("%s %q: an id, ref or tag cannot be empty, \".\" or \"..\", nor hold \"/\"", what, value)
	}
	return nil
}

// segmentNames names the argument that follows a segment of a path.
var segmentNames = map[string]string{
	"datasets-v2":    "dataset id",
	"items":          "item id",
	"versions":       "ref",
	"tags":           "tag",
	"evaluator-runs": "run id",
	"evaluators":     "evaluator id",
}

// send sends one attempt of r; body is the attempt's body (nil: none).
func (c *Client) send(ctx context.Context, r *request) (res *http.Response, body *attemptBody, err error) {
	// A BaseURL set in a struct literal may end with "/": the path would
	// start "//", which the server redirects (a 307 a POST cannot follow).
	u := strings.TrimRight(c.BaseURL, "/") + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var reqBody io.Reader
	if r.body != nil {
		body = &attemptBody{r: r.body}
		reqBody = body
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, reqBody)
	if err != nil {
		return nil, nil, err
	}
	if br, ok := r.body.(*bytes.Reader); ok {
		req.ContentLength = int64(br.Len())
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	if r.body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Key != "" {
		req.Header.Set("Authorization", "Bearer "+c.Key)
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err = hc.Do(req)
	return res, body, err
}

// retryWait is how long to wait before attempt+1: the server's Retry-After
// (given says it gave one), else an exponential backoff from 250 ms; capped.
func (c *Client) retryWait(retryAfter time.Duration, given bool, attempt int) time.Duration {
	limit := c.MaxRetryWait
	if limit <= 0 {
		limit = DefaultMaxRetryWait
	}
	wait := 250 * time.Millisecond << min(attempt, 8)
	if given {
		wait = retryAfter
	}
	return max(0, min(wait, limit))
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(h string) (time.Duration, bool) {
	if h = strings.TrimSpace(h); h == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(0, time.Until(t)), true
	}
	return 0, false
}

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// maxDrain bounds how much of the rest of an answer is read before its body
// is closed: a body read to its end lets its connection serve the next
// request, where one closed before would be discarded.
const maxDrain = 64 << 10

// closeBody reads what is left of an answer's body (bounded) and closes it.
func closeBody(body io.ReadCloser) {
	io.Copy(io.Discard, io.LimitReader(body, maxDrain))
	body.Close()
}

func readError(r *request, res *http.Response) *Error {
	defer closeBody(res.Body)
	data, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	var body struct {
		Message string `json:"message"`
	}
	msg := ""
	if json.Unmarshal(data, &body) == nil && body.Message != "" {
		msg = body.Message
	} else {
		msg = strings.TrimSpace(string(data))
		if len(msg) > 200 {
			msg = msg[:200] + "..."
		}
	}
	wait, _ := parseRetryAfter(res.Header.Get("Retry-After"))
	return &Error{Method: r.method, Path: r.path, Status: res.StatusCode, Message: msg, RetryAfter: wait}
}

// call sends r and decodes the JSON answer into out (nil: discard it).
func (c *Client) call(ctx context.Context, r *request, out any) error {
	_, err := c.callHeader(ctx, r, out)
	return err
}

// callHeader is call, and returns the answer's header too.
func (c *Client) callHeader(ctx context.Context, r *request, out any) (http.Header, error) {
	res, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	defer closeBody(res.Body) // the decoder stops at the value's end, before the body's
	if out == nil {
		_, err = io.Copy(io.Discard, res.Body)
		return res.Header, err
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return nil, fmt.Errorf("%s %s: decode answer: %w", r.method, r.path, err)
	}
	return res.Header, nil
}

// callJSON sends in as the JSON body of a request.
func (c *Client) callJSON(ctx context.Context, method, path string, query url.Values, in, out any, want int) error {
	r := &request{method: method, path: path, query: query, want: want}
	if in != nil {
		body, err := jsonBody(in)
		if err != nil {
			return err
		}
		r.body = body
	}
	return c.call(ctx, r, out)
}

// esc escapes one path segment.
func esc(s string) string { return url.PathEscape(s) }

const datasetsPath = "/v1/datasets-v2"

func datasetPath(id string) string { return datasetsPath + "/" + esc(id) }
