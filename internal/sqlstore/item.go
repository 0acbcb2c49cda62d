package sqlstore

import "context"
import "database/sql"
import "encoding/json"
import "errors"
import "fmt"
import "io"
import "strings"
import "sync"
import "sync/atomic"
import "time"

import "github.com/strata-eval/strata"

// revision is one row of the revisions table: one content of one item, alive
// in versions [firstVersion, lastVersion).
type revision struct {
	id           string
	itemID       string
	seq          int64
	firstVersion int
	lastVersion  sql.NullInt64
	input        string
	groundTruth  sql.NullString
	output       sql.NullString
	results      [5]sql.NullString
	createdAt    int64
	updatedAt    int64
	metadata     string // canonical JSON object (strata.NormalizeMetadata)
	splits       string // strata.SplitsText
	externalID   sql.NullString

	// saved is the content as read from the store, nil for a revision not
	// read from it: what the content hash holds for this revision (hash.go).
	saved *revisionContent
	// counted is set on a new revision whose content hash is already in
	// its dataset's (readahead.go).
	counted bool
}

const revisionColumns = `id, item_id, seq, first_version, last_version, input, ground_truth, output,
	evaluator_result_1, evaluator_result_2, evaluator_result_3, evaluator_result_4, evaluator_result_5, created_at, updated_at,
	metadata, splits, external_id`

// fields are the scan destinations of revisionColumns.
func (r *revision) fields() []any {
	return []any{&r.id, &r.itemID, &r.seq, &r.firstVersion, &r.lastVersion, &r.input, &r.groundTruth, &r.output,
		&r.results[0], &r.results[1], &r.results[2], &r.results[3], &r.results[4], &r.createdAt, &r.updatedAt,
		&r.metadata, &r.splits, &r.externalID}
}

func (r *revision) scan(row scanner) error {
	err := row.Scan(r.fields()...)
	if err == nil {
		c := r.content()
		r.saved = &c
	}
	return err
}

func rawJSON(n sql.NullString) json.RawMessage {
	if !n.Valid {
		return nil
	}
	return json.RawMessage(n.String)
}

func (r *revision) item(datasetID string) *strata.Item {
	// One allocation holds the item and the strings its pointers name: a
	// scan makes one item per row.
	x := &struct {
		it          strata.Item
		groundTruth string
		output      string
		externalID  string
	}{groundTruth: r.groundTruth.String, output: r.output.String, externalID: r.externalID.String}
	x.it = strata.Item{
		ID: r.itemID, CreatedAt: timeOf(r.createdAt), UpdatedAt: timeOf(r.updatedAt), DatasetID: datasetID,
		Input: r.input, GroundTruth: strPtr(r.groundTruth.Valid, &x.groundTruth), Output: strPtr(r.output.Valid, &x.output),
		EvaluatorResult1: rawJSON(r.results[0]), EvaluatorResult2: rawJSON(r.results[1]),
		EvaluatorResult3: rawJSON(r.results[2]), EvaluatorResult4: rawJSON(r.results[3]),
		EvaluatorResult5: rawJSON(r.results[4]),
		Metadata:         json.RawMessage(r.metadata), Splits: strata.SplitsOf(r.splits),
		ExternalID: strPtr(r.externalID.Valid, &x.externalID),
		RevisionID: r.id, Seq: r.seq,
	}
	return &x.it
}

// strPtr is p when valid, else nil.
func strPtr(valid bool, p *string) *string {
	if !valid {
		return nil
	}
	return p
}

// scanChunk is the most revisions a scan reads per query; chunkBytes
// (chunk.go) bounds their size. Scans read whole chunks before calling back,
// so the callback may use the same transaction.
const scanChunk = 1000

// scanRevisions calls fn for each revision alive in version v (0: working) of
// a dataset, in item order.
func scanRevisions(ctx context.Context, q querier, datasetID string, v int, fn func(*revision) error) error {
	return scanRevisionsFrom(ctx, q, revisionScan{datasetID: datasetID, version: v}, fn)
}

