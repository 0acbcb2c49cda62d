package api_test

import "bytes"
import "fmt"
import "io"
import "log/slog"
import "net/http"
import "net/http/httptest"
import "strconv"
import "strings"
import "testing"

import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/internal/testkit"

// pageCacheServer is a test server whose store counts scans, and beside it
// a server of the same store without a cache: what the store answers now.
func pageCacheServer(t *testing.T, cacheBytes int64) (ts *testServer, counter *testkit.ScanCounter, uncached func(path string) []byte) {
	t.Helper()
	ts = newTestServerWith(t, func(s *api.Server) {
		counter = &testkit.ScanCounter{Store: s.Store}
		s.Store, s.CacheBytes = counter, cacheBytes
	})
	plain := &api.Server{Store: ts.store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), CacheBytes: -1}
	plain.Limits.RatePerKey, plain.Limits.MaxConcurrentPerKey = -1, -1
	hs := httptest.NewServer(plain.Handler())
	t.Cleanup(hs.Close)
	t.Cleanup(plain.Close)
	return ts, counter, func(path string) []byte {
		t.Helper()
		req, _ := http.NewRequest("GET", hs.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+ts.owner)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("uncached GET %s: %d %s", path, res.StatusCode, body)
		}
		return body
	}
}

// versionPage makes a dataset of n items with version 2 (versionWithItems)
// and returns it and the path of a read of one of its versions: page is the
// ref and what follows, as "2/items?limit=3".
func versionPage(t *testing.T, ts *testServer, n int, page string) (datasetID, path string) {
	t.Helper()
	id := versionWithItems(t, ts, n)
	return id, datasetsPath + "/" + id + "/versions/" + page
}

// versionWithItems makes a dataset of n items and snapshots it as version 2.
func versionWithItems(t *testing.T, ts *testServer, n int) (datasetID string) {
	t.Helper()
	id := ts.createDataset(t, "paged")
	for i := 0; i < n; i++ {
		ts.createItem(t, id, "item "+string(rune('a'+i%26)))
	}
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, ""), http.StatusCreated)
	return id
}

// A page read twice is scanned once, and the second answer is the bytes the
// store gives for it, even after the working set and the history moved on.
func TestPageCacheServesSameBytes(t *testing.T) {
	ts, counter, uncached := pageCacheServer(t, 0)
	id, path := versionPage(t, ts, 5, "2/items?limit=3")
	first := ts.do(t, "GET", path, ts.owner, "")
	wantStatus(t, first, http.StatusOK)
	ts.createItem(t, id, "later")
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, ""), http.StatusCreated)
	before := counter.Scans.Load()
	second := ts.do(t, "GET", path, ts.owner, "")
	wantStatus(t, second, http.StatusOK)
	if got := counter.Scans.Load() - before; got != 0 {
		t.Errorf("a second read of the same page scanned %d times, want 0 (from the cache)", got)
	}
	if !bytes.Equal(second.Body, first.Body) {
		t.Errorf("cached page differs from the first:\n%s\n%s", second.Body, first.Body)
	}
	if want := uncached(path); !bytes.Equal(second.Body, want) {
		t.Errorf("cached page differs from the store's:\n%s\n%s", second.Body, want)
	}
	if got, want := second.Header.Get("ETag"), first.Header.Get("ETag"); got != want {
		t.Errorf("cached page ETag = %q, want %q", got, want)
	}
}

// Another limit, cursor or filter is another answer: never served from the
// entry of another query string, and each equals the store's.
func TestPageCacheKeysByQuery(t *testing.T) {
	ts, counter, uncached := pageCacheServer(t, 0)
	id := versionWithItems(t, ts, 5)
	base := datasetsPath + "/" + id + "/versions/2/items"
	first := ts.do(t, "GET", base+"?limit=2", ts.owner, "")
	wantStatus(t, first, http.StatusOK)
	var page struct{ NextCursor string }
	first.decode(t, &page)
	for _, q := range []string{"?limit=3", "?limit=2&cursor=" + page.NextCursor, "?limit=2&search=item%20c", "?limit=2&split=test", ""} {
		before := counter.Scans.Load()
		r := ts.do(t, "GET", base+q, ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		if got := counter.Scans.Load() - before; got != 1 {
			t.Errorf("GET %s: %d scans, want 1 (not another query's entry)", q, got)
		}
		if want := uncached(base + q); !bytes.Equal(r.Body, want) {
			t.Errorf("GET %s = %s, want the store's %s", q, r.Body, want)
		}
	}
}

// "latest" is resolved before the cache is asked: after a new snapshot it
// names another version, and its read is that version's.
func TestPageCacheLatestFollowsTheVersion(t *testing.T) {
	ts, _, uncached := pageCacheServer(t, 0)
	id, path := versionPage(t, ts, 2, "latest/items?limit=10")
	wantStatus(t, ts.do(t, "GET", path, ts.owner, ""), http.StatusOK)
	ts.createItem(t, id, "new")
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, ""), http.StatusCreated)
	r := ts.do(t, "GET", path, ts.owner, "")
	wantStatus(t, r, http.StatusOK)
	if want := uncached(path); !bytes.Equal(r.Body, want) {
		t.Errorf("latest after a snapshot = %s, want %s", r.Body, want)
	}
}

