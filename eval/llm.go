package eval

import "bytes"
import "context"
import "encoding/json"
import "errors"
import "fmt"
import "io"
import "math/rand/v2"
import "net/http"
import "slices"
import "strconv"
import "strings"
import "sync"
import "time"

import "github.com/strata-eval/strata"

// Defaults of Client.
const (
	DefaultBaseURL     = "https://api.openai.com/v1"
	DefaultModel       = "gpt-5-mini"
	DefaultConcurrency = 8
	DefaultTimeout     = 2 * time.Minute
	DefaultMaxAttempts = 4
	DefaultBackoff     = 500 * time.Millisecond
	DefaultMaxBackoff  = time.Minute
	// DefaultMaxPromptBytes bounds the prompt one call sends: a judge's
	// filled template, or generate's input.
	DefaultMaxPromptBytes = 256 << 10
)

// Client calls an OpenAI-compatible server through the Responses API
// (POST {BaseURL}/responses): OpenAI itself, or a local vLLM or Ollama. One
// Client serves the whole process, so its pool bounds the calls in flight
// across every run and generate request.
//
// A call is retried on 408, 429 and 5xx answers and on connection errors,
// after an exponential backoff or the server's Retry-After, up to
// MaxAttempts; an attempt that times out is not retried.
type Client struct {
	BaseURL     string        // "" means DefaultBaseURL
	APIKey      string        // "" means not configured: calls fail
	Models      []string      // the models callers may name; empty means DefaultModel only; "*" means any
	Concurrency int           // calls in flight at once; 0 means DefaultConcurrency
	Timeout     time.Duration // per attempt; 0 means DefaultTimeout
	MaxAttempts int           // 0 means DefaultMaxAttempts
	Backoff     time.Duration // wait before the first retry, doubled each time; 0 means DefaultBackoff
	MaxBackoff  time.Duration // longest wait, Retry-After included; 0 means DefaultMaxBackoff
	HTTPClient  *http.Client  // nil means http.DefaultClient
	Observer    Observer      // hears of each attempt; nil: nobody
	// MaxPromptBytes bounds a prompt, in bytes; 0 means
	// DefaultMaxPromptBytes.
	MaxPromptBytes int

	once sync.Once
	sem  chan struct{}
}

// ErrNotConfigured is Lunary's answer when no API key is set.
var ErrNotConfigured = &strata.Error{Code: strata.EINVALID, Message: "OpenAI API key is not configured"}

// PromptLimit is the largest prompt a call may send, in bytes.
func (c *Client) PromptLimit() int {
	if c == nil || c.MaxPromptBytes <= 0 {
		return DefaultMaxPromptBytes
	}
	return c.MaxPromptBytes
}

// Configured reports whether the client has an API key.
func (c *Client) Configured() bool { return c != nil && c.APIKey != "" }

// Allowed reports whether callers may name model.
func (c *Client) Allowed(model string) bool {
	var models []string
	if c != nil {
		models = c.Models
	}
	if len(models) == 0 {
		return model == DefaultModel
	}
	return slices.Contains(models, "*") || slices.Contains(models, model)
}

// CheckModel returns an EINVALID error when callers may not name model, so
// that the server's key is no open proxy to every model.
func (c *Client) CheckModel(model string) error {
	if c.Allowed(model) {
		return nil
	}
	return strata.Errorf(strata.EINVALID, "Model '%s' is not allowed on this server (STRATA_LLM_MODELS)", model)
}

// Request is one call of the Responses API.
type Request struct {
	Model string
	// Input is a string, or a list of messages ({"role", "content"}).
	Input           any
	Instructions    string // "" sends none
	ReasoningEffort string // "" sends none
}

// Response is the text a model answered.
type Response struct {
	Text      string // the output_text parts of the message items, concatenated
	Reasoning string // the reasoning summaries, if the model gave any
}

// UpstreamError is an error answer of the LLM server.
type UpstreamError struct {
	Status  int
	Message string
}

func (e *UpstreamError) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Message) }

// TimeoutError is an attempt that did not answer in time.
type TimeoutError struct{ After time.Duration }

func (e *TimeoutError) Error() string { return fmt.Sprintf("LLM request timed out after %s", e.After) }

func (c *Client) init() {
	c.once.Do(func() {
		n := c.Concurrency
		if n <= 0 {
			n = DefaultConcurrency
		}
		c.sem = make(chan struct{}, n)
	})
}

