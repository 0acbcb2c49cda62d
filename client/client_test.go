package client_test

import "bytes"
import "context"
import "errors"
import "io"
import "log/slog"
import "net/http"
import "net/http/httptest"
import "strings"
import "sync/atomic"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/client"
import "github.com/strata-eval/strata/internal/openapitest"
import "github.com/strata-eval/strata/internal/testkit"

// newServer runs the API over a fresh SQLite store and returns a client of it
// with an owner key.
func newServer(t *testing.T) *client.Client {
	t.Helper()
	srv, key := newAPIServer(t)
	c := client.New(srv.URL, key)
	c.HTTP = openapitest.Client(t, srv) // every answer is the documented one
	return c
}

// newAPIServer runs the API over a fresh SQLite store and returns it with an
// owner key, for a test that makes its own client.
func newAPIServer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	s := testkit.SQLite(t)
	key := testkit.Key(t, s, "main", strata.RoleOwner, "Ada")
	srv := httptest.NewServer((&api.Server{Store: s, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler())
	t.Cleanup(srv.Close)
	return srv, key
}

func TestEndToEnd(t *testing.T) {
	ctx := t.Context()
	c := newServer(t)
	d, err := c.CreateDataset(ctx, client.DatasetInput{Name: "Support bot"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Slug, "support-bot"; got != want {
		t.Fatalf("slug = %q, want %q", got, want)
	}
	// A plain io.Reader streams (and is not retried).
	res, err := c.Import(ctx, d.ID, client.FormatJSONL, io.MultiReader(strings.NewReader(`{"input":"a","groundTruth":"A"}`+"\n"),
		strings.NewReader(`{"input":"b"}`+"\n")), client.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.InsertedCount != 2 {
		t.Fatalf("imported %d, want 2", res.InsertedCount)
	}
	found, err := c.FindDataset(ctx, "support-bot")
	if err != nil {
		t.Fatal(err)
	}
	if found.ID != d.ID || found.ItemCount != 2 || found.CurrentVersionNumber != 2 {
		t.Fatalf("found %+v", found)
	}
	for _, name := range []string{d.ID, "Support bot"} {
		if f, err := c.FindDataset(ctx, name); err != nil || f.ID != d.ID {
			t.Fatalf("FindDataset(%q) = %v, %v", name, f, err)
		}
	}
	if _, err := c.FindDataset(ctx, "nope"); !client.IsNotFound(err) {
		t.Fatalf("FindDataset(nope) = %v, want a 404", err)
	}
	if _, _, err := c.TagVersion(ctx, d.ID, "2", "baseline"); err != nil {
		t.Fatal(err)
	}
	var v2 bytes.Buffer
	if _, err := c.Export(ctx, d.ID, "baseline", client.FormatJSONL, &v2, client.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateItem(ctx, d.ID, client.ItemInput{Input: "c"}, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	diff, err := c.Diff(ctx, d.ID, "2", "latest", client.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff.Counts.Added != 1 || diff.Counts.Unchanged != 2 || len(diff.Changes) != 1 || diff.Changes[0].After.Input != "c" {
		t.Fatalf("diff = %+v", diff)
	}
	restored, err := c.RestoreVersion(ctx, d.ID, "baseline")
	if err != nil {
		t.Fatal(err)
	}
	if len(restored.Items) != 2 || restored.CurrentVersionRestoredFromVersionID == nil {
		t.Fatalf("restored %+v", restored)
	}
	var again bytes.Buffer
	if _, err := c.Export(ctx, d.ID, "latest", client.FormatJSONL, &again, client.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if again.String() != v2.String() {
		t.Fatalf("export after restore %q, want %q", again.String(), v2.String())
	}
	versions, err := c.ListVersions(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(versions), 4; got != want || versions[0].VersionNumber != 4 {
		t.Fatalf("%d versions, newest %d; want %d, newest 4", got, versions[0].VersionNumber, want)
	}
	if _, err := c.UpdateDataset(ctx, d.ID, client.DatasetUpdate{Slug: ptr("qa")}, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	err = c.DeleteTag(ctx, d.ID, "baseline")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Export(ctx, d.ID, "baseline", client.FormatCSV, io.Discard, client.ExportOptions{})
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound || apiErr.Message != "Dataset version not found" {
		t.Fatalf("export of a removed tag = %v, want 404 Dataset version not found", err)
	}
}

func ptr(s string) *string { return &s }

// flaky answers the first fails requests with status and Retry-After: 0,
// then 200 {}; it records the Idempotency-Key of each attempt.
type flaky struct {
	fails, status int
	calls         atomic.Int32
	keys          []string
	bodies        []string
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.keys = append(f.keys, r.Header.Get("Idempotency-Key"))
	b, _ := io.ReadAll(r.Body)
	f.bodies = append(f.bodies, string(b))
	if int(f.calls.Add(1)) <= f.fails {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(f.status)
		w.Write([]byte(`{"message":"slow down"}`))
		return
	}
	w.Write([]byte(`{"insertedCount":1,"added":1}`))
}

func flakyClient(t *testing.T, f *flaky) *client.Client {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return client.New(srv.URL, "k")
}

func TestRetryIdempotent(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		f := &flaky{fails: 2, status: status}
		c := flakyClient(t, f)
		if _, err := c.ListDatasets(t.Context(), client.ListOptions{}); err == nil {
			// {"insertedCount"...} is no list: the decode fails, but only
			// after the retries reached the 200.
			t.Fatal("decoded an object as a list")
		}
		if got, want := f.calls.Load(), int32(3); got != want {
			t.Fatalf("status %d: %d attempts, want %d", status, got, want)
		}
	}
}

func TestRetryPOSTWithOneIdempotencyKey(t *testing.T) {
	f := &flaky{fails: 1, status: http.StatusTooManyRequests}
	c := flakyClient(t, f)
	if _, err := c.Import(t.Context(), "d", client.FormatJSONL, strings.NewReader(`{"input":"a"}`), client.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(f.keys) != 2 || f.keys[0] == "" || f.keys[0] != f.keys[1] {
		t.Fatalf("Idempotency-Keys %q, want one key sent twice", f.keys)
	}
	if f.bodies[0] != f.bodies[1] || f.bodies[1] != `{"input":"a"}` {
		t.Fatalf("bodies %q, want the file twice", f.bodies)
	}
}

func TestRetrySyncWithOneIdempotencyKey(t *testing.T) {
	f := &flaky{fails: 2, status: http.StatusServiceUnavailable}
	c := flakyClient(t, f)
	if _, err := c.Sync(t.Context(), "d", client.FormatCSV, strings.NewReader("input\na\n"), client.SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(f.keys) != 3 || f.keys[0] == "" || f.keys[0] != f.keys[1] || f.keys[1] != f.keys[2] {
		t.Fatalf("Idempotency-Keys %q, want one key sent three times", f.keys)
	}
	if f.bodies[2] != "input\na\n" {
		t.Fatalf("third body %q, want the file again", f.bodies[2])
	}
}

func TestNoRetryOfUnrewindableStream(t *testing.T) {
	f := &flaky{fails: 1, status: http.StatusServiceUnavailable}
	c := flakyClient(t, f)
	_, err := c.Import(t.Context(), "d", client.FormatJSONL, io.MultiReader(strings.NewReader(`{"input":"a"}`)), client.ImportOptions{})
	if got, want := client.StatusOf(err), http.StatusServiceUnavailable; got != want {
		t.Fatalf("status = %d (%v), want %d", got, err, want)
	}
	if got := f.calls.Load(); got != 1 {
		t.Fatalf("%d attempts, want 1", got)
	}
}

// TestRetryOfPATCH: a 429 is answered before the handler runs, so a PATCH
// is retried after it; a 503 may come after the handler ran, so it is not.
func TestRetryOfPATCH(t *testing.T) {
	t.Run("429", func(t *testing.T) {
		f := &flaky{fails: 2, status: http.StatusTooManyRequests}
		c := flakyClient(t, f)
		if _, err := c.UpdateDataset(t.Context(), "d", client.DatasetUpdate{Name: ptr("x")}, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := f.calls.Load(); got != 3 {
			t.Fatalf("%d attempts, want 3", got)
		}
		if f.bodies[0] != `{"name":"x"}` || f.bodies[2] != f.bodies[0] {
			t.Fatalf("bodies %q, want the update three times", f.bodies)
		}
	})
	t.Run("No503", func(t *testing.T) {
		f := &flaky{fails: 1, status: http.StatusServiceUnavailable}
		c := flakyClient(t, f)
		_, err := c.UpdateItem(t.Context(), "d", "i", client.ItemUpdate{Input: ptr("x")}, client.WriteOptions{})
		var apiErr *client.Error
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusServiceUnavailable || apiErr.Message != "slow down" {
			t.Fatalf("err = %v, want 503 slow down", err)
		}
		if got := f.calls.Load(); got != 1 {
			t.Fatalf("%d attempts, want 1", got)
		}
	})
}

func TestRetriesGiveUp(t *testing.T) {
	f := &flaky{fails: 100, status: http.StatusServiceUnavailable}
	c := flakyClient(t, f)
	c.MaxRetries = 2
	_, err := c.ListVersions(t.Context(), "d")
	if got, want := client.StatusOf(err), http.StatusServiceUnavailable; got != want {
		t.Fatalf("status = %d, want %d", got, want)
	}
	if got := f.calls.Load(); got != 3 {
		t.Fatalf("%d attempts, want 3", got)
	}
}

func TestRetryWaitHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		cancel() // while the client waits its (capped) 30 seconds
	}))
	defer srv.Close()
	c := client.New(srv.URL, "k")
	if _, err := c.ListDatasets(ctx, client.ListOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestRetryWaitCutShowsServerError: a call whose context ends while it waits
// to retry returns an error that is both the context's and the server's
// answer that made it wait.
func TestRetryWaitCutShowsServerError(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"message":"slow down"}`))
	}))
	defer srv.Close()
	c := client.New(srv.URL, "k")
	c.HTTP = &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		// The whole answer is in: cancel while the client waits its
		// (capped) 30 seconds.
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(body))
		cancel()
		return res, err
	})}
	_, err := c.ListDatasets(ctx, client.ListOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.Message != "slow down" || !client.IsRateLimited(err) || client.RetryAfter(err) != time.Hour {
		t.Fatalf("err = %v (status %d, Retry-After %s), want the 429 slow down with Retry-After 1h too",
			err, client.StatusOf(err), client.RetryAfter(err))
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
