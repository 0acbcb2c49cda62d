package api

import "bytes"
import "encoding/json"
import "errors"
import "fmt"
import "net/http"
import "net/http/httptest"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

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

// keepSet keeps a working set of items for dataset d at the ETag count n,
// as a read of it does, and returns its encoded items.
func keepSet(c *pageCache, d string, n int64, items ...*strata.Item) []byte {
	var body []byte
	var layout itemLayout
	for i, it := range items {
		if i > 0 {
			body = append(body, ',')
		}
		start := len(body)
		body = toEmbeddedItemJSON(it).appendJSON(body)
		layout.ids = append(layout.ids, it.ID)
		layout.sizes = append(layout.sizes, len(body)-start)
	}
	c.keepWorkingSet(&pageEntry{key: workingSetKey(d), datasetID: d, tag: strata.DatasetETag(n), body: body, items: &layout})
	return body
}

func testItem(id, input string) *strata.Item {
	return &strata.Item{ID: id, DatasetID: "d", Input: input, Metadata: json.RawMessage("{}")}
}

// Updates committed together are reported in any order: one that comes
// before the update it follows is kept until that one comes, and then both
// apply, in order.
func TestWorkingSetUpdatesOutOfOrder(t *testing.T) {
	c := newPageCache(0)
	a, b, x := testItem("a", "a0"), testItem("b", "b0"), testItem("x", "x0")
	keepSet(c, "d", 10, a, b, x)
	a1, b1 := testItem("a", "a1"), testItem("b", "b1")

	c.itemUpdated("d", strata.DatasetETag(12), a1)  // follows 11, not yet here
	c.itemUpdated("d", strata.DatasetETag(13), nil) // a snapshot
	if _, ok := c.get(workingSetKey("d"), strata.DatasetETag(10)); !ok {
		t.Fatal("the state kept at 10 was dropped by updates that do not follow it")
	}
	c.itemUpdated("d", strata.DatasetETag(11), b1)
	want := keepSet(newPageCache(0), "d", 13, a1, b1, x)
	if got, ok := c.get(workingSetKey("d"), strata.DatasetETag(13)); !ok {
		t.Error("the updates 11, 12 and 13 were not all applied")
	} else if !bytes.Equal(got, want) {
		t.Errorf("kept %s, want %s", got, want)
	}
	if _, ok := c.get(workingSetKey("d"), strata.DatasetETag(11)); ok {
		t.Error("an intermediate state is still served")
	}
}

// An update the cache is never told of (a create) leaves the kept state
// where it was; a read that keeps a later state takes the updates kept
// that follow it.
func TestWorkingSetUpdateAfterAnUnreportedChange(t *testing.T) {
	c := newPageCache(0)
	a, b := testItem("a", "a0"), testItem("b", "b0")
	keepSet(c, "d", 10, a)
	b1 := testItem("b", "b1")
	c.itemUpdated("d", strata.DatasetETag(12), b1) // 11 created b: never reported
	if _, ok := c.get(workingSetKey("d"), strata.DatasetETag(12)); ok {
		t.Fatal("a state was served whose change 11 the cache never saw")
	}
	keepSet(c, "d", 11, a, b) // a read at 11
	want := keepSet(newPageCache(0), "d", 12, a, b1)
	if got, ok := c.get(workingSetKey("d"), strata.DatasetETag(12)); !ok {
		t.Error("the update kept for 12 was not applied to the state read at 11")
	} else if !bytes.Equal(got, want) {
		t.Errorf("kept %s, want %s", got, want)
	}
}

// The updates kept ahead are bounded, and counted in the cache's bytes.
func TestWorkingSetUpdatesAheadBounded(t *testing.T) {
	c := newPageCache(0)
	keepSet(c, "d", 10, testItem("a", "a0"))
	for n := int64(12); n < 12+2*maxAhead; n++ {
		c.itemUpdated("d", strata.DatasetETag(n), testItem("a", fmt.Sprint("a", n)))
	}
	el := c.entries[workingSetKey("d")]
	e := el.Value.(*pageEntry)
	if len(e.ahead) != maxAhead {
		t.Errorf("%d updates kept ahead, want %d", len(e.ahead), maxAhead)
	}
	if got, want := c.bytes(), entryBytes(e); got != want {
		t.Errorf("cache counts %d bytes, want %d", got, want)
	}
}
