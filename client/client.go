// Package client is a Go client of Strata's HTTP API: Lunary's Datasets v2
// routes and Strata's extensions (versions, refs, tags, diff, history,
// streamed import, sync and export, evaluators and runs).
//
// Every call takes a context. A response other than the expected status is an
// *Error carrying the status and the server's message. Requests that are safe
// to repeat are retried on 429 and 503, after the server's Retry-After: GET
// and DELETE as they are, POST and PUT with an Idempotency-Key the client
// sets (the server applies a key once and replays its answer), and a
// streamed body only when it can be rewound (an io.Seeker). PATCH is never retried: with
// the auto-version it triggers, a repeat is not a no-op.
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
import "time"

// Client talks to one Strata server with one API key.
type Client struct {
	// BaseURL is the server, "http://127.0.0.1:3333".
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

// retryable reports whether a request may be sent again, and prepares it:
// a POST or PUT gets an Idempotency-Key.
func (r *request) retryable() bool {
	if r.body != nil {
		if _, ok := r.body.(io.Seeker); !ok {
			return false
		}
	}
	switch r.method {
	case http.MethodGet, http.MethodHead, http.MethodDelete:
		return true
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
		return true
	}
	return false
}

func newIdempotencyKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "strata-client-" + hex.EncodeToString(b)
}

// do sends r, retrying as the policy allows, and returns the response with
// the expected status; its body is the caller's to close.
func (c *Client) do(ctx context.Context, r *request) (*http.Response, error) {
	retries := c.MaxRetries
	if retries == 0 {
		retries = DefaultMaxRetries
	}
	if retries > 0 && !r.retryable() {
		retries = 0
	}
	for attempt := 0; ; attempt++ {
		if s, ok := r.body.(io.Seeker); ok && attempt > 0 {
			if _, err := s.Seek(0, io.SeekStart); err != nil {
				return nil, err
			}
		}
		res, err := c.send(ctx, r)
		if err != nil {
			return nil, err
		}
		ok := r.want == res.StatusCode || (r.want == 0 && res.StatusCode/100 == 2)
		if ok {
			return res, nil
		}
		apiErr := readError(r, res)
		if attempt >= retries || (res.StatusCode != http.StatusTooManyRequests && res.StatusCode != http.StatusServiceUnavailable) {
			return nil, apiErr
		}
		wait := c.retryWait(res.Header.Get("Retry-After"), attempt)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (c *Client) send(ctx context.Context, r *request) (*http.Response, error) {
	u := c.BaseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	body := r.body
	if body != nil {
		// The transport closes a body that is an io.Closer: keep the
		// caller's open, so that a retry can rewind it.
		body = io.NopCloser(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, err
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
	return hc.Do(req)
}

// retryWait is how long to wait before attempt+1: the server's Retry-After
// (seconds or a date), else an exponential backoff from 250 ms; capped.
func (c *Client) retryWait(retryAfter string, attempt int) time.Duration {
	limit := c.MaxRetryWait
	if limit <= 0 {
		limit = DefaultMaxRetryWait
	}
	wait := 250 * time.Millisecond << min(attempt, 8)
	if s, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && s >= 0 {
		wait = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(retryAfter); err == nil {
		wait = time.Until(t)
	}
	return max(0, min(wait, limit))
}

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

func readError(r *request, res *http.Response) error {
	defer res.Body.Close()
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
	return &Error{Method: r.method, Path: r.path, Status: res.StatusCode, Message: msg}
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
	defer res.Body.Close()
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
