package api

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The cache holds at most its bytes: adding past them evicts the least
// recently used entries first.
func TestPageCacheEvictsByBytes(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 1000)
	c := newPageCache(pageCacheEntryShare * entryBytes(&pageEntry{key: "k0", body: body})) // room for pageCacheEntryShare entries
	keys := make([]string, pageCacheEntryShare+1)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%d", i)
	}
	for _, k := range keys[:pageCacheEntryShare] {
		c.put("d", k, "", body)
	}
	if _, ok := c.get("k0", ""); !ok { // k0 is now the most recently used
		t.Fatal("k0 evicted before the cache was full")
	}
	c.put("d", keys[pageCacheEntryShare], "", body)
	if _, ok := c.get("k1", ""); ok {
		t.Error("k1, the least recently used, was kept past the bound")
	}
	for _, k := range append([]string{"k0"}, keys[2:]...) {
		if _, ok := c.get(k, ""); !ok {
			t.Errorf("%s evicted, want only k1 gone", k)
		}
	}
	if got, max := c.bytes(), c.max; got > max {
		t.Errorf("cache holds %d bytes, bound %d", got, max)
	}
}

// An answer larger than its share of the cache is not kept.
func TestPageCacheSkipsLargeEntries(t *testing.T) {
	c := newPageCache(8000)
	c.put("d", "big", "", make([]byte, 8000/pageCacheEntryShare))
	if _, ok := c.get("big", ""); ok {
		t.Error("an entry above the cache's share was kept")
	}
	if got := c.bytes(); got != 0 {
		t.Errorf("cache holds %d bytes, want 0", got)
	}
}

func TestPageCacheDropDataset(t *testing.T) {
	c := newPageCache(0)
	c.put("d1", "d1/v?a", "", []byte("1"))
	c.put("d1", "d1/v?b", "", []byte("2"))
	c.put("d2", "d2/v?a", "", []byte("3"))
	c.dropDataset("d1")
	for _, k := range []string{"d1/v?a", "d1/v?b"} {
		if _, ok := c.get(k, ""); ok {
			t.Errorf("%s kept after its dataset was dropped", k)
		}
	}
	if _, ok := c.get("d2/v?a", ""); !ok {
		t.Error("another dataset's entry was dropped")
	}
	if got, want := c.bytes(), entryBytes(&pageEntry{key: "d2/v?a", body: []byte("3")}); got != want {
		t.Errorf("cache counts %d bytes, want %d", got, want)
	}
}

// Only a complete 200 is kept: not an error, not a body past the entry
// bound, not another status.
func TestPageCacheKeepsOnlyWholeSuccesses(t *testing.T) {
	c := newPageCache(80_000)
	write := func(status int, body string, err error) func(http.ResponseWriter) error {
		return func(w http.ResponseWriter) error {
			w.WriteHeader(status)
			w.Write([]byte(body))
			return err
		}
	}
	cases := []struct {
		key   string
		write func(http.ResponseWriter) error
		kept  bool
	}{
		{"ok", write(http.StatusOK, "[1,2]", nil), true},
		{"failed", write(http.StatusOK, "[1,", errors.New("scan failed")), false},
		{"large", write(http.StatusOK, strings.Repeat("x", 80_000/pageCacheEntryShare), nil), false},
		{"other status", write(http.StatusPartialContent, "[1]", nil), false},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		c.serve(rec, "d", tc.key, tc.write)
		if _, ok := c.get(tc.key, ""); ok != tc.kept {
			t.Errorf("%s: kept = %v, want %v", tc.key, ok, tc.kept)
		}
	}
	rec := httptest.NewRecorder()
	if err := c.serve(rec, "d", "ok", func(http.ResponseWriter) error { t.Fatal("a kept answer was written again"); return nil }); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.Body.String(), "[1,2]"; got != want {
		t.Errorf("served %q, want %q", got, want)
	}
	if got, want := rec.Header().Get("Content-Type"), "application/json; charset=utf-8"; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
}
