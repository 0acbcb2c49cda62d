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
	v := &diffVisitor{
		visit: func(r *revision, side int) {
			if (at[0] != nil || at[1] != nil) && seq != r.seq {
				flush()
			}
			at[side], seq = r, r.seq
		},
		// An item on one side only is added or removed whatever its
		// content: unless it may be listed, or a filter must see it,
		// its content is not read.
		need: func(seq int64, pair bool) bool {
			return pair || !q.Filter.Empty() || (seq > q.AfterSeq && !out.More)
		},
		skip: func(side int) {
			if side == 1 {
				added++
			} else {
				removed++
			}
		},
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
	if err := read(ctx, tx, d, datasetID, a, b, limit, v); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("diff %s: %w", datasetID, err)
	}
	if at[0] != nil || at[1] != nil {
		flush()
	}
	out.Partial = v.cut
	return added, removed, modified, changedNewer, nil
}

// diffVisitor takes the changed revisions of a forward diff in item order,
// then side. A reader asks need whether an item's content must be read
// (pair: it has a revision on both sides); if so, it passes each of its
// revisions to visit, else each side to skip.
type diffVisitor struct {
	need  func(seq int64, pair bool) bool
	visit func(r *revision, side int)
	skip  func(side int)
	// rows counts the rows read; cut is set by a reader that read as many
	// as its limit: it leaves out the last item read, which may lack its
	// other side.
	rows int
	cut  bool
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
func diffRows(ctx context.Context, tx *sql.Tx, _ Dialect, datasetID string, a, b, limit int, v *diffVisitor) error {
	clause, args := limitClause(limit)
	rows, err := tx.QueryContext(ctx, `SELECT `+revisionColumns+`, 1 AS side FROM revisions WHERE `+diffAfter+`
		UNION ALL
		SELECT `+revisionColumns+`, 0 AS side FROM revisions WHERE `+diffBefore+`
		ORDER BY seq, side`+clause, append([]any{datasetID, a, b}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var item [2]*revision // the item read last, visited once the next one comes
	take := func() {
		for side, r := range item {
			if r != nil {
				v.visit(r, side)
			}
		}
		item = [2]*revision{}
	}
	for rows.Next() {
		r := &revision{}
		var side int
		if err := rows.Scan(append(r.fields(), &side)...); err != nil {
			return err
		}
		if last := item[0]; (last != nil && last.seq != r.seq) || (item[1] != nil && item[1].seq != r.seq) {
			take()
		}
		item[side] = r
		v.rows++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if v.cut = limit > 0 && v.rows == limit; !v.cut {
		take() // else the last item may lack its other side: left out
	}
	return nil
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
func diffByKeys(ctx context.Context, tx *sql.Tx, d Dialect, datasetID string, a, b, limit int, v *diffVisitor) error {
	most := limit
	if most <= 0 || most > maxSortedKeys {
		most = maxSortedKeys + 1
	}
	keys, err := diffKeys(ctx, tx, datasetID, a, b, most)
	if err != nil {
		return err
	}
	if len(keys) > maxSortedKeys {
		return diffInItemOrder(ctx, tx, d, datasetID, a, b, limit, v)
	}
	v.rows = len(keys)
	if v.cut = limit > 0 && len(keys) == limit; v.cut {
		// The last item read may lack its other side: left out.
		for last := keys[len(keys)-1].seq; len(keys) > 0 && keys[len(keys)-1].seq == last; {
			keys = keys[:len(keys)-1]
		}
	}
	// The keys whose revisions are read, a batch at a time, at most
	// diffBatch and chunkBytes of content.
	var (
		batch []diffKey
		bytes int
	)
	read := func() error {
		err := visitKeys(ctx, tx, d, batch, v)
		batch, bytes = batch[:0], 0
		return err
	}
	for i := 0; i < len(keys); {
		j, n := i+1, keys[i].bytes // an item's keys, and their bytes
		for j < len(keys) && keys[j].seq == keys[i].seq {
			n += keys[j].bytes
			j++
		}
		// The batch before is read first: what it lists decides whether
		// this item is needed.
		if len(batch) > 0 && (len(batch)+j-i > diffBatch || bytes+n > chunkBytes) {
			if err := read(); err != nil {
				return err
			}
		}
		if v.need(keys[i].seq, j-i == 2) {
			batch, bytes = append(batch, keys[i:j]...), bytes+n
		} else {
			for _, k := range keys[i:j] {
				v.skip(k.side)
			}
		}
		i = j
	}
	return read()
}

// diffBatch is the most revisions of a diff read by one statement.
const diffBatch = 500

// maxSortedKeys is the most changed revisions whose keys a diff sorts and
// holds (about 100 bytes each with SQLite's sorter: 25 MB). A diff of more
// changes than that is a large part of its dataset.
var maxSortedKeys = 250_000

// diffInItemOrderQuery reads the keys of a diff's revisions on the index of
// every revision by item (dataset_id, seq, first_version, last_version),
// which holds every column the sets test and the rowid, and gives them in
// item order: no sort, and no row of the table read.
const diffInItemOrderQuery = `SELECT rowid, seq, first_version > $2 AS side
	FROM revisions INDEXED BY revisions_seq_versions
	WHERE ` + diffInEither + ` ORDER BY seq`

// diffInItemOrder reads the changed revisions of a forward diff in item
// order without sorting or holding their keys (diffInItemOrderQuery); the
// keys of the items the visitor needs are taken diffBatch at a time, their
// sizes read, then their revisions, by rowid, at most chunkBytes at a time:
// in time of the dataset's revisions, with a batch in memory.
func diffInItemOrder(ctx context.Context, tx *sql.Tx, d Dialect, datasetID string, a, b, limit int, v *diffVisitor) error {
	clause, args := limitClause(limit)
	rows, err := tx.QueryContext(ctx, diffInItemOrderQuery+clause, append([]any{datasetID, a, b}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		item  []diffKey // the keys of the item read last, taken once the next one comes
		batch []diffKey // the keys of the items needed
	)
	read := func() error {
		if err := keySizes(ctx, tx, d, batch); err != nil {
			return err
		}
		err := visitKeys(ctx, tx, d, batch, v)
		batch = batch[:0]
		return err
	}
	take := func() error {
		if len(batch)+len(item) > diffBatch {
			if err := read(); err != nil {
				return err
			}
		}
		if v.need(item[0].seq, len(item) == 2) {
			batch = append(batch, item...)
		} else {
			for _, k := range item {
				v.skip(k.side)
			}
		}
		item = item[:0]
		return nil
	}
	for rows.Next() {
		var k diffKey
		if err := rows.Scan(&k.rowid, &k.seq, &k.side); err != nil {
			return err
		}
		if len(item) > 0 && item[0].seq != k.seq {
			if err := take(); err != nil {
				return err
			}
		}
		item = append(item, k)
		v.rows++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// When cut, the last item may lack its other side: left out.
	if v.cut = limit > 0 && v.rows == limit; !v.cut && len(item) > 0 {
		if err := take(); err != nil {
			return err
		}
	}
	return read()
}

// visitKeys reads the revisions of keys, in batches of at most diffBatch
// and chunkBytes of content (a key's bytes known), and visits them in the
// keys' order.
func visitKeys(ctx context.Context, tx *sql.Tx, d Dialect, keys []diffKey, v *diffVisitor) error {
	for start := 0; start < len(keys); {
		end, bytes := start, 0
		for end < len(keys) && end-start < diffBatch && (end == start || bytes+keys[end].bytes <= chunkBytes) {
			bytes += keys[end].bytes
			end++
		}
		revs, err := diffRevisions(ctx, tx, d, keys[start:end])
		if err != nil {
			return err
		}
		for _, k := range keys[start:end] {
			v.visit(revs[k.rowid], k.side)
		}
		observeChunk("diff", end-start, bytes)
		start = end
	}
	return nil
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
	rows, err := tx.QueryContext(ctx, `SELECT rowid, seq, 1 AS side, `+revisionBytes+` FROM revisions WHERE `+diffAfter+`
		UNION ALL
		SELECT rowid, seq, 0 AS side, `+revisionBytes+` FROM revisions WHERE `+diffBefore+`
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

// revisionBytes is the bytes of a revision's content.
const revisionBytes = `octet_length(input) + coalesce(octet_length(ground_truth), 0) + coalesce(octet_length(output), 0) +
	octet_length(metadata) + coalesce(octet_length(evaluator_result_1), 0) + coalesce(octet_length(evaluator_result_2), 0) +
	coalesce(octet_length(evaluator_result_3), 0) + coalesce(octet_length(evaluator_result_4), 0) +
	coalesce(octet_length(evaluator_result_5), 0)`

// keySizes reads the bytes of the revisions of keys, by rowid.
func keySizes(ctx context.Context, tx *sql.Tx, d Dialect, keys []diffKey) error {
	if len(keys) == 0 {
		return nil
	}
	q, args := byRowids(`SELECT rowid, `+revisionBytes+` FROM revisions`, d, keys)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	size := make(map[int64]int, len(keys))
	for rows.Next() {
		var rowid int64
		var n int
		if err := rows.Scan(&rowid, &n); err != nil {
			return err
		}
		size[rowid] = n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range keys {
		keys[i].bytes = size[keys[i].rowid]
	}
	return nil
}

// byRowids is the statement of query for the rows of keys, and its
// arguments.
func byRowids(query string, d Dialect, keys []diffKey) (string, []any) {
	var q strings.Builder
	args := make([]any, len(keys))
	q.WriteString(query + ` WHERE rowid IN (`)
	for i, k := range keys {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(d.Placeholder(i + 1))
		args[i] = k.rowid
	}
	q.WriteString(")")
	return q.String(), args
}

// diffRevisions reads the revisions of keys, by rowid.
func diffRevisions(ctx context.Context, tx *sql.Tx, d Dialect, keys []diffKey) (map[int64]*revision, error) {
	q, args := byRowids(`SELECT rowid, `+revisionColumns+` FROM revisions`, d, keys)
	rows, err := tx.QueryContext(ctx, q, args...)
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