type revisionScan struct {
	datasetID string
	version   int
	afterSeq  int64
	beforeSeq int64  // 0: no bound
	limit     int    // 0: all
	search    string // LIKE pattern, or ""
	filter    strata.ItemFilter
	maxRead   int    // with a metadata filter: rows to read at most, 0 for no bound
	readTo    *int64 // set to where a bounded scan stopped early
}

// revisionColumnsOf is revisionColumns qualified by a table alias.
func revisionColumnsOf(alias string) string {
	cols := strings.Split(revisionColumns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

func scanRevisionsFrom(ctx context.Context, q querier, rs revisionScan, fn func(*revision) error) error {
	// $1 dataset, $2 seq after, $3 limit, then the version and the search.
	// A split filter walks the split index in item order (itemfields.go).
	query, args := `SELECT `+revisionColumnsOf("r")+` FROM revisions r WHERE r.dataset_id = $1 AND r.seq > $2`, []any{rs.datasetID, 0, 0}
	// The limit is an expression, never a bare parameter (in every query of
	// this package): SQLite (3.47 and later) plans a statement for the value
	// bound to a bare LIMIT parameter and plans it again, parsing included,
	// whenever the next value differs, which defeats the statement cache
	// (sqlite/stmtcache.go).
	order := ` ORDER BY r.seq LIMIT ($3 + 0)`
	filter := rs.filter
	if len(filter.Splits) > 0 {
		query = `SELECT ` + revisionColumnsOf("r") + ` FROM revision_splits s
			JOIN revisions r ON r.dataset_id = s.dataset_id AND r.id = s.revision_id
			WHERE s.dataset_id = $1 AND s.seq > $2`
		order = ` ORDER BY s.seq LIMIT ($3 + 0)`
		if len(filter.Splits) == 1 { // one range of the index, already in item order
			args = append(args, filter.Splits[0])
			query += fmt.Sprintf(` AND s.split = $%d`, len(args))
		} else {
			in, splits := inList(len(args)+1, filter.Splits)
			args = append(args, splits...)
			query += ` AND s.split IN (` + in + `)`
		}
		filter.Splits = nil
	}
	if rs.version == 0 {
		query += ` AND r.last_version IS NULL`
	} else {
		args = append(args, rs.version)
		query += fmt.Sprintf(` AND r.first_version <= $%[1]d AND (r.last_version IS NULL OR r.last_version > $%[1]d)`, len(args))
	}
	if rs.beforeSeq > 0 {
		args = append(args, rs.beforeSeq)
		if len(rs.filter.Splits) > 0 {
			query += fmt.Sprintf(` AND s.seq < $%d`, len(args))
		} else {
			query += fmt.Sprintf(` AND r.seq < $%d`, len(args))
		}
	}
	if rs.search != "" {
		args = append(args, rs.search)
		query += fmt.Sprintf(` AND (lower(r.input) LIKE $%[1]d ESCAPE '\' OR lower(coalesce(r.ground_truth, '')) LIKE $%[1]d ESCAPE '\'
			OR lower(coalesce(r.output, '')) LIKE $%[1]d ESCAPE '\')`, len(args))
	}
	cond, condArgs := filterSQL(strata.ItemFilter{ExternalID: filter.ExternalID}, len(args))
	query += cond + order
	args = append(args, condArgs...)
	after, left := rs.afterSeq, rs.limit
	bounded := rs.maxRead > 0 && len(rs.filter.Metadata) > 0
	total := 0 // rows read
	var (
		chunk []revision
		sizer chunkSizer // chunk.go
	)
	for {
		n := sizer.limit()
		if rs.limit > 0 && left < n && len(rs.filter.Metadata) == 0 {
			n = left
		}
		if n == 0 || (rs.limit > 0 && left == 0) {
			return nil
		}
		if bounded {
			if total >= rs.maxRead {
				if rs.readTo != nil {
					*rs.readTo = after
				}
				return nil
			}
			n = min(n, rs.maxRead-total)
		}
		args[1], args[2] = after, n
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("scan revisions of %s: %w", rs.datasetID, err)
		}
		chunk = chunk[:0]
		read, bytes, full := 0, 0, false
		for rows.Next() {
			var r revision
			if err := r.scan(rows); err != nil {
				rows.Close()
				return fmt.Errorf("scan revisions of %s: %w", rs.datasetID, err)
			}
			read++
			total++
			after = r.seq
			// A revision in two of the splits asked for comes twice.
			dup := len(chunk) > 0 && chunk[len(chunk)-1].seq == r.seq
			if !dup && (len(rs.filter.Metadata) == 0 || r.matches(strata.ItemFilter{Metadata: rs.filter.Metadata})) {
				chunk = append(chunk, r)
			}
			if bytes += r.size(); bytes >= chunkBytes {
				full = true
				break
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("scan revisions of %s: %w", rs.datasetID, err)
		}
		sizer.fitted(read, bytes, full)
		for i := range chunk {
			if rs.limit > 0 && left == 0 {
				return nil
			}
			if err := fn(&chunk[i]); err != nil {
				return err
			}
			left--
		}
		if !full && read < n {
			return nil
		}
	}
}

// ScanItems calls fn for each item of a version, in item order.
func (s *Store) ScanItems(ctx context.Context, q strata.ItemQuery, fn func(*strata.Item) error) error {
	return s.read(ctx, func(tx *sql.Tx) error {
		d, rs, err := planItemScan(ctx, tx, q)
		if err != nil {
			return err
		}
		return scanRevisionsFrom(ctx, tx, rs, func(r *revision) error { return fn(r.item(d.ID)) })
	})
}

// planItemScan reads the dataset q names and checks q: the revisions to scan.
func planItemScan(ctx context.Context, tx *sql.Tx, q strata.ItemQuery) (*strata.Dataset, revisionScan, error) {
	d, err := findDataset(ctx, tx, q.ProjectID, q.DatasetID)
	if err != nil {
		return nil, revisionScan{}, err
	}
	if q.Version < 0 || q.Version > d.CurrentVersionNumber {
		return nil, revisionScan{}, strata.ErrVersionNotFound
	}
	if err := q.Filter.Check(); err != nil {
		return nil, revisionScan{}, err
	}
	rs := revisionScan{datasetID: d.ID, version: q.Version, afterSeq: q.AfterSeq, beforeSeq: q.BeforeSeq, limit: q.Limit, filter: q.Filter,
		maxRead: q.MaxRead, readTo: q.ReadTo}
	if q.Search != "" {
		rs.search = likePattern(q.Search)
	}
	return d, rs, nil
}

// openRevision returns the working revision of an item.
func openRevision(ctx context.Context, q querier, datasetID, itemID string) (*revision, error) {
	if !validID(itemID) {
		return nil, strata.ErrItemNotFound
	}
	var r revision
	err := r.scan(q.QueryRowContext(ctx, `SELECT `+revisionColumns+` FROM revisions
		WHERE dataset_id = $1 AND item_id = $2 AND last_version IS NULL`, datasetID, itemID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, strata.ErrItemNotFound
	} else if err != nil {
		return nil, fmt.Errorf("find item %s: %w", itemID, err)
	}
	return &r, nil
}

// FindItem returns an item of the working version, in one statement
// (readone.go).
func (s *Store) FindItem(ctx context.Context, projectID, datasetID, itemID string) (*strata.Item, error) {
	return s.findItemOnce(ctx, projectID, datasetID, itemID)
}

// checkContent rejects item text that not every store can keep.
func checkContent(input string, groundTruth, output sql.NullString) error {
	if err := strata.CheckText("input", input); err != nil {
		return err
	}
	if err := strata.CheckText("groundTruth", groundTruth.String); err != nil {
		return err
	}
	return strata.CheckText("output", output.String)
}

// newRevision returns a draft of a new item of d.
func newRevision(d *datasetRow, in strata.ItemInput, now int64) (*revision, error) {
	r, err := prepareRevision(in, d.nextSeq, d.working(), now)
	if err != nil {
		return nil, err
	}
	d.added()
	return r, nil
}

// prepareRevision returns a draft of a new item with sequence number seq,
// in version first onwards, written at now.
func prepareRevision(in strata.ItemInput, seq int64, first int, now int64) (*revision, error) {
	if err := strata.NormalizeInput(&in); err != nil {
		return nil, err
	}
	r := &revision{
		id: strata.NewID(), itemID: strata.NewID(), seq: seq, firstVersion: first,
		input: in.Input, groundTruth: nullOf(in.GroundTruth), output: nullOf(in.Output),
		createdAt: now, updatedAt: now,
		metadata: string(in.Metadata), splits: strata.SplitsText(in.Splits), externalID: nullOf(in.ExternalID),
	}
	if err := checkContent(r.input, r.groundTruth, r.output); err != nil {
		return nil, err
	}
	return r, nil
}

func nullOf(p *string) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *p, Valid: true}
}

// CreateItem adds an item to the working version.
func (s *Store) CreateItem(ctx context.Context, a strata.Actor, datasetID string, in strata.ItemInput, w strata.WriteOptions) (*strata.Item, error) {
	var it *strata.Item
	err := s.mutate(ctx, a, datasetID, false, func(tx *sql.Tx, d *datasetRow, now int64) error {
		r, err := newRevision(d, in, now)
		if err != nil {
			return err
		}
		if err := checkExternalIDFree(ctx, tx, d.id, r); err != nil {
			return err
		}
		ins := s.newRevisionInserter(tx, d)
		if err := ins.add(ctx, r); err != nil {
			return err
		}
		if err := ins.flush(ctx); err != nil {
			return err
		}
		it = r.item(d.id)
		return s.finish(ctx, tx, a, d, w, now)
	})
	return it, err
}

// finish saves d's counters and, unless w skips it, snapshots.
func (s *Store) finish(ctx context.Context, tx *sql.Tx, a strata.Actor, d *datasetRow, w strata.WriteOptions, now int64) error {
	if err := touch(ctx, tx, d, now); err != nil {
		return err
	}
	if w.SkipVersion {
		return nil
	}
	_, err := s.snapshot(ctx, tx, a, d, snapshotOptions{}, now)
	return err
}

// UpdateItem edits an item of the working version: in place if it is a draft,
// else as a new revision, leaving the old one to the versions that hold it.
func (s *Store) UpdateItem(ctx context.Context, a strata.Actor, datasetID, itemID string, u strata.ItemUpdate, w strata.WriteOptions) (*strata.Item, error) {
	var it *strata.Item
	err := s.mutate(ctx, a, datasetID, false, func(tx *sql.Tx, d *datasetRow, now int64) error {
		r, err := openRevision(ctx, tx, d.id, itemID)
		if err != nil {
			return err
		}
		if u.Input != nil {
			r.input = *u.Input
		}
		if u.SetGroundTruth {
			r.groundTruth = nullOf(u.GroundTruth)
		}
		if u.SetOutput {
			r.output = nullOf(u.Output)
		}
		if err := checkContent(r.input, r.groundTruth, r.output); err != nil {
			return err
		}
		if err := applyFields(r, u); err != nil {
			return err
		}
		if err := checkExternalIDFree(ctx, tx, d.id, r); err != nil {
			return err
		}
		r.updatedAt = now
		if err := s.reviseRevision(ctx, tx, d, r); err != nil {
			return err
		}
		it = r.item(d.id)
		return s.finish(ctx, tx, a, d, w, now)
	})
	return it, err
}

// reviseRevision stores r, the new content of an open revision: in place when
// it is a draft of the working version, else by closing the frozen revision
// and opening r as a new one. r must have been read from the store (its
// saved content is what the content hash holds).
func (s *Store) reviseRevision(ctx context.Context, tx *sql.Tx, d *datasetRow, r *revision) error {
	if r.saved == nil {
		return fmt.Errorf("revise revision %s: not read from the store", r.id)
	}
	if r.firstVersion == d.working() {
		r.saved.subHash(&d.hash, r.itemID)
		r.addHash(&d.hash)
		oldSplits := r.saved.splits
		c := r.content()
		r.saved = &c
		_, err := tx.ExecContext(ctx, `UPDATE revisions SET input = $1, ground_truth = $2, output = $3,
			evaluator_result_1 = $4, evaluator_result_2 = $5, evaluator_result_3 = $6, evaluator_result_4 = $7,
			evaluator_result_5 = $8, updated_at = $9, metadata = $10, splits = $11, external_id = $12
			WHERE dataset_id = $13 AND id = $14`,
			r.input, r.groundTruth, r.output, r.results[0], r.results[1], r.results[2], r.results[3], r.results[4],
			r.updatedAt, r.metadata, r.splits, r.externalID, d.id, r.id)
		if s.Dialect.IsUnique(err) {
			return errExternalIDClash
		} else if err != nil {
			return fmt.Errorf("update revision %s: %w", r.id, err)
		}
		if oldSplits != r.splits {
			return rewriteSplits(ctx, tx, s.Dialect, d.id, r)
		}
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE revisions SET last_version = $1 WHERE dataset_id = $2 AND id = $3`,
		d.working(), d.id, r.id); err != nil {
		return fmt.Errorf("close revision %s: %w", r.id, err)
	}
	r.saved.subHash(&d.hash, r.itemID)
	r.id, r.firstVersion = strata.NewID(), d.working()
	ins := s.newRevisionInserter(tx, d)
	if err := ins.add(ctx, r); err != nil {
		return err
	}
	c := r.content()
	r.saved = &c
	return ins.flush(ctx)
}

// DeleteItem removes an item from the working version.
func (s *Store) DeleteItem(ctx context.Context, a strata.Actor, datasetID, itemID string, w strata.WriteOptions) error {
	return s.mutate(ctx, a, datasetID, false, func(tx *sql.Tx, d *datasetRow, now int64) error {
		r, err := openRevision(ctx, tx, d.id, itemID)
		if err != nil {
			return err
		}
		if err := closeRevision(ctx, tx, d, r); err != nil {
			return err
		}
		d.itemCount--
		return s.finish(ctx, tx, a, d, w, now)
	})
}

// closeRevision takes an open revision out of the working version: a draft is
// deleted, a revision some version holds is closed. r must have been read
// from the store.
func closeRevision(ctx context.Context, tx *sql.Tx, d *datasetRow, r *revision) error {
	if r.saved == nil {
		return fmt.Errorf("close revision %s: not read from the store", r.id)
	}
	var err error
	if r.firstVersion == d.working() {
		_, err = tx.ExecContext(ctx, `DELETE FROM revisions WHERE dataset_id = $1 AND id = $2`, d.id, r.id)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE revisions SET last_version = $1 WHERE dataset_id = $2 AND id = $3`,
			d.working(), d.id, r.id)
	}
	if err != nil {
		return fmt.Errorf("delete revision %s: %w", r.id, err)
	}
	r.saved.subHash(&d.hash, r.itemID)
	return nil
}

