package api

import "bytes"
import "cmp"
import "container/list"
import "net/http"
import "slices"
import "strconv"
import "sync"

import "github.com/strata-eval/strata"

// The page cache keeps recently encoded reads of versions' items, in memory,
// bounded by bytes. A version never changes (version.go): the items a read
// of version V answers, for one query string, are the same bytes every time,
// so a read that finds them here sends them without scanning or encoding.
//
// Correctness rests on two rules. An entry is keyed by the dataset, the
// version's id (never by a ref: "latest" or a tag is resolved to the id
// first) and the whole query string (limit, cursor, search, filters). And an
// entry is looked up only after the request has been authenticated and the
// version resolved in the caller's project, so the cache never answers a
// request that would have been refused; a deleted dataset's versions no
// longer resolve, and its entries are dropped when the API deletes it.

// The cache also keeps, for each dataset, the encoded items of its working
// set as last read, with the dataset's ETag at that read (strata.DatasetETag:
// a count that every change of the dataset's items moves on, in the
// transaction of the change). A read of the dataset reads the dataset's row
// first, as it always does; when the cache holds the items of that ETag it
// sends them after the dataset's object, encoded from that row, and reads no
// item. The items of a snapshot with that ETag are the ones kept, whichever
// server or process changed them.

// DefaultCacheBytes is the page cache's size when Server.CacheBytes
// is 0.
const DefaultCacheBytes = 32 << 20

// pageCacheEntryShare: an answer larger than this share of the cache is
// sent but not kept, so one export-sized read cannot empty the cache.
const pageCacheEntryShare = 8

// pageEntryOverhead is what an entry costs beside its key and body: the
// list element, the map slot and the entry itself, roughly.
const pageEntryOverhead = 160

type pageEntry struct {
	key, datasetID string
	// tag is the state of the dataset the body was read in, for an entry
	// of something that changes (the working set: its ETag); "" for a
	// version's read, which never changes.
	tag  string
	body []byte
	// items lays out a working set's body: the id and the encoded size
	// of each item, in order (elements are separated by one comma).
	items *itemLayout
	// ahead holds updates of a working set that came before the update
	// they follow (itemUpdated), in the order of their counts.
	ahead []setUpdate
}

// setUpdate is a committed change of a dataset's working set: the one that
// moved its ETag's count to n, which changed the item id to elem (the item
// encoded as in the set), or, when id is "", changed no item.
type setUpdate struct {
	n    int64
	id   string
	elem []byte
}

// maxAhead is the most updates an entry keeps that do not yet follow its
// state: about as many as the writes of one dataset committed together.
const maxAhead = 16

type itemLayout struct {
	ids   []string
	sizes []int
}

// bytes is what the layout holds, roughly.
func (l *itemLayout) bytes() int {
	if l == nil {
		return 0
	}
	n := 0
	for _, id := range l.ids {
		n += len(id) + 16 + 8
	}
	return n
}

// pageCache is a least-recently-used map of encoded answers, safe for
// concurrent use. The zero value is not usable: see newPageCache.
type pageCache struct {
	mu      sync.Mutex
	max     int64 // bytes; entries above max/pageCacheEntryShare are not kept
	size    int64
	order   *list.List // of *pageEntry, most recently used first
	entries map[string]*list.Element
}

// newPageCache returns a cache of at most max bytes, or nil (no cache) when
// max is negative.
func newPageCache(max int64) *pageCache {
	if max < 0 {
		return nil
	}
	if max == 0 {
		max = DefaultCacheBytes
	}
	return &pageCache{max: max, order: list.New(), entries: map[string]*list.Element{}}
}

func entryBytes(e *pageEntry) int64 {
	n := len(e.key) + len(e.body) + e.items.bytes() + pageEntryOverhead
	for _, u := range e.ahead {
		n += len(u.id) + len(u.elem) + 40
	}
	return int64(n)
}

// get returns the body kept under key, if any, read in the state tag.
func (c *pageCache) get(key, tag string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok || el.Value.(*pageEntry).tag != tag {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*pageEntry).body, true
}

