package strata

import "context"
import "strconv"
import "strings"
import "sync"

// ETags.
//
// A dataset's ETag is a counter that every mutation of the dataset (its
// names, items, versions, tags, evaluators) increments, in the transaction
// that makes the change. A client that sends it back as If-Match gets its
// change applied only if nothing changed the dataset in between.

// ErrPrecondition is a mutation refused because the dataset's ETag no longer
// matches the request's If-Match.
var ErrPrecondition = &Error{Code: EPRECONDITION, Message: "The dataset has changed: its ETag no longer matches If-Match"}

// Condition is the conditional write of one request: the If-Match it sent,
// and the ETag its mutations left. A caller attaches it to the context of its
// writes with WithCondition; it lives as long as that context (an HTTP
// request's), and writes made under another context (an evaluator run going
// on in the background) neither check nor report it.
//
// The first mutation of an existing dataset made under it fails with
// ErrPrecondition, changing nothing, unless the dataset's ETag matches
// IfMatch at the time of the write, under the dataset's lock. Once a mutation
// commits, the condition has been met: a request that writes twice is checked
// once, at its first write. Each mutation that commits records the dataset's
// new ETag, which ETag returns: what the response sends back.
//
// A Condition is safe for concurrent use.
type Condition struct {
	IfMatch string // the header: "*", or ETags separated by commas; "": none

	mu   sync.Mutex
	met  bool   // a mutation under the condition committed
	etag string // the ETag the last committed mutation left
}

type conditionKey struct{}

// WithCondition returns a context whose dataset mutations check and report
// to c.
func WithCondition(ctx context.Context, c *Condition) context.Context {
	return context.WithValue(ctx, conditionKey{}, c)
}

// ConditionOf returns the Condition of ctx, or nil: no condition, and
// nothing to report to. The methods of a nil Condition are no-ops.
func ConditionOf(ctx context.Context) *Condition {
	c, _ := ctx.Value(conditionKey{}).(*Condition)
	return c
}

// Holds reports whether a mutation of a dataset whose ETag is etag may go
// on. The store asks it under the dataset's lock.
func (c *Condition) Holds(etag string) bool {
	if c == nil {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.IfMatch == "" || c.met || ETagMatches(c.IfMatch, etag)
}

// Committed records that a mutation under c committed, leaving the dataset
// with etag ("" when it deleted the dataset). The store calls it.
func (c *Condition) Committed(etag string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.met = true
	if etag != "" {
		c.etag = etag
	}
}

// ETag returns the ETag the last mutation under c left, or "" when none
// committed.
func (c *Condition) ETag() string {
	if c == nil {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.etag
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