// ImportItems appends the items src yields, all or nothing.
func (s *Store) ImportItems(ctx context.Context, a strata.Actor, datasetID string, src strata.ItemSource, w strata.WriteOptions) (int, error) {
	n := 0
	start := time.Now()
	err := s.mutate(ctx, a, datasetID, true, func(tx *sql.Tx, d *datasetRow, now int64) error {
		ins := s.newBulkInserter(tx, d)
		firstSeq := d.nextSeq
		ahead := prepareAhead(src, d.nextSeq, d.working(), now, &d.hash)
		defer ahead.close()
		for {
			r, err := ahead.next()
			if err == io.EOF {
				break
			} else if err != nil {
				return repanic(err)
			}
			d.added()
			if err := checkExternalIDFreeFrom(ctx, tx, d.id, r, firstSeq); err != nil {
				return err
			}
			if err := ins.add(ctx, r); err != nil {
				return err
			}
			n++
		}
		if err := ins.flush(ctx); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		return s.finish(ctx, tx, a, d, w, now)
	})
	if err != nil {
		return 0, err
	}
	s.imported(n, start)
	return n, nil
}

// insertBatch is the most revisions one INSERT statement writes, and
// copyBatch one bulk load; insertBatchBytes (chunk.go) bounds their size.
const (
	insertBatch = 500
	copyBatch   = 5000
)

