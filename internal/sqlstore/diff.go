package sqlstore

import "context"
import "database/sql"
import "fmt"
import "strings"

import "github.com/strata-eval/strata"

// A diff between version numbers a < b reads two sets of revisions, both
// found through the indexes on first_version and last_version:
//
//   - after: alive at b and opened after a (first_version in (a, b]);
//   - before: alive at a and closed by b (last_version in (a, b]).
//
// A revision opened and closed within (a, b] lived only in between: it is
// in neither. See diff.go in the domain for the rest.

// diffAfter and diffBefore select the two sets; $1 is the dataset, $2 a and
// $3 b.
const (
	diffAfter = `dataset_id = $1 AND first_version > $2 AND first_version <= $3
		AND (last_version IS NULL OR last_version > $3)`
	diffBefore = `dataset_id = $1 AND last_version > $2 AND last_version <= $3 AND first_version <= $2`
	// diffInEither selects both at once.
	diffInEither = `dataset_id = $1 AND (first_version > $2 AND first_version <= $3 AND (last_version IS NULL OR last_version > $3)
		OR last_version > $2 AND last_version <= $3 AND first_version <= $2)`
)

// diffSide is one end of a diff: a version, or the working set (v nil).
type diffSide struct {
	v         *strata.Version
	number    int
	itemCount int
}

func resolveDiffSide(ctx context.Context, q querier, d *strata.Dataset, ref string) (diffSide, error) {
	if ref == strata.RefWorking {
		return diffSide{number: d.CurrentVersionNumber + 1, itemCount: d.ItemCount}, nil
	}
	v, err := findVersion(ctx, q, d.ID, ref)
	if err != nil {
		return diffSide{}, err
	}
	return diffSide{v: v, number: v.Number, itemCount: v.ItemCount}, nil
}

