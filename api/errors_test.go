package api_test

import "context"
import "encoding/json"
import "errors"
import "fmt"
import "io"
import "iter"
import "log/slog"
import "net/http"
import "net/http/httptest"
import "strings"
import "sync/atomic"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/internal/testkit"

// failingStore fails where a database could: listing datasets, and scanning
// items after a number of them.
type failingStore struct {
	strata.Store
	failAfter atomic.Int64 // items a scan yields before it fails
}

var errDisk = errors.New("disk on fire at /var/lib/strata")

func (s *failingStore) ListDatasets(context.Context, string, strata.DatasetFilter, func(*strata.Dataset) error) error {
	return fmt.Errorf("list datasets: %w", errDisk)
}

func (s *failingStore) ScanItems(ctx context.Context, q strata.ItemQuery, fn func(*strata.Item) error) error {
	n, failAfter := int64(0), s.failAfter.Load()
	return s.Store.ScanItems(ctx, q, func(it *strata.Item) error {
		if n == failAfter {
			return errDisk
		}
		n++
		return fn(it)
	})
}

func (s *failingStore) OpenItems(ctx context.Context, q strata.ItemQuery) (strata.ItemScan, error) {
	scan, err := s.Store.OpenItems(ctx, q)
	if err != nil {
		return nil, err
	}
	return failingScan{scan, s.failAfter.Load()}, nil
}

// failingScan fails after failAfter items.
type failingScan struct {
	strata.ItemScan
	failAfter int64
}

func (sc failingScan) Items() iter.Seq2[*strata.Item, error] {
	return func(yield func(*strata.Item, error) bool) {
		n := int64(0)
		for it, err := range sc.ItemScan.Items() {
			if err == nil && n == sc.failAfter {
				yield(nil, errDisk)
				return
			}
			n++
			if !yield(it, err) || err != nil {
				return
			}
		}
	}
}

func TestInternalErrors(t *testing.T) {
	var logs testkit.Buffer
	fs := &failingStore{}
	ts := newTestServerWith(t, func(s *api.Server) {
		fs.Store = s.Store
		s.Store = fs
		s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	id := ts.createDataset(t, "failing")
	var lines strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&lines, `{"input":"q%d"}`+"\n", i)
	}
	body, _ := json.Marshal(map[string]string{"format": "jsonl", "content": lines.String()})
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/import", ts.owner, string(body)), http.StatusOK)

	// The failures are 500s and cut streams on purpose: these requests go
	// around the OpenAPI check of ts.Client().
	get := func(t *testing.T, path string) (*http.Response, []byte, error) {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+ts.owner)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, err := io.ReadAll(res.Body)
		return res, data, err
	}
	// wantHidden gets path and wants a 500 that says nothing of the error.
	wantHidden := func(t *testing.T, path string) {
		t.Helper()
		res, data, err := get(t, path)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := res.StatusCode, http.StatusInternalServerError; got != want {
			t.Errorf("status = %d, want %d", got, want)
		}
		if got, want := string(data), `{"message":"An unexpected error occurred"}`; got != want {
			t.Errorf("body = %s, want %s", got, want)
		}
	}
	t.Run("NotShown", func(t *testing.T) {
		wantHidden(t, datasetsPath)
		if !strings.Contains(logs.String(), "disk on fire") {
			t.Errorf("error not logged: %q", logs.String())
		}
	})
	t.Run("BeforeStream", func(t *testing.T) {
		fs.failAfter.Store(0)
		wantHidden(t, datasetsPath+"/"+id+"/items")
	})
	t.Run("MidStream", func(t *testing.T) {
		// The status is gone with the first items: the client must see a
		// broken response, not a short list that looks whole.
		fs.failAfter.Store(700)
		for _, path := range []string{datasetsPath + "/" + id + "/items", datasetsPath + "/" + id} {
			res, data, err := get(t, path)
			if got, want := res.StatusCode, http.StatusOK; got != want {
				t.Errorf("%s: status = %d, want %d", path, got, want)
			}
			if err == nil {
				t.Errorf("%s: a failed stream ended cleanly (%d bytes, valid JSON: %v)", path, len(data), json.Valid(data))
			}
		}
	})
}

// leavingStore lists datasets only once the request is canceled, and then
// fails as a database interrupted in mid-query does.
type leavingStore struct {
	strata.Store
	listing chan struct{} // closed when a list has started
}

func (s *leavingStore) ListDatasets(ctx context.Context, _ string, _ strata.DatasetFilter, _ func(*strata.Dataset) error) error {
	close(s.listing)
	<-ctx.Done()
	return errors.New("interrupted")
}

// A client that leaves while the store works is no server error: its request
// is recorded as 499, and nothing is logged as failed.
func TestClientLeft(t *testing.T) {
	var logs testkit.Buffer
	ls := &leavingStore{listing: make(chan struct{})}
	var srv *api.Server
	ts := newTestServerWith(t, func(s *api.Server) {
		ls.Store = s.Store
		s.Store = ls
		s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		srv = s
	})
	ctx, leave := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, "GET", datasetsPath, nil)
	req.Header.Set("Authorization", "Bearer "+ts.owner)
	go func() {
		<-ls.listing
		leave()
	}()
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if got, want := rec.Code, 499; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
	if strings.Contains(logs.String(), "failed") {
		t.Errorf("a client's leaving was logged as a failure: %q", logs.String())
	}
}

// TestDatabaseUnavailable: while the database cannot be reached, requests
// are 503 with a Retry-After, which clients retry, not 500.
func TestDatabaseUnavailable(t *testing.T) {
	var logs testkit.Buffer
	ts := newTestServerWith(t, func(s *api.Server) {
		down := &testkit.Outage{Store: s.Store}
		down.Down.Store(true)
		s.Store = down
		s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	r := ts.do(t, "GET", datasetsPath, ts.owner, "")
	wantError(t, r, http.StatusServiceUnavailable, "The database is unavailable: try again")
	if got := r.Header.Get("Retry-After"); got != "5" {
		t.Errorf("Retry-After = %q, want 5", got)
	}
	if !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("unavailable database not logged: %q", logs.String())
	}
}