// revisionInserter writes revisions of a dataset in multi-row INSERTs, and
// adds each open one to the dataset's content hash.
type revisionInserter struct {
	tx        *sql.Tx
	dialect   Dialect
	d         *datasetRow
	datasetID string
	// dataset, created and updated are values every row of an inserter
	// shares or mostly does, boxed once (values).
	dataset, created, updated any
	rows                      []any // revisionFields values a revision
	n                         int
	// uniform is set while the revisions in rows share the shared values,
	// open and with no results; args holds their arguments then.
	uniform bool
	shared  sharedValues
	args    []any
	// fullShared is the INSERT of a full uniform batch sharing fullSharedOf.
	fullShared   string
	fullSharedOf sharedValues
	bytes        int   // size of the revisions in rows
	splitRows    []any // revision_splits rows of the revisions in rows
	// externalIDs are the external ids of the revisions in rows, and the
	// items that have them: two new items of one batch may not share one.
	externalIDs map[string]string
	maxRows     int
	maxBytes    int
	// copy, when set, writes batches of minCopyRows or more (copy.go).
	copy   Copier
	conn   *sql.Conn
	copied *atomic.Int64
}

func (s *Store) newRevisionInserter(tx *sql.Tx, d *datasetRow) *revisionInserter {
	return &revisionInserter{tx: tx, dialect: s.Dialect, d: d, datasetID: d.id, maxRows: insertBatch, maxBytes: insertBatchBytes}
}