// PoolSize is how many calls the client makes at once.
func (c *Client) PoolSize() int {
	if c == nil {
		return DefaultConcurrency
	}
	c.init()
	return cap(c.sem)
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Respond makes one call, with retries.
func (c *Client) Respond(ctx context.Context, req Request) (*Response, error) {
	if !c.Configured() {
		return nil, ErrNotConfigured
	}
	c.init()
	body := map[string]any{"model": req.Model, "input": req.Input}
	if req.Instructions != "" {
		body["instructions"] = req.Instructions
	}
	if req.ReasoningEffort != "" {
		body["reasoning"] = map[string]string{"effort": req.ReasoningEffort}
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	attempts := orDefault(c.MaxAttempts, DefaultMaxAttempts)
	for attempt := 1; ; attempt++ {
		resp, retryAfter, err := c.attempt(ctx, req.Model, payload)
		if err == nil {
			return resp, nil
		}
		if attempt >= attempts || retryAfter < 0 || ctx.Err() != nil {
			return nil, err
		}
		wait := retryAfter
		if wait == 0 {
			wait = c.backoff(attempt)
		}
		wait = min(wait, orDefault(c.MaxBackoff, DefaultMaxBackoff))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
	}
}

// backoff is the wait before retry n (1-based): Backoff doubled n-1 times,
// with up to 50% of jitter so that parallel calls do not retry in step.
func (c *Client) backoff(n int) time.Duration {
	d := orDefault(c.Backoff, DefaultBackoff) << (n - 1)
	if d <= 0 { // overflow
		return orDefault(c.MaxBackoff, DefaultMaxBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

// attempt makes one HTTP call within the pool. retryAfter is -1 when the
// error is final, 0 for a retry after the backoff, or the server's wait.
func (c *Client) attempt(ctx context.Context, model string, payload []byte) (_ *Response, retryAfter time.Duration, _ error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, -1, ctx.Err()
	}
	defer func() { <-c.sem }()
	obs := observer(c.Observer)
	obs.LLMCallStarted()
	start := time.Now()
	resp, retryAfter, err := c.call(ctx, payload)
	obs.LLMCallEnded(model, outcome(err, retryAfter), time.Since(start))
	return resp, retryAfter, err
}

// call is attempt's HTTP call, once it holds a slot of the pool.
func (c *Client) call(ctx context.Context, payload []byte) (_ *Response, retryAfter time.Duration, _ error) {
	timeout := orDefault(c.Timeout, DefaultTimeout)
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	url := strings.TrimSuffix(orDefault(c.BaseURL, DefaultBaseURL), "/") + "/responses"
	hreq, err := http.NewRequestWithContext(actx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return nil, -1, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Authorization", "Bearer "+c.APIKey)
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(hreq)
	if err == nil {
		defer res.Body.Close()
	}
	var data []byte
	if err == nil {
		if data, err = io.ReadAll(io.LimitReader(res.Body, maxResponseBytes+1)); err == nil && len(data) > maxResponseBytes {
			return nil, -1, fmt.Errorf("LLM response is larger than %d MiB", maxResponseBytes>>20)
		}
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, -1, ctx.Err()
	case err != nil && errors.Is(actx.Err(), context.DeadlineExceeded):
		return nil, -1, &TimeoutError{After: timeout}
	case err != nil:
		return nil, 0, fmt.Errorf("LLM request failed: %w", err)
	}
	if res.StatusCode/100 != 2 {
		uerr := &UpstreamError{Status: res.StatusCode, Message: errorMessage(data, res.Status)}
		if res.StatusCode == http.StatusRequestTimeout || res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500 {
			return nil, retryAfterOf(res.Header), uerr
		}
		return nil, -1, uerr
	}
	resp, err := parseResponse(data)
	if err != nil {
		return nil, -1, err
	}
	return resp, 0, nil
}

// errorMessage is the message of an OpenAI error body, else the status.
func errorMessage(data []byte, status string) string {
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(data, &body) == nil && len(body.Error) > 0 {
		var e struct{ Message string }
		if json.Unmarshal(body.Error, &e) == nil && e.Message != "" {
			return e.Message
		}
		var s string
		if json.Unmarshal(body.Error, &s) == nil && s != "" {
			return s
		}
	}
	if _, text, ok := strings.Cut(status, " "); ok {
		return text
	}
	return status
}

// retryAfterOf reads how long the server asks to wait: retry-after-ms
// (OpenAI's), else Retry-After in seconds or as a date; 0 if it says nothing.
func retryAfterOf(h http.Header) time.Duration {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// responseBody is the part of a Responses API answer Strata reads.
type responseBody struct {
	Status string `json:"status"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
	Output []struct {
		Type    string `json:"type"`
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
		Summary []struct {
			Text string `json:"text"`
		} `json:"summary"`
	} `json:"output"`
}

// parseResponse extracts the text as the SDKs' output_text does: the
// output_text parts of the message items, concatenated.
func parseResponse(data []byte) (*Response, error) {
	var body responseBody
	if err := json.Unmarshal(data, &body); err != nil {
		return nil, fmt.Errorf("LLM response is not JSON: %w", err)
	}
	if body.Status == "failed" {
		msg := "the model failed"
		if body.Error != nil && body.Error.Message != "" {
			msg = body.Error.Message
		}
		return nil, fmt.Errorf("LLM response failed: %s", msg)
	}
	var text, reasoning strings.Builder
	for _, item := range body.Output {
		switch item.Type {
		case "message":
			for _, part := range item.Content {
				if part.Type == "output_text" {
					text.WriteString(part.Text)
				}
			}
		case "reasoning":
			for _, s := range item.Summary {
				if s.Text == "" {
					continue
				}
				if reasoning.Len() > 0 {
					reasoning.WriteString("\n")
				}
				reasoning.WriteString(s.Text)
			}
		}
	}
	if n := text.Len() + reasoning.Len(); n > MaxAnswerBytes {
		return nil, fmt.Errorf("LLM answer is %d bytes, over the limit of %d (an item field's)", n, MaxAnswerBytes)
	}
	return &Response{Text: text.String(), Reasoning: reasoning.String()}, nil
}

// MaxAnswerBytes bounds what an answer's text and reasoning hold together:
// it becomes an evaluator result, or an output a client may save, which an
// item field could not hold past 1 MiB. maxResponseBytes bounds the HTTP
// body it comes in, whose JSON escapes may make it several times larger.
const (
	MaxAnswerBytes   = 1 << 20
	maxResponseBytes = 8 << 20
)
