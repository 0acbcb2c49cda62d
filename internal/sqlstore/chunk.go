package sqlstore

import "context"
import "fmt"

import "github.com/strata-eval/strata"

// Memory is bounded by bytes, not by rows: an item may hold megabytes, so a
// chunk of a thousand items could hold gigabytes. Scans read revisions in
// chunks of at most scanChunk rows and about chunkBytes of content, and
// inserts flush at insertBatch rows or insertBatchBytes, whichever comes
// first. The row limit of the next query follows the rows that fitted in the
// last one, so a scan of large items does not ask the database for rows it
// would then drop.
var (
	chunkBytes       = 8 << 20
	insertBatchBytes = 8 << 20
)

// firstChunkRows is the row limit of a scan's first query, before sizes
// are known.
const firstChunkRows = 64

// chunkObserver, when set (by tests), is told the rows and bytes of every
// chunk read and every batch inserted.
var chunkObserver func(kind string, rows, bytes int)

func observeChunk(kind string, rows, bytes int) {
	if chunkObserver != nil && rows > 0 {
		chunkObserver(kind, rows, bytes)
	}
}

// size is about the memory a revision holds: its content and results, and
// a fixed part for its ids and numbers.
func (r *revision) size() int {
	n := 128 + len(r.input) + len(r.groundTruth.String) + len(r.output.String) +
		len(r.metadata) + len(r.splits) + len(r.externalID.String)
	for _, res := range r.results {
		n += len(res.String)
	}
	return n
}

// contentBytes is about the memory of an item's content: its texts, and a
// fixed part for the rest.
func contentBytes(input string, metadata []byte, splits []string, texts ...*string) int {
	n := 128 + len(input) + len(metadata)
	for _, sp := range splits {
		n += len(sp) + 1
	}
	for _, p := range texts {
		if p != nil {
			n += len(*p)
		}
	}
	return n
}

// pageFull reports whether a page of n changes whose items hold bytes is
// full at limit changes: a page also ends once its items hold chunkBytes,
// however few they are (but one).
func pageFull(n, bytes, limit int) bool {
	return n >= limit || (n > 0 && bytes >= chunkBytes)
}

// changeSize is about the bytes of a change's items.
func changeSize(c *strata.Change) int {
	n := 0
	for _, it := range []*strata.Item{c.Before, c.After} {
		if it != nil {
			n += contentBytes(it.Input, it.Metadata, it.Splits, it.GroundTruth, it.Output, it.ExternalID)
		}
	}
	return n
}

// chunkSizer chooses the row limit of each query of a scan.
type chunkSizer struct{ rows int }

// limit is the row limit of the next query.
func (c *chunkSizer) limit() int {
	if c.rows == 0 {
		c.rows = firstChunkRows
	}
	return c.rows
}

// readChunk runs query, whose arguments include the row limit, and reads
// its revisions into chunk until the limit or chunkBytes. more reports
// whether rows may follow the chunk.
func (c *chunkSizer) readChunk(ctx context.Context, q querier, query string, args []any, limit int, chunk []revision) (_ []revision, more bool, _ error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return chunk, false, err
	}
	defer rows.Close()
	bytes, full := 0, false
	for rows.Next() {
		var r revision
		if err := r.scan(rows); err != nil {
			return chunk, false, err
		}
		chunk = append(chunk, r)
		if bytes += r.size(); bytes >= chunkBytes {
			full = true
			break
		}
	}
	if err := rows.Err(); err != nil {
		return chunk, false, err
	}
	c.fitted(len(chunk), bytes, full)
	return chunk, full || len(chunk) == limit, nil
}

// fitted sizes the next query after one that read rows of bytes in all,
// full when it stopped at chunkBytes.
func (c *chunkSizer) fitted(rows, bytes int, full bool) {
	observeChunk("scan", rows, bytes)
	switch {
	case full:
		c.rows = max(rows, 1) // as many as fitted
	case bytes < chunkBytes/2:
		c.rows = min(2*c.rows, scanChunk)
	}
}

// Keys that scanChunks can walk revisions by: an item's order in its
// dataset, or a revision's place in its item's history.
func bySeq(r *revision) int64          { return r.seq }
func byFirstVersion(r *revision) int64 { return int64(r.firstVersion) }

// scanChunks calls fn with each chunk of revisions that query returns, in
// the order of key, query taking the key to start after (0 at first) and the
// row limit as its last two arguments.
func scanChunks(ctx context.Context, q querier, what, query string, args []any, key func(*revision) int64, fn func([]revision) error) error {
	var (
		sizer chunkSizer
		after int64
		chunk []revision
	)
	for {
		var more bool
		var err error
		limit := sizer.limit()
		chunk, more, err = sizer.readChunk(ctx, q, query, append(args, after, limit), limit, chunk[:0])
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if len(chunk) > 0 {
			if err := fn(chunk); err != nil {
				return err
			}
		}
		if !more || len(chunk) == 0 {
			return nil
		}
		after = key(&chunk[len(chunk)-1])
	}
}