// newBulkInserter is a revisionInserter for many revisions: through the
// dialect's bulk load when it has one, in batches of up to copyBatch rows
// and a quarter of the bytes of an INSERT's (2 MiB): the driver holds a
// copy of what it sends meanwhile, and the import prepares the next batch
// while the database takes one (readahead.go), which it can do only for a
// batch smaller than what it prepares ahead.
func (s *Store) newBulkInserter(tx *sql.Tx, d *datasetRow) *revisionInserter {
	ins := s.newRevisionInserter(tx, d)
	if ins.copy, ins.conn = s.copier(tx); ins.copy != nil {
		ins.maxRows, ins.maxBytes, ins.copied = copyBatch, insertBatchBytes/4, &s.copied
	}
	return ins
}

// revisionFields is the number of columns an insert writes per revision.
const revisionFields = 19

// errExternalIDClash is the conflict of a write that the unique index of
// open external ids refused (two new items of one request with one id).
var errExternalIDClash = strata.Errorf(strata.ECONFLICT, "externalId is already used by another item of the dataset")

func (ins *revisionInserter) add(ctx context.Context, r *revision) error {
	if !r.lastVersion.Valid {
		if !r.counted {
			r.addHash(&ins.d.hash)
		}
		if r.externalID.Valid {
			if ins.externalIDs == nil {
				ins.externalIDs = map[string]string{}
			}
			if owner, ok := ins.externalIDs[r.externalID.String]; ok && owner != r.itemID {
				return errDuplicateRecord("externalId", r.externalID.String) // two new items of one request
			}
			ins.externalIDs[r.externalID.String] = r.itemID
		}
	}
	if ins.n == 0 {
		ins.shared = sharedValues{firstVersion: r.firstVersion, createdAt: r.createdAt, updatedAt: r.updatedAt}
		ins.uniform = true
	}
	ins.uniform = ins.uniform && ins.shared.holds(r)
	ins.rows = ins.values(ins.rows, r)
	ins.splitRows = appendSplitRows(ins.splitRows, ins.datasetID, r)
	ins.n++
	if ins.bytes += r.size(); ins.n == ins.maxRows || ins.bytes >= ins.maxBytes {
		return ins.flush(ctx)
	}
	return nil
}

