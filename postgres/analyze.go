package postgres

import "context"

import "github.com/strata-eval/strata"

// analyzeAfter is the size of an import after which the store refreshes
// the planner's statistics of the revisions table.
//
// Right after a large import, until autovacuum's next pass (up to a minute
// later, or never on a cluster without it), PostgreSQL plans from
// statistics that do not know of the new rows: it took a page of 100 items
// of a 100,000-item dataset to be one row away, read all 100,000 open
// revisions through revisions_last and sorted them (25 to 95 ms, against
// 0.2 ms once analyzed; BENCHMARKS.md). ANALYZE samples a fixed number of
// rows (30,000 by default), so it costs about the same on any table, far
// less than an import of this size.
const analyzeAfter = 10_000

// ImportItems imports as the shared store does, then refreshes the
// statistics of the revisions table after a large import.
func (s *Store) ImportItems(ctx context.Context, a strata.Actor, datasetID string, src strata.ItemSource, w strata.WriteOptions) (int, error) {
	n, err := s.Store.ImportItems(ctx, a, datasetID, src, w)
	if err == nil && n >= analyzeAfter {
		// The import is committed: statistics are a planning aid, and
		// autovacuum refreshes them later if this fails.
		_, _ = s.DB.ExecContext(ctx, `ANALYZE revisions`)
	}
	return n, err
}
