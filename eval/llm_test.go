package eval

import "context"
import "encoding/json"
import "errors"
import "fmt"
import "io"
import "net/http"
import "net/http/httptest"
import "strings"
import "sync"
import "sync/atomic"
import "testing"
import "time"

import "github.com/strata-eval/strata"

// answer is a Responses API answer with one message and a reasoning summary.
func answer(text string) map[string]any {
	return map[string]any{
		"id": "resp_1", "object": "response", "status": "completed",
		"output": []any{
			map[string]any{"type": "reasoning", "summary": []any{map[string]any{"type": "summary_text", "text": "thought"}}},
			map[string]any{"type": "message", "role": "assistant", "content": []any{
				map[string]any{"type": "output_text", "text": text[:len(text)/2]},
				map[string]any{"type": "refusal", "refusal": "ignored"},
				map[string]any{"type": "output_text", "text": text[len(text)/2:]},
			}},
		},
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func testClient(url string) *Client {
	return &Client{BaseURL: url, APIKey: "sk-test", Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
}

func TestRespond(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/v1/responses" || r.Header.Get("Authorization") != "Bearer sk-test" {
			writeJSON(w, 400, llmError("bad request shape"))
			return
		}
		json.NewDecoder(r.Body).Decode(&got)
		writeJSON(w, 200, answer("Hello there"))
	}))
	defer srv.Close()
	c := testClient(srv.URL + "/v1/")
	resp, err := c.Respond(context.Background(), Request{Model: "m", Input: "hi", Instructions: "be brief", ReasoningEffort: "low"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "Hello there" || resp.Reasoning != "thought" {
		t.Errorf("response = %+v", resp)
	}
	want := `{"input":"hi","instructions":"be brief","model":"m","reasoning":{"effort":"low"}}`
	if b, _ := json.Marshal(got); string(b) != want {
		t.Errorf("request = %s, want %s", b, want)
	}
}

func TestRespondErrors(t *testing.T) {
	t.Run("ErrNotConfigured", func(t *testing.T) {
		_, err := (&Client{}).Respond(context.Background(), Request{Model: "m"})
		if !errors.Is(err, ErrNotConfigured) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("RetriesRateLimitAndServerErrors", func(t *testing.T) {
		c, calls := llmServer(t, func(call int32, w http.ResponseWriter, _ *http.Request) {
			switch call {
			case 1:
				w.Header().Set("Retry-After", "0")
				writeJSON(w, 429, llmError("Rate limit reached"))
			case 2:
				w.Header().Set("Retry-After-Ms", "1")
				writeJSON(w, 503, map[string]any{"error": "overloaded"})
			case 3:
				writeJSON(w, 500, nil)
			default:
				writeJSON(w, 200, answer("ok"))
			}
		})
		resp, err := c.Respond(context.Background(), Request{Model: "m", Input: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Text != "ok" {
			t.Errorf("text = %q, want ok", resp.Text)
		}
		wantCalls(t, calls, 4)
	})
	t.Run("GivesUpAfterMaxAttempts", func(t *testing.T) {
		c, calls := llmServer(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 500, llmError("boom"))
		})
		c.MaxAttempts = 3
		_, err := c.Respond(context.Background(), Request{Model: "m", Input: "x"})
		var uerr *UpstreamError
		if !errors.As(err, &uerr) {
			t.Fatalf("err = %v, want an UpstreamError", err)
		}
		if uerr.Status != 500 {
			t.Errorf("status = %d, want 500", uerr.Status)
		}
		wantErrorText(t, err, "500 boom")
		wantCalls(t, calls, 3)
	})
	t.Run("ClientErrorsAreFinal", func(t *testing.T) {
		c, calls := llmServer(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 401, llmError("Incorrect API key provided"))
		})
		_, err := c.Respond(context.Background(), Request{Model: "m", Input: "x"})
		wantErrorText(t, err, "401 Incorrect API key provided")
		wantCalls(t, calls, 1) // a client error is not retried
	})
	t.Run("Timeout", func(t *testing.T) {
		c, calls := llmServer(t, func(_ int32, _ http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // so that the server notices the client leaving
			<-r.Context().Done()        // never answers
		})
		c.Timeout = 20 * time.Millisecond
		_, err := c.Respond(context.Background(), Request{Model: "m", Input: "x"})
		var terr *TimeoutError
		if !errors.As(err, &terr) {
			t.Fatalf("err = %v, want a TimeoutError", err)
		}
		wantErrorText(t, err, "LLM request timed out after 20ms")
		wantCalls(t, calls, 1) // a timed-out call is not retried
	})
	t.Run("FailedResponse", func(t *testing.T) {
		c, _ := llmServer(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 200, map[string]any{"status": "failed", "error": map[string]any{"message": "model crashed"}})
		})
		_, err := c.Respond(context.Background(), Request{Model: "m", Input: "x"})
		wantErrorText(t, err, "LLM response failed: model crashed")
	})
	t.Run("AnswerTooLarge", func(t *testing.T) {
		// "thought" (7 bytes) and the text, one byte over the limit.
		c, calls := llmServer(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 200, answer(strings.Repeat("a", MaxAnswerBytes-6)))
		})
		_, err := c.Respond(context.Background(), Request{Model: "m", Input: "x"})
		wantErrorText(t, err, fmt.Sprintf("LLM answer is %d bytes, over the limit of %d (an item field's)", MaxAnswerBytes+1, MaxAnswerBytes))
		wantCalls(t, calls, 1)
		c, _ = llmServer(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 200, answer(strings.Repeat("a", MaxAnswerBytes-7)))
		})
		if _, err := c.Respond(context.Background(), Request{Model: "m", Input: "x"}); err != nil {
			t.Fatalf("an answer of the limit: %v", err)
		}
	})
	t.Run("ResponseTooLarge", func(t *testing.T) {
		c, _ := llmServer(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 200, map[string]any{"status": "completed", "padding": strings.Repeat("b", maxResponseBytes)})
		})
		_, err := c.Respond(context.Background(), Request{Model: "m", Input: "x"})
		wantErrorText(t, err, "LLM response is larger than 8 MiB")
	})
}

