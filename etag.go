package strata

import (
	"strconv"
	"strings"
)

// ETags.
//
// A dataset's ETag is a counter that every mutation of the dataset (its
// names, items, versions, tags, evaluators) increments, in the transaction
// that makes the change. A client that sends it back as If-Match gets its
// change applied only if nothing changed the dataset in between.

// ErrPrecondition is a mutation refused because the dataset's ETag no longer
// matches the request's If-Match.
var ErrPrecondition = &Error{Code: EPRECONDITION, Message: "The dataset has changed: its ETag no longer matches If-Match"}

// Precondition is a request's If-Match. It guards the first mutation made
// with it: that mutation fails with ErrPrecondition, changing nothing, unless
// the dataset's ETag matches at the time of the write, under the dataset's
// lock. Once a mutation commits, the precondition is spent: it is shared by
// the copies of the Actor that carry it, so a request that writes twice (an
// evaluator run, which records its start and then its results) is checked
// once, at its first write.
type Precondition struct {
	IfMatch string // the header: "*", or ETags separated by commas
	spent   bool
}

// Holds reports whether a mutation of a dataset whose ETag is etag may go on.
func (p *Precondition) Holds(etag string) bool {
	return p == nil || p.spent || ETagMatches(p.IfMatch, etag)
}

// Spend records that a mutation guarded by p has committed.
func (p *Precondition) Spend() {
	if p != nil {
		p.spent = true
	}
}

// DatasetETag is the ETag of a dataset that has seen n mutations.
func DatasetETag(n int64) string { return `"` + strconv.FormatInt(n, 10) + `"` }

// ETagMatches reports whether an If-Match header value matches etag: "*", or
// a comma-separated list holding etag. Weak tags (W/"...") never match, as
// RFC 9110 requires of If-Match.
func ETagMatches(ifMatch, etag string) bool {
	for _, t := range strings.Split(ifMatch, ",") {
		if t = strings.TrimSpace(t); t == "*" || t == etag {
			return true
		}
	}
	return false
}