// values appends the revisionFields values of r. Each is boxed in an
// interface, which allocates for most values, and an import boxes 19 of
// them per row on its transaction's goroutine: so NULLs are nil rather than
// sql.Null values (which the driver would ask for their value, boxing it
// again), the dataset's id is boxed once, and the times once per value.
func (ins *revisionInserter) values(dst []any, r *revision) []any {
	if ins.dataset == nil {
		ins.dataset = ins.datasetID
	}
	if ins.created != r.createdAt {
		ins.created = r.createdAt
	}
	if ins.updated != r.updatedAt {
		ins.updated = r.updatedAt
	}
	metadata := any(r.metadata)
	if r.metadata == "{}" {
		metadata = emptyMetadata
	}
	return append(dst, r.id, ins.dataset, r.itemID, r.seq, r.firstVersion, intArg(r.lastVersion),
		r.input, textArg(r.groundTruth), textArg(r.output),
		textArg(r.results[0]), textArg(r.results[1]), textArg(r.results[2]), textArg(r.results[3]), textArg(r.results[4]),
		ins.created, ins.updated, metadata, r.splits, textArg(r.externalID))
}

// emptyMetadata is the metadata of most items, boxed once.
var emptyMetadata any = "{}"

// textArg and intArg are the value of a nullable column: nil for NULL.
func textArg(v sql.NullString) any {
	if !v.Valid {
		return nil
	}
	return v.String
}