// put keeps body under key, read in the state tag, in place of what key
// held, evicting the least recently used entries to stay within the cache's
// bytes. The cache owns body from then on.
func (c *pageCache) put(datasetID, key, tag string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(&pageEntry{key: key, datasetID: datasetID, tag: tag, body: body})
}

func (c *pageCache) putLocked(e *pageEntry) {
	n := entryBytes(e)
	if n > c.max/pageCacheEntryShare {
		return
	}
	if el, ok := c.entries[e.key]; ok {
		// Of two reads of a working set, the later state stays.
		if older, ok1 := etagCount(el.Value.(*pageEntry).tag); ok1 {
			if newer, ok2 := etagCount(e.tag); ok2 && newer < older {
				return
			}
		}
		c.remove(el)
	}
	c.entries[e.key] = c.order.PushFront(e)
	c.size += n
	for c.size > c.max {
		c.remove(c.order.Back())
	}
}

// keepWorkingSet keeps e, a working set as a read found it, in place of
// the entry kept for its dataset, with the updates that entry kept which
// come after e's state (itemUpdated): those that follow it apply at once.
func (c *pageCache) keepWorkingSet(e *pageEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.key]; ok {
		if n, ok := etagCount(e.tag); ok {
			for _, u := range el.Value.(*pageEntry).ahead {
				if u.n > n {
					e.ahead = append(e.ahead, u)
				}
			}
		}
		if next := e.advance(); next != nil {
			e = next
		} else {
			e.ahead = nil // an update of an item the set does not hold
		}
	}
	c.putLocked(e)
}

// etagCount reads the count of a dataset's ETag (strata.DatasetETag).
func etagCount(etag string) (int64, bool) {
	s, err := strconv.Unquote(etag)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strata.DatasetETag(n) != etag {
		return 0, false
	}
	return n, true
}

func (c *pageCache) remove(el *list.Element) {
	e := c.order.Remove(el).(*pageEntry)
	delete(c.entries, e.key)
	c.size -= entryBytes(e)
}

// dropDataset removes every entry of a dataset. Deletions are rare; a walk
// over the entries (a few thousand at most) costs less than an index.
func (c *pageCache) dropDataset(datasetID string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.order.Front(); el != nil; {
		next := el.Next()
		if el.Value.(*pageEntry).datasetID == datasetID {
			c.remove(el)
		}
		el = next
	}
}

// bytes returns the bytes the cache holds, by its count.
func (c *pageCache) bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// versionPageKey is the cache key of a read of a version's items.
func versionPageKey(datasetID, versionID, rawQuery string) string {
	return datasetID + "/" + versionID + "?" + rawQuery
}

// serve answers from the cache when it holds key; otherwise it calls write
// and keeps what write sent when it succeeded with 200 in full. The caller
// has already authorized the request and set the headers that do not come
// from the body (ETag, Cache-Control). A nil cache only calls write.
func (c *pageCache) serve(w http.ResponseWriter, datasetID, key string, write func(http.ResponseWriter) error) error {
	if c == nil {
		return write(w)
	}
	if body, ok := c.get(key, ""); ok {
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, err := w.Write(body)
		return err
	}
	rec := &recordingWriter{ResponseWriter: w, limit: int(c.max / pageCacheEntryShare)}
	if err := write(rec); err != nil {
		return err
	}
	if rec.status == http.StatusOK && !rec.over {
		c.put(datasetID, key, "", bytes.Clone(rec.body))
	}
	return nil
}

// recordingWriter passes a response through and keeps a copy of its body,
// up to limit bytes.
type recordingWriter struct {
	http.ResponseWriter
	status int
	body   []byte
	limit  int
	over   bool // the body outgrew limit: not kept
}

