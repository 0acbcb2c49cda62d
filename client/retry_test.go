package client_test

import "errors"
import "io"
import "net/http"
import "os"
import "path/filepath"
import "strings"
import "testing"
import "time"

import "github.com/strata-eval/strata/client"

// TestNoRetryOfPipe: an *os.File is an io.Seeker even when it is a pipe
// (stdin, a FIFO): it is sent once, and a 429 is the caller's answer, not a
// failed seek.
func TestNoRetryOfPipe(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		f := &flaky{fails: 1, status: status}
		c := flakyClient(t, f)
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			pw.WriteString(`{"input":"a"}` + "\n")
			pw.Close()
		}()
		_, err = c.Import(t.Context(), "d", client.FormatJSONL, pr, client.ImportOptions{})
		pr.Close()
		var apiErr *client.Error
		if !errors.As(err, &apiErr) || apiErr.Status != status || apiErr.Message != "slow down" {
			t.Fatalf("err = %v (%T), want %d slow down", err, err, status)
		}
		if got := f.calls.Load(); got != 1 {
			t.Fatalf("%d attempts, want 1", got)
		}
	}
}

// TestRetryFromStartOffset: a retry sends the body from where the caller's
// reader was when the call started, not from the file's start.
func TestRetryFromStartOffset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "items.jsonl")
	if err := os.WriteFile(path, []byte("# header\n"+`{"input":"a"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if _, err := io.ReadFull(file, make([]byte, len("# header\n"))); err != nil {
		t.Fatal(err)
	}
	f := &flaky{fails: 2, status: http.StatusTooManyRequests}
	c := flakyClient(t, f)
	if _, err := c.Sync(t.Context(), "d", client.FormatJSONL, file, client.SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `{"input":"a"}` + "\n"
	if len(f.bodies) != 3 || f.bodies[0] != want || f.bodies[1] != want || f.bodies[2] != want {
		t.Fatalf("bodies %q, want %q three times", f.bodies, want)
	}
}

// unrewindable seeks where it is, and no further.
type unrewindable struct{ io.Reader }

func (u unrewindable) Seek(offset int64, whence int) (int64, error) {
	if offset == 0 && whence == io.SeekCurrent {
		return 0, nil
	}
	return 0, errors.New("cannot rewind")
}

// TestRewindFailsAtRetry: a body whose rewind fails after all leaves the
// caller with the server's answer, not the seek's error.
func TestRewindFailsAtRetry(t *testing.T) {
	f := &flaky{fails: 1, status: http.StatusTooManyRequests}
	c := flakyClient(t, f)
	_, err := c.Import(t.Context(), "d", client.FormatJSONL, unrewindable{strings.NewReader(`{"input":"a"}`)}, client.ImportOptions{})
	if !client.IsRateLimited(err) {
		t.Fatalf("err = %v, want the 429", err)
	}
	if got := f.calls.Load(); got != 1 {
		t.Fatalf("%d attempts, want 1", got)
	}
}

// TestErrorHelpers: IsRateLimited, RetryAfter, IsConflict.
func TestErrorHelpers(t *testing.T) {
	t.Run("RateLimited", func(t *testing.T) {
		srv := newHandlerServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		})
		c := client.New(srv, "k")
		c.MaxRetries = -1
		_, err := c.ListDatasets(t.Context(), client.ListOptions{})
		if !client.IsRateLimited(err) || client.IsConflict(err) {
			t.Fatalf("err = %v, want a 429", err)
		}
		if got, want := client.RetryAfter(err), 7*time.Second; got != want {
			t.Fatalf("RetryAfter = %s, want %s", got, want)
		}
	})
	t.Run("Conflict", func(t *testing.T) {
		ctx := t.Context()
		c := newServer(t)
		if _, err := c.CreateDataset(ctx, client.DatasetInput{Name: "twice"}); err != nil {
			t.Fatal(err)
		}
		_, err := c.CreateDataset(ctx, client.DatasetInput{Name: "twice"})
		if !client.IsConflict(err) || client.IsRateLimited(err) || client.RetryAfter(err) != 0 {
			t.Fatalf("err = %v, want a 409 without Retry-After", err)
		}
	})
	t.Run("NotAnAPIError", func(t *testing.T) {
		err := errors.New("other")
		if client.IsConflict(err) || client.IsRateLimited(err) || client.RetryAfter(err) != 0 {
			t.Fatal("a plain error taken for an answer of the server")
		}
	})
}