func intArg(v sql.NullInt64) any {
	if !v.Valid {
		return nil
	}
	return v.Int64
}

// A full batch of new open revisions made at once (an import) shares its
// first version and times, and has no results: its INSERT writes those as
// literals, numbers and NULL, and binds 10 values a row instead of 19.
// Binding the values was a fifth of the CPU of an import's transaction with
// short items. Only a full batch: the statement is new for each import, and
// one of a few rows, a single write's, would be parsed again each time.
// (Parameters named once and used in every row would bind fewer still, but
// SQLite looks each name up in a list of all of them: binding 4,500 of them
// took longer than the insert.)

// sharedValues are the values every revision of a uniform batch shares.
type sharedValues struct {
	firstVersion         int
	createdAt, updatedAt int64
}

// holds reports whether r shares them, and is open with no results.
func (v sharedValues) holds(r *revision) bool {
	return r.firstVersion == v.firstVersion && r.createdAt == v.createdAt && r.updatedAt == v.updatedAt &&
		!r.lastVersion.Valid && r.results == [5]sql.NullString{}
}

// revisionVarying are the indexes, in a row of revisionFields values, of
// the values a uniform batch binds for each revision.
var revisionVarying = [...]int{0, 1, 2, 3, 6, 7, 8, 16, 17, 18}

// sharedArgs are the arguments of the uniform batch's INSERT.
func (ins *revisionInserter) sharedArgs() []any {
	ins.args = ins.args[:0]
	for i := 0; i < ins.n; i++ {
		row := ins.rows[i*revisionFields : (i+1)*revisionFields]
		for _, j := range revisionVarying {
			ins.args = append(ins.args, row[j])
		}
	}
	return ins.args
}