func (w *recordingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if !w.over {
		if len(w.body)+len(b) > w.limit {
			w.over, w.body = true, nil
		} else {
			w.body = append(w.body, b...)
		}
	}
	n, err := w.ResponseWriter.Write(b)
	if err != nil { // not all of it went out (a HEAD, a client gone): not kept
		w.over, w.body = true, nil
	}
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's Flush.
func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// workingSetRead is one read of a dataset with its working items: it records
// the response, to keep the items, and can answer with the kept ones.
type workingSetRead struct {
	recordingWriter
	c               *pageCache
	datasetID, etag string
	items           []byte
	layout          itemLayout // of the items sent
	encoded         int        // bytes of the items encoded so far
}

// add returns the element of it for the stream of the working set: it
// records the item's id and encoded size, while the items may still be
// kept.
func (ws *workingSetRead) add(it *strata.Item) jsonAppender {
	return sizedItem{embeddedItemJSON: toEmbeddedItemJSON(it), ws: ws}
}

type sizedItem struct {
	embeddedItemJSON
	ws *workingSetRead
}

func (s sizedItem) appendJSON(b []byte) []byte {
	n := len(b)
	b = s.embeddedItemJSON.appendJSON(b)
	ws := s.ws
	if ws.over {
		return b
	}
	if ws.encoded += len(b) - n; ws.encoded > ws.limit {
		// Too large to keep: what was recorded goes, and nothing more is,
		// however many items follow.
		ws.over, ws.body, ws.layout = true, nil, itemLayout{}
		return b
	}
	ws.layout.ids = append(ws.layout.ids, s.ID)
	ws.layout.sizes = append(ws.layout.sizes, len(b)-n)
	return b
}

func workingSetKey(datasetID string) string { return "w/" + datasetID }

// workingSet starts a read of a dataset's working set answered on w.
func (c *pageCache) workingSet(w http.ResponseWriter) *workingSetRead {
	ws := &workingSetRead{recordingWriter: recordingWriter{ResponseWriter: w}, c: c}
	if c != nil {
		ws.limit = int(c.max / pageCacheEntryShare)
	}
	return ws
}

// read is told the dataset, read in the scan's snapshot before its items; it
// reports whether the cache holds the items of that snapshot (then send
// answers with them).
func (ws *workingSetRead) read(d *strata.Dataset) bool {
	if ws.c == nil || d.ETag == "" {
		return false
	}
	ws.datasetID, ws.etag = d.ID, d.ETag
	items, ok := ws.c.get(workingSetKey(d.ID), d.ETag)
	if !ok {
		return false
	}
	ws.items = items
	return true
}

// send answers with the dataset's object, prefix and end, around the kept
// items.
func (ws *workingSetRead) send(prefix []byte, end string) error {
	w := ws.ResponseWriter
	n := len(prefix) + 1 + len(ws.items) + 1 + len(end)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(n))
	w.WriteHeader(http.StatusOK)
	if n > maxPooledBody {
		// Written in parts, the items without a copy: two more writes
		// are little beside a body this size.
		for _, part := range [][]byte{prefix, {'['}, ws.items, {']'}, []byte(end)} {
			if _, err := w.Write(part); err != nil {
				return err
			}
		}
		return nil
	}
	// Assembled in a pooled buffer: one write, one system call, and no
	// garbage the size of the body on every read.
	bp, _ := bodyBuffers.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	body := append(append(append(append(append((*bp)[:0], prefix...), '['), ws.items...), ']'), end...)
	_, err := w.Write(body) // a ResponseWriter does not keep body
	*bp = body[:0]
	bodyBuffers.Put(bp)
	return err
}

// maxPooledBody is the largest response send assembles in a buffer of
// bodyBuffers, which bounds the buffers' size (up to append's rounding).
const maxPooledBody = 64 << 10

// bodyBuffers are send's buffers, reused from one read to the next.
var bodyBuffers sync.Pool