// DiffVersions compares two versions (or the working set) of a dataset. It
// reads the two sets in item order (diffScan), pairs them by item as they
// come, counts every change and keeps the page asked for: one pass,
// O(changes) time, memory for a page and a batch of revisions (and, on
// SQLite, the changes' keys). (Pairing in SQL would need a join whose plan
// depends on statistics, which are stale for the newest versions, exactly
// those a diff most often reads.)
func (s *Store) DiffVersions(ctx context.Context, q strata.DiffQuery) (*strata.Diff, error) {
	out := &strata.Diff{Changes: []*strata.Change{}}
	err := s.read(ctx, func(tx *sql.Tx) error {
		d, err := findDataset(ctx, tx, q.ProjectID, q.DatasetID)
		if err != nil {
			return err
		}
		if err := q.Filter.Check(); err != nil {
			return err
		}
		from, err := resolveDiffSide(ctx, tx, d, q.From)
		if err != nil {
			return err
		}
		to, err := resolveDiffSide(ctx, tx, d, q.To)
		if err != nil {
			return err
		}
		out.From, out.To, out.FromNumber, out.ToNumber = from.v, to.v, from.number, to.number
		// Compute the forward diff from the older side to the newer, then
		// turn it around if asked the other way.
		older, newer, reverse := from, to, from.number > to.number
		if reverse {
			older, newer = to, from
		}
		var added, removed, modified, changedNewer int
		if older.number < newer.number {
			if added, removed, modified, changedNewer, err = diffScan(ctx, tx, s.Dialect, d.ID, older.number, newer.number, reverse, q, out); err != nil {
				return err
			}
		}
		out.Modified, out.Unchanged = modified, newer.itemCount-added-modified
		if out.Partial {
			out.Unchanged = 0 // not counted: the changes were not
		} else if !q.Filter.Empty() {
			// The matching items of the newer side, less those changed.
			v := newer.number
			if v == d.CurrentVersionNumber+1 {
				v = 0
			}
			n := 0
			err := scanRevisionsFrom(ctx, tx, revisionScan{datasetID: d.ID, version: v, filter: q.Filter},
				func(*revision) error { n++; return nil })
			if err != nil {
				return err
			}
			out.Unchanged = n - changedNewer
		}
		out.Added, out.Removed = added, removed
		if reverse {
			out.Added, out.Removed = removed, added
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// diffScan reads the changes of a forward diff (a < b), counts them, and
// puts in out the page q asks for. The revisions come in item order, then
// side (0: the item's content at a, 1 at b), and are paired as they come.
func diffScan(ctx context.Context, tx *sql.Tx, d Dialect, datasetID string, a, b int, reverse bool, q strata.DiffQuery, out *strata.Diff) (added, removed, modified, changedNewer int, err error) {
	var (
		at     [2]*revision // the current item's contents at a and b
		seq    int64        // the current item
		listed int          // bytes of the changes in out
	)
	flush := func() {
		c := change(datasetID, at[0], at[1], reverse)
		newer := at[1]
		at = [2]*revision{}
		if c == nil {
			return
		}
		if !q.Filter.Empty() {
			inNewer := newer != nil && newer.matches(q.Filter)
			if !inNewer && (c.Before == nil || !q.Filter.Matches(c.Before.Metadata, c.Before.Splits, c.Before.ExternalID)) &&
				(c.After == nil || !q.Filter.Matches(c.After.Metadata, c.After.Splits, c.After.ExternalID)) {
				return
			}
			if inNewer {
				changedNewer++
			}
		}
		switch {
		case c.Kind == strata.ChangeModified:
			modified++
		case (c.Kind == strata.ChangeAdded) != reverse:
			added++
		default:
			removed++
		}
		if c.Seq <= q.AfterSeq {
			return
		}
		if q.Limit > 0 && pageFull(len(out.Changes), listed, q.Limit) {
			out.More = true
			return
		}
		out.Changes = append(out.Changes, c)
		listed += changeSize(c)
	}
	rows := 0
	visit := func(r *revision, side int) {
		if (at[0] != nil || at[1] != nil) && seq != r.seq {
			flush()
		}
		at[side], seq = r, r.seq
		rows++
	}
	read := diffRows
	if d.SortsInMemory() {
		read = diffByKeys
	}
	// An item has a row on each side at most: the rows of MaxChanges
	// items, and one more to tell whether others follow.
	limit := 0
	if q.MaxChanges > 0 {
		limit = 2*q.MaxChanges + 1
	}
	if err := read(ctx, tx, d, datasetID, a, b, limit, visit); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("diff %s: %w", datasetID, err)
	}
	if limit > 0 && rows == limit {
		// The last item read may lack its other side: left out.
		out.Partial = true
	} else if at[0] != nil || at[1] != nil {
		flush()
	}
	return added, removed, modified, changedNewer, nil
}

// limitClause is the LIMIT of a diff's query, $4, or none.
func limitClause(limit int) (string, []any) {
	if limit <= 0 {
		return "", nil
	}
	return ` LIMIT ($4 + 0)`, []any{limit}
}

// diffRows reads the changed revisions of a forward diff with one query
// that sorts them, content and all.
func diffRows(ctx context.Context, tx *sql.Tx, _ Dialect, datasetID string, a, b, limit int, visit func(*revision, int)) error {
	clause, args := limitClause(limit)
	rows, err := tx.QueryContext(ctx, `SELECT `+revisionColumns+`, 1 AS side FROM revisions WHERE `+diffAfter+`
		UNION ALL
		SELECT `+revisionColumns+`, 0 AS side FROM revisions WHERE `+diffBefore+`
		ORDER BY seq, side`+clause, append([]any{datasetID, a, b}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r := &revision{}
		var side int
		if err := rows.Scan(append(r.fields(), &side)...); err != nil {
			return err
		}
		visit(r, side)
	}
	return rows.Err()
}

// diffByKeys reads the changed revisions of a forward diff on a database
// that would sort them in memory, content and all (a diff of 250 items of 1
// MiB took SQLite 280 MB to list one change): the database sorts their keys
// (rowid, seq, side, and the bytes of their content), which are all held,
// a few dozen bytes each, and the revisions are read by rowid a batch at a
// time, at most diffBatch and chunkBytes of content.
//
// Past maxSortedKeys keys, the diff reads the dataset's revisions in item
// order instead (diffInItemOrder): nothing sorted or held, in time of the
// dataset's revisions rather than of its changes.
func diffByKeys(ctx context.Context, tx *sql.Tx, d Dialect, datasetID string, a, b, limit int, visit func(*revision, int)) error {
	most := limit
	if most <= 0 || most > maxSortedKeys {
		most = maxSortedKeys + 1
	}
	keys, err := diffKeys(ctx, tx, datasetID, a, b, most)
	if err != nil {
		return err
	}
	if len(keys) > maxSortedKeys {
		return diffInItemOrder(ctx, tx, datasetID, a, b, limit, visit)
	}
	for start := 0; start < len(keys); {
		end, bytes := start, 0
		for end < len(keys) && end-start < diffBatch && (end == start || bytes+keys[end].bytes <= chunkBytes) {
			bytes += keys[end].bytes
			end++
		}
		batch, err := diffRevisions(ctx, tx, d, keys[start:end])
		if err != nil {
			return err
		}
		for _, k := range keys[start:end] {
			visit(batch[k.rowid], k.side)
		}
		observeChunk("diff", end-start, bytes)
		start = end
	}
	return nil
}

// diffBatch is the most revisions of a diff read by one statement.
const diffBatch = 500

// maxSortedKeys is the most changed revisions whose keys a diff sorts and
// holds (about 100 bytes each with SQLite's sorter: 25 MB). A diff of more
// changes than that is a large part of its dataset.
var maxSortedKeys = 250_000

const diffInItemOrderQuery = `SELECT ` + revisionColumns + `, first_version > $2 AS side
	FROM revisions INDEXED BY revisions_seq_versions
	WHERE ` + diffInEither + ` ORDER BY seq`

// diffInItemOrder reads the changed revisions of a forward diff on the
// index of every revision by item (dataset_id, seq, first_version,
// last_version), which holds every column the sets test and gives them in
// item order: no sort, and each row's content read as it is visited, one
// at a time.
func diffInItemOrder(ctx context.Context, tx *sql.Tx, datasetID string, a, b, limit int, visit func(*revision, int)) error {
	clause, args := limitClause(limit)
	rows, err := tx.QueryContext(ctx, diffInItemOrderQuery+clause, append([]any{datasetID, a, b}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r := &revision{}
		var side int
		if err := rows.Scan(append(r.fields(), &side)...); err != nil {
			return err
		}
		visit(r, side)
	}
	return rows.Err()
}

// diffKey is a changed revision in its place: its row, its item (seq), its
// side, and the bytes of its content.
type diffKey struct {
	rowid int64
	seq   int64
	side  int
	bytes int
}

// diffKeys reads the keys of the changed revisions of a forward diff, in
// item order, then side.
func diffKeys(ctx context.Context, tx *sql.Tx, datasetID string, a, b, limit int) ([]diffKey, error) {
	clause, args := limitClause(limit)
	const bytes = `octet_length(input) + coalesce(octet_length(ground_truth), 0) + coalesce(octet_length(output), 0) +
		octet_length(metadata) + coalesce(octet_length(evaluator_result_1), 0) + coalesce(octet_length(evaluator_result_2), 0) +
		coalesce(octet_length(evaluator_result_3), 0) + coalesce(octet_length(evaluator_result_4), 0) +
		coalesce(octet_length(evaluator_result_5), 0)`
	rows, err := tx.QueryContext(ctx, `SELECT rowid, seq, 1 AS side, `+bytes+` FROM revisions WHERE `+diffAfter+`
		UNION ALL
		SELECT rowid, seq, 0 AS side, `+bytes+` FROM revisions WHERE `+diffBefore+`
		ORDER BY seq, side`+clause, append([]any{datasetID, a, b}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []diffKey
	for rows.Next() {
		var k diffKey
		if err := rows.Scan(&k.rowid, &k.seq, &k.side, &k.bytes); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// diffRevisions reads the revisions of keys, by rowid.
func diffRevisions(ctx context.Context, tx *sql.Tx, d Dialect, keys []diffKey) (map[int64]*revision, error) {
	var q strings.Builder
	args := make([]any, len(keys))
	q.WriteString(`SELECT rowid, ` + revisionColumns + ` FROM revisions WHERE rowid IN (`)
	for i, k := range keys {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(d.Placeholder(i + 1))
		args[i] = k.rowid
	}
	q.WriteString(")")
	rows, err := tx.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	batch := make(map[int64]*revision, len(keys))
	for rows.Next() {
		var rowid int64
		r := &revision{}
		if err := rows.Scan(append([]any{&rowid}, r.fields()...)...); err != nil {
			return nil, err
		}
		batch[rowid] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(batch) != len(keys) {
		return nil, fmt.Errorf("read %d revisions of %d", len(batch), len(keys))
	}
	return batch, nil
}

// change is the change of one item from its revision at a to its revision
// at b (either may be nil), or nil when the content is the same.
func change(datasetID string, atA, atB *revision, reverse bool) *strata.Change {
	if atA != nil && atB != nil && atA.content() == atB.content() {
		return nil
	}
	before, after := atA, atB
	if reverse {
		before, after = atB, atA
	}
	c := &strata.Change{Kind: strata.ChangeModified}
	if before != nil {
		c.Before = before.item(datasetID)
		c.ItemID, c.Seq = before.itemID, before.seq
	} else {
		c.Kind = strata.ChangeAdded
	}
	if after != nil {
		c.After = after.item(datasetID)
		c.ItemID, c.Seq = after.itemID, after.seq
	} else {
		c.Kind = strata.ChangeRemoved
	}
	return c
}