// A key that may not read the dataset never gets the cached answer: it is
// refused as without a cache.
func TestPageCacheAuthorizesFirst(t *testing.T) {
	ts, _, _ := pageCacheServer(t, 0)
	_, path := versionPage(t, ts, 3, "2/items?limit=10")
	cached := ts.do(t, "GET", path, ts.owner, "")
	wantStatus(t, cached, http.StatusOK)
	wantStatus(t, ts.do(t, "GET", path, ts.other, ""), http.StatusNotFound)
	wantStatus(t, ts.do(t, "GET", path, "", ""), http.StatusUnauthorized)
	wantStatus(t, ts.do(t, "GET", path, "strata_not_a_key", ""), http.StatusUnauthorized)
	viewer := ts.do(t, "GET", path, ts.viewer, "")
	wantStatus(t, viewer, http.StatusOK)
	if !bytes.Equal(viewer.Body, cached.Body) {
		t.Errorf("a viewer of the project read %s, want %s", viewer.Body, cached.Body)
	}
}

// A deleted dataset's pages are not served.
func TestPageCacheDeletedDataset(t *testing.T) {
	ts, _, _ := pageCacheServer(t, 0)
	id, path := versionPage(t, ts, 3, "2/items?limit=10")
	wantStatus(t, ts.do(t, "GET", path, ts.owner, ""), http.StatusOK)
	wantStatus(t, ts.do(t, "DELETE", datasetsPath+"/"+id, ts.owner, ""), http.StatusNoContent)
	wantStatus(t, ts.do(t, "GET", path, ts.owner, ""), http.StatusNotFound)
}

// With the cache off, every read scans.
func TestPageCacheOff(t *testing.T) {
	ts, counter, _ := pageCacheServer(t, -1)
	_, path := versionPage(t, ts, 3, "2/items?limit=10")
	before := counter.Scans.Load()
	for i := 0; i < 2; i++ {
		wantStatus(t, ts.do(t, "GET", path, ts.owner, ""), http.StatusOK)
	}
	if got := counter.Scans.Load() - before; got != 2 {
		t.Errorf("2 reads with the cache off scanned %d times, want 2", got)
	}
}