// llmServer is a fake LLM that hands each call, numbered from 1, to handle.
// It returns a client of it and the count of calls so far.
func llmServer(t *testing.T, handle func(call int32, w http.ResponseWriter, r *http.Request)) (*Client, *atomic.Int32) {
	t.Helper()
	calls := &atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handle(calls.Add(1), w, r)
	}))
	t.Cleanup(srv.Close)
	return testClient(srv.URL), calls
}

// wantErrorText checks that err says want.
func wantErrorText(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	if got := err.Error(); got != want {
		t.Errorf("err = %q, want %q", got, want)
	}
}

// wantCalls checks how many calls the fake LLM had.
func wantCalls(t *testing.T, calls *atomic.Int32, want int32) {
	t.Helper()
	if got := calls.Load(); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
}

// llmError is the body of an error answer of the Responses API.
func llmError(message string) map[string]any {
	return map[string]any{"error": map[string]any{"message": message}}
}

func TestPool(t *testing.T) {
	var inFlight, most atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		<-release
		inFlight.Add(-1)
		writeJSON(w, 200, answer("ok"))
	}))
	defer srv.Close()
	c := testClient(srv.URL)
	c.Concurrency = 3
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := c.Respond(context.Background(), Request{Model: "m", Input: "x"}); err != nil {
				t.Error(err)
			}
		})
	}
	// The pool fills, and stays full: nothing else gets in until released.
	for inFlight.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if got, want := most.Load(), int32(3); got != want {
		t.Errorf("most calls in flight = %d, want %d", got, want)
	}
}

func TestAllowed(t *testing.T) {
	var none *Client
	if !none.Allowed(DefaultModel) || none.Allowed("gpt-4o") {
		t.Error("default allow-list is not the default model alone")
	}
	c := &Client{Models: []string{"llama3", "qwen"}}
	if !c.Allowed("qwen") || c.Allowed(DefaultModel) {
		t.Error("explicit allow-list not applied")
	}
	if !(&Client{Models: []string{"*"}}).Allowed("anything") {
		t.Error("* does not allow every model")
	}
	if err := c.CheckModel("gpt-4o"); strata.ErrorCode(err) != strata.EINVALID {
		t.Errorf("CheckModel = %v", err)
	}
}

func TestRetryAfter(t *testing.T) {
	for _, c := range []struct {
		header http.Header
		want   time.Duration
	}{
		{http.Header{}, 0},
		{http.Header{"Retry-After": {"2"}}, 2 * time.Second},
		{http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond},
		{http.Header{"Retry-After": {"soon"}}, 0},
		{http.Header{"Retry-After": {"3"}, "Retry-After-Ms": {"250"}}, 250 * time.Millisecond},
	} {
		if got := retryAfterOf(c.header); got != c.want {
			t.Errorf("%v: %v, want %v", c.header, got, c.want)
		}
	}
}
