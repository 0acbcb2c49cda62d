package api

import "encoding/base64"
import "net/http"
import "net/url"
import "strconv"
import "strings"

import "github.com/strata-eval/strata"

// Paged reads. GET .../items and GET .../versions/{ref}/items take limit
// (1-1000, default 100) and cursor; with either, they answer one page,
// {items, nextCursor}, instead of the whole list. The cursor is opaque to
// clients: it holds the seq of the last item sent (a keyset, so a page costs
// the same anywhere in a version) and the count of items sent so far (so
// itemIndex runs on). search keeps the items whose input, ground truth or
// output contains it, case-insensitively.

const (
	defaultPageLimit = 100
	maxPageLimit     = 1000
)

// maxPageRead bounds the rows a page with a metadata filter reads (a
// variable for tests).
var maxPageRead = 20_000

// page is a page request.
type page struct {
	limit    int    // 0: not paged
	afterSeq int64  // from the cursor
	sent     int    // items before this page, from the cursor
	search   string // "" for all
	filter   strata.ItemFilter
}

// paged reports whether the request asks for a page.
func paged(r *request) bool {
	q := r.URL.Query()
	return q.Has("limit") || q.Has("cursor")
}

// pageQuery validates limit, cursor and search.
func pageQuery(r *request) (page, error) {
	var (
		v validator
		p page
	)
	q := r.URL.Query()
	if paged(r) {
		p.limit = v.integer("limit", queryValue(q, "limit"), 1, maxPageLimit, defaultPageLimit)
		p.afterSeq, p.sent = v.cursor(q)
	}
	if search, _ := v.str("search", queryValue(q, "search"), stringRule{min: 1, max: 1000, optional: true}); search != nil {
		p.search = *search
	}
	var err error
	p.filter, err = queryFilter(r, v.err(), true)
	return p, err
}

// encodeCursor and decodeCursor write and read a cursor: "<seq>.<sent>" in
// unpadded base64url.
func encodeCursor(seq int64, sent int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(seq, 10) + "." + strconv.Itoa(sent)))
}

// maxCursorSent bounds the count a cursor carries, far beyond any dataset
// and within the numbers JavaScript holds exactly (an itemIndex): the
// cursors the server issues decode again.
const maxCursorSent = 1 << 52

func decodeCursor(c string) (seq int64, sent int, ok bool) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(c)
	if err != nil {
		return 0, 0, false
	}
	a, z, found := strings.Cut(string(b), ".")
	if !found {
		return 0, 0, false
	}
	seq, err1 := strconv.ParseInt(a, 10, 64)
	n, err2 := strconv.ParseInt(z, 10, 64)
	if err1 != nil || err2 != nil || seq < 0 || n < 0 || n > maxCursorSent || a[0] == '+' || z[0] == '+' {
		return 0, 0, false
	}
	return seq, int(n), true
}

// cursor reads the cursor parameter, if any: the seq of the last item sent,
// and how many were sent before it.
func (v *validator) cursor(q url.Values) (afterSeq int64, sent int) {
	raw := queryValue(q, "cursor")
	if raw == nil {
		return 0, 0
	}
	c, ok := v.str("cursor", raw, stringRule{})
	if !ok {
		return 0, 0
	}
	afterSeq, sent, valid := decodeCursor(*c)
	if !valid {
		v.add("cursor", "Invalid cursor")
	}
	return afterSeq, sent
}

// writePage streams one page of a scan as {items, nextCursor}: up to
// p.limit items, each encoded with its running index, and a cursor if more
// follow.
func (s *Server) writePage(w http.ResponseWriter, r *request, q strata.ItemQuery, p page, encode func(index int, it *strata.Item) any) error {
	st := newArrayStream(w, http.StatusOK, []byte(`{"items":`))
	q.AfterSeq, q.Limit, q.Search, q.Filter = p.afterSeq, p.limit+1, p.search, p.filter
	// A metadata filter is checked on the rows read: a page reads at most
	// maxPageRead of them, and may then be short, with a cursor to go on.
	var readTo int64
	q.MaxRead, q.ReadTo = maxPageRead, &readTo
	n, more := 0, false
	var lastSeq int64
	err := s.Store.ScanItems(r.ctx(), q, func(it *strata.Item) error {
		if n == p.limit {
			more = true
			return nil
		}
		n++
		lastSeq = it.Seq
		return st.add(encode(p.sent+n, it))
	})
	if err != nil {
		return err
	}
	next := "null"
	if more {
		b, _ := marshal(encodeCursor(lastSeq, p.sent+n))
		next = string(b)
	} else if readTo > 0 {
		b, _ := marshal(encodeCursor(readTo, p.sent+n))
		next = string(b)
	}
	return st.finish(`,"nextCursor":` + next + `}`)
}

// listItemsPage answers GET .../items with limit or cursor.
func (s *Server) listItemsPage(w http.ResponseWriter, r *request, datasetID string) error {
	p, err := pageQuery(r)
	if err != nil {
		return s.afterLookup(r, datasetID, err)
	}
	q := strata.ItemQuery{ProjectID: r.principal.ProjectID, DatasetID: datasetID}
	return s.writePage(w, r, q, p, func(_ int, it *strata.Item) any { return toItemJSON(it) })
}

// GET /v1/datasets-v2/{datasetId}/versions/{versionId}/items: the items of a
// version (any ref), all of them streamed, or a page.
func (s *Server) listVersionItems(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	p, err := pageQuery(r)
	ver, err := s.pathVersion(r, ids[0], err)
	if err != nil {
		return err
	}
	if cacheVersion(w, r, ver, false) {
		return nil
	}
	return s.pages.serve(w, ids[0], versionPageKey(ids[0], ver.ID, r.URL.RawQuery), func(w http.ResponseWriter) error {
		return s.writeVersionItems(w, r, ids[0], ver, p)
	})
}

// writeVersionItems encodes the items of ver that p asks for.
func (s *Server) writeVersionItems(w http.ResponseWriter, r *request, datasetID string, ver *strata.Version, p page) error {
	q := strata.ItemQuery{ProjectID: r.principal.ProjectID, DatasetID: datasetID, Version: ver.Number}
	encode := func(index int, it *strata.Item) any { return toVersionItemJSON(ver, index, it) }
	if p.limit > 0 {
		return s.writePage(w, r, q, p, encode)
	}
	q.Search, q.Filter = p.search, p.filter
	st := newArrayStream(w, http.StatusOK, nil)
	index := 0
	err := s.Store.ScanItems(r.ctx(), q, func(it *strata.Item) error {
		index++
		return st.add(encode(index, it))
	})
	if err != nil {
		return err
	}
	return st.finish("")
}