// A dataset read twice with no change between reads its items once; after
// any change it reads them again, and every answer is the store's.
func TestWorkingSetCache(t *testing.T) {
	ts, counter, uncached := pageCacheServer(t, 0)
	id := versionWithItems(t, ts, 4)
	path := datasetsPath + "/" + id
	read := func(step string, wantItemsRead bool) {
		t.Helper()
		before := counter.Items.Load()
		r := ts.do(t, "GET", path, ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		if got := counter.Items.Load() - before; (got > 0) != wantItemsRead {
			t.Errorf("%s: %d items read from the store, want reads: %v", step, got, wantItemsRead)
		}
		if want := uncached(path); !bytes.Equal(r.Body, want) {
			t.Errorf("%s: dataset = %s, want the store's %s", step, r.Body, want)
		}
		if got, want := r.Header.Get("ETag"), ts.do(t, "GET", path, ts.viewer, "").Header.Get("ETag"); got != want {
			t.Errorf("%s: ETag %q, want %q", step, got, want)
		}
	}
	read("first read", true)
	read("no change", false)
	item := ts.createItem(t, id, "added")
	read("after an item was added", true)
	read("no change again", false)
	// An item's update is applied to the kept items: no item is read,
	// and the answer is still the store's, whatever the fields.
	for _, edit := range []string{
		`{"input":"edited"}`,
		`{"groundTruth":"truth \u003c\u003e & \"quoted\" é"}`,
		`{"groundTruth":null,"output":"out"}`,
		`{"metadata":{"lang":"fr","n":3}}`,
		`{"splits":["test","train"]}`,
		`{"externalId":"ext-1"}`,
	} {
		wantStatus(t, ts.do(t, "PATCH", path+"/items/"+item+"?skipVersion=true", ts.owner, edit), http.StatusOK)
		read("after the edit "+edit, false)
	}
	wantStatus(t, ts.do(t, "PATCH", path+"/items/"+item, ts.owner, `{"input":"auto-versioned"}`), http.StatusOK)
	read("after an auto-versioned edit", false)
	wantStatus(t, ts.do(t, "PATCH", path, ts.owner, `{"name":"renamed"}`), http.StatusOK)
	read("after a rename", true)
	wantStatus(t, ts.do(t, "POST", path+"/versions", ts.owner, ""), http.StatusCreated)
	read("after a snapshot", false)
	wantStatus(t, ts.do(t, "DELETE", path+"/items/"+item+"?skipVersion=true", ts.owner, ""), http.StatusNoContent)
	read("after a delete", true)
	read("no change at the end", false)
}

// A kept working set is sent whole and alone whatever its size: small ones
// are assembled in reused buffers, larger ones (over 64 KiB) written in
// parts. Read in turns, each answer is the store's, byte for byte.
func TestWorkingSetCacheSizes(t *testing.T) {
	ts, counter, uncached := pageCacheServer(t, 0)
	small, large := ts.createDataset(t, "small"), ts.createDataset(t, "large")
	ts.createItem(t, small, "one")
	for i := range 80 {
		ts.createItem(t, large, fmt.Sprintf("%04d %s", i, strings.Repeat("x", 1000)))
	}
	for round := range 3 {
		for _, id := range []string{large, small, large, small} {
			path := datasetsPath + "/" + id
			before := counter.Items.Load()
			r := ts.do(t, "GET", path, ts.owner, "")
			wantStatus(t, r, http.StatusOK)
			if want := uncached(path); !bytes.Equal(r.Body, want) {
				t.Fatalf("round %d, dataset %s: %d bytes, want the store's %d", round, id, len(r.Body), len(want))
			}
			if got := r.Header.Get("Content-Length"); round > 0 && got != strconv.Itoa(len(r.Body)) {
				t.Errorf("round %d: Content-Length %s for %d bytes", round, got, len(r.Body))
			}
			if read := counter.Items.Load() - before; round > 0 && read > 0 {
				t.Errorf("round %d, dataset %s: %d items read, want the kept ones", round, id, read)
			}
		}
	}
}

// The working set's cached items are not served to a key that may not read
// them, nor after the dataset is deleted.
func TestWorkingSetCacheAuthorizesFirst(t *testing.T) {
	ts, _, _ := pageCacheServer(t, 0)
	id := versionWithItems(t, ts, 2)
	path := datasetsPath + "/" + id
	for i := 0; i < 2; i++ {
		wantStatus(t, ts.do(t, "GET", path, ts.owner, ""), http.StatusOK)
	}
	wantStatus(t, ts.do(t, "GET", path, ts.other, ""), http.StatusNotFound)
	wantStatus(t, ts.do(t, "GET", path, "", ""), http.StatusUnauthorized)
	wantStatus(t, ts.do(t, "DELETE", path, ts.owner, ""), http.StatusNoContent)
	wantStatus(t, ts.do(t, "GET", path, ts.owner, ""), http.StatusNotFound)
}

// Two updates applied out of order: the second, which does not follow the
// kept state, is not applied, and the state it leaves is read again.
func TestWorkingSetCacheUpdatesInOrder(t *testing.T) {
	ts, counter, uncached := pageCacheServer(t, 0)
	id := versionWithItems(t, ts, 3)
	path := datasetsPath + "/" + id
	item := ts.createItem(t, id, "x")
	wantStatus(t, ts.do(t, "GET", path, ts.owner, ""), http.StatusOK)
	// A change the cache is not told of item by item (an import) moves
	// the ETag: the update after it does not follow the kept state.
	wantStatus(t, ts.do(t, "POST", path+"/items?skipVersion=true", ts.owner, `{"input":"unseen"}`), http.StatusCreated)
	wantStatus(t, ts.do(t, "PATCH", path+"/items/"+item+"?skipVersion=true", ts.owner, `{"input":"y"}`), http.StatusOK)
	before := counter.Items.Load()
	r := ts.do(t, "GET", path, ts.owner, "")
	wantStatus(t, r, http.StatusOK)
	if counter.Items.Load() == before {
		t.Error("a working set two changes behind was served")
	}
	if want := uncached(path); !bytes.Equal(r.Body, want) {
		t.Errorf("dataset = %s, want %s", r.Body, want)
	}
}