// sharedStatement is the INSERT of a full uniform batch, built once per
// inserter and shared values.
func (ins *revisionInserter) sharedStatement() string {
	if ins.fullShared != "" && ins.fullSharedOf == ins.shared {
		return ins.fullShared
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO revisions (id, dataset_id, ` + strings.Replace(revisionColumns, "id, ", "", 1) + `) VALUES `)
	v := ins.shared
	for i := 0; i < ins.n; i++ {
		p := func(k int) string { return ins.dialect.Placeholder(i*len(revisionVarying) + k + 1) }
		if i > 0 {
			b.WriteString(", ")
		}
		// id, dataset_id, item_id, seq, first_version, last_version, input,
		// ground_truth, output, 5 results, created_at, updated_at,
		// metadata, splits, external_id
		fmt.Fprintf(&b, "(%s, %s, %s, %s, %d, NULL, %s, %s, %s, NULL, NULL, NULL, NULL, NULL, %d, %d, %s, %s, %s)",
			p(0), p(1), p(2), p(3), v.firstVersion, p(4), p(5), p(6), v.createdAt, v.updatedAt, p(7), p(8), p(9))
	}
	ins.fullShared, ins.fullSharedOf = b.String(), v
	return ins.fullShared
}

// fullInserts keeps the statement of a full batch (insertBatch rows, 9,500
// placeholders) of each placeholder style: built once, not per batch.
var fullInserts sync.Map // placeholder style -> string

func insertStatement(d Dialect, n int) string {
	if n == insertBatch {
		style := d.Placeholder(2)
		if q, ok := fullInserts.Load(style); ok {
			return q.(string)
		}
		q := buildInsertStatement(d, n)
		fullInserts.Store(style, q)
		return q
	}
	return buildInsertStatement(d, n)
}

func buildInsertStatement(d Dialect, n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO revisions (id, dataset_id, ` + strings.Replace(revisionColumns, "id, ", "", 1) + `) VALUES `)
	writeValues(&b, d, n, revisionFields)
	return b.String()
}

// writeValues writes the placeholders of the VALUES list of a multi-row
// INSERT: n rows of fields values each, numbered from 1.
func writeValues(b *strings.Builder, d Dialect, n, fields int) {
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := 0; j < fields; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.Placeholder(i*fields + j + 1))
		}
		b.WriteByte(')')
	}
}

func (ins *revisionInserter) flush(ctx context.Context) error {
	if ins.n == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil { // the request ended: write no more
		return err
	}
	if ins.copy != nil && ins.n >= minCopyRows {
		if err := ins.copyRevisions(ctx); err != nil {
			return err
		}
	} else if err := ins.insertRevisions(ctx); err != nil {
		return err
	}
	if err := insertSplitRows(ctx, ins.tx, ins.dialect, ins.splitRows); err != nil {
		return err
	}
	observeChunk("insert", ins.n, ins.bytes)
	clear(ins.rows) // the flushed contents are garbage now
	clear(ins.args)
	ins.rows, ins.splitRows, ins.n, ins.bytes = ins.rows[:0], ins.splitRows[:0], 0, 0
	clear(ins.externalIDs)
	return nil
}

// statement is the multi-row INSERT of the inserter's rows, and its
// arguments.
func (ins *revisionInserter) statement() (string, []any) {
	if ins.uniform && ins.n == insertBatch {
		return ins.sharedStatement(), ins.sharedArgs()
	}
	return insertStatement(ins.dialect, ins.n), ins.rows
}

// insertRevisions writes the inserter's rows in one multi-row INSERT.
//
// The INSERT runs to its end once started: it is bounded (insertBatch rows,
// insertBatchBytes), and flush checks the context before it. A cancelable
// context would have the driver watch it for the statement alone, with a
// goroutine of its own, started and woken for each of an import's
// thousands of statements: under load, the transaction's goroutine then
// waited to be scheduled again (BENCHMARKS.md, twelfth round).
func (ins *revisionInserter) insertRevisions(ctx context.Context) error {
	q, args := ins.statement()
	if _, err := ins.tx.ExecContext(context.WithoutCancel(ctx), q, args...); ins.dialect.IsUnique(err) {
		return errExternalIDClash
	} else if err != nil {
		return fmt.Errorf("insert revisions: %w", err)
	}
	return nil
}