// keep keeps the items of a read that was answered in full, the response
// being prefix, the array of items, and end.
func (ws *workingSetRead) keep(prefix []byte, end string) {
	if ws.c == nil || ws.etag == "" || ws.over || ws.status != http.StatusOK {
		return
	}
	b := ws.body
	if len(b) < len(prefix)+2+len(end) || !bytes.HasPrefix(b, prefix) || b[len(prefix)] != '[' ||
		!bytes.HasSuffix(b, []byte(end)) || b[len(b)-len(end)-1] != ']' {
		return
	}
	items := b[len(prefix)+1 : len(b)-len(end)-1]
	total := max(len(ws.layout.sizes)-1, 0) // commas
	for _, n := range ws.layout.sizes {
		total += n
	}
	if total != len(items) {
		return
	}
	layout := ws.layout
	ws.c.keepWorkingSet(&pageEntry{key: workingSetKey(ws.datasetID), datasetID: ws.datasetID, tag: ws.etag,
		body: bytes.Clone(items), items: &layout})
}

// itemUpdated applies a committed update of one item to the working set
// kept for its dataset: etag is the dataset's ETag after the update, whose
// transaction counted one change, so the set kept at the count before it is
// the one the update changed, by this item only. A nil item is a change of
// the dataset that changed no item (a snapshot): the kept items carry over
// to the new ETag.
//
// Updates committed together (combined writes) are answered, and reported
// here, in any order: an update that comes before the one it follows is
// kept with the entry (maxAhead at most) until that one comes. An update
// the cache is never told of (an item created, deleted, imported) leaves
// the entry at its count: reads then miss, and keep the state they read.
func (c *pageCache) itemUpdated(datasetID, etag string, it *strata.Item) {
	n, ok := etagCount(etag)
	if c == nil || !ok || n < 1 {
		return
	}
	u := setUpdate{n: n}
	if it != nil {
		u.id, u.elem = it.ID, toEmbeddedItemJSON(it).appendJSON(nil)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[workingSetKey(datasetID)]
	if !ok {
		return
	}
	e := el.Value.(*pageEntry)
	at, ok := etagCount(e.tag)
	if !ok || e.items == nil || n <= at {
		return // a newer state already has it
	}
	i, found := slices.BinarySearchFunc(e.ahead, n, func(u setUpdate, n int64) int { return cmp.Compare(u.n, n) })
	if found {
		return
	}
	next := &pageEntry{key: e.key, datasetID: datasetID, tag: e.tag, body: e.body, items: e.items,
		ahead: slices.Insert(slices.Clone(e.ahead), i, u)}
	if next = next.advance(); next == nil {
		c.remove(el) // an item the set does not hold: keep nothing
		return
	}
	c.putLocked(next)
}

// advance applies to a working set's entry the updates it keeps that follow
// its state, in order, and returns the entry they make (with maxAhead later
// updates at most), or nil when one changed an item the set does not hold.
func (e *pageEntry) advance() *pageEntry {
	at, ok := etagCount(e.tag)
	if !ok {
		return nil
	}
	ahead := e.ahead
	for len(ahead) > 0 && ahead[0].n == at+1 {
		if e = e.updated(ahead[0]); e == nil {
			return nil
		}
		at, ahead = at+1, ahead[1:]
	}
	e.ahead = ahead[:min(len(ahead), maxAhead):min(len(ahead), maxAhead)]
	return e
}

// updated returns the entry of a working set after u, which follows it.
// It is nil when u changed an item the set does not hold.
func (e *pageEntry) updated(u setUpdate) *pageEntry {
	next := &pageEntry{key: e.key, datasetID: e.datasetID, tag: strata.DatasetETag(u.n), body: e.body, items: e.items}
	if u.id == "" {
		return next
	}
	start, i := 0, 0
	for ; i < len(e.items.ids) && e.items.ids[i] != u.id; i++ {
		start += e.items.sizes[i] + 1
	}
	if i == len(e.items.ids) {
		return nil
	}
	body := make([]byte, 0, len(e.body)-e.items.sizes[i]+len(u.elem))
	next.body = append(append(append(body, e.body[:start]...), u.elem...), e.body[start+e.items.sizes[i]:]...)
	sizes := append([]int(nil), e.items.sizes...)
	sizes[i] = len(u.elem)
	next.items = &itemLayout{ids: e.items.ids, sizes: sizes}
	return next
}
