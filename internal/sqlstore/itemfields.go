package sqlstore

import "context"
import "database/sql"
import "errors"
import "fmt"
import "math"
import "strings"

import "github.com/strata-eval/strata"

// Metadata, splits and external ids are columns of the revision (see
// itemfields.go in the domain). Two structures make them findable without
// reading whole versions:
//
//   - revision_splits holds one row (revision, split, seq) per split of a
//     revision, indexed by (dataset, split, seq): a split filter walks the
//     index in item order and joins the revisions it names. Rows are
//     written with their revision and go with it (ON DELETE CASCADE); an
//     in-place edit of a draft rewrites them.
//   - a partial unique index on (dataset, external_id) of the open
//     revisions: an external id names at most one live item, and finds it.
//
// A metadata filter is applied to the revisions a scan reads (the split and
// external id conditions, when given, narrow them first): its cost is the
// items read until a page is full.

// externalIDOwner returns the live item of a dataset that has an external
// id, or "".
func externalIDOwner(ctx context.Context, q querier, datasetID, externalID string) (string, error) {
	itemID, _, err := externalIDHolder(ctx, q, datasetID, externalID)
	return itemID, err
}

// externalIDHolder is externalIDOwner, with the item's seq.
func externalIDHolder(ctx context.Context, q querier, datasetID, externalID string) (itemID string, seq int64, err error) {
	err = q.QueryRowContext(ctx, `SELECT item_id, seq FROM revisions
		WHERE dataset_id = $1 AND external_id = $2 AND last_version IS NULL`, datasetID, externalID).Scan(&itemID, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	} else if err != nil {
		return "", 0, fmt.Errorf("find external id %q: %w", externalID, err)
	}
	return itemID, seq, nil
}

// checkExternalIDFree refuses r's external id when another live item has
// it.
func checkExternalIDFree(ctx context.Context, q querier, datasetID string, r *revision) error {
	return checkExternalIDFreeFrom(ctx, q, datasetID, r, math.MaxInt64)
}

// checkExternalIDFreeFrom is checkExternalIDFree in a request that adds the
// items from seq newFrom on: an item it added that holds the id was named
// by the same file, and exists nowhere else, so the file is refused for
// naming the id twice rather than for an item no one can find.
func checkExternalIDFreeFrom(ctx context.Context, q querier, datasetID string, r *revision, newFrom int64) error {
	if !r.externalID.Valid {
		return nil
	}
	owner, seq, err := externalIDHolder(ctx, q, datasetID, r.externalID.String)
	switch {
	case err != nil:
		return err
	case owner == "" || owner == r.itemID:
		return nil
	case seq >= newFrom:
		return errDuplicateRecord("externalId", r.externalID.String)
	}
	return strata.ErrExternalIDTaken(r.externalID.String, owner)
}

// releaseExternalID frees the external id that r, an item's revision about
// to be revised (reviseRevision), gives up: the working set's own revision
// loses it in place, where reviseRevision rewrites it next; a revision that
// versions hold is closed, as reviseRevision would (closing it again is the
// same UPDATE), since its content is theirs.
func releaseExternalID(ctx context.Context, tx *sql.Tx, d *datasetRow, r *revision) error {
	old := r.saved.externalID
	if !old.Valid || r.externalID == old {
		return nil
	}
	q := `UPDATE revisions SET external_id = NULL WHERE dataset_id = $1 AND id = $2`
	args := []any{d.id, r.id}
	if r.firstVersion != d.working() {
		q = `UPDATE revisions SET last_version = $3 WHERE dataset_id = $1 AND id = $2`
		args = append(args, d.working())
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("release external id of revision %s: %w", r.id, err)
	}
	return nil
}

// errDuplicateRecord is a file that names one item twice.
func errDuplicateRecord(what, value string) error {
	return strata.Errorf(strata.EINVALID, "%s %q is in two records: a file names each item once", what, value)
}

// applyFields applies an update's Strata fields to r.
func applyFields(r *revision, u strata.ItemUpdate) error {
	if u.Metadata != nil {
		var (
			m   []byte
			err error
		)
		if u.MetadataMerge {
			m, err = strata.MergeMetadata([]byte(r.metadata), u.Metadata)
		} else {
			m, err = strata.NormalizeMetadata(u.Metadata)
		}
		if err != nil {
			return err
		}
		r.metadata = string(m)
	}
	if u.Splits != nil {
		splits, err := strata.NormalizeSplits(u.Splits)
		if err != nil {
			return err
		}
		r.splits = strata.SplitsText(splits)
	}
	if u.SetExternalID {
		if err := strata.CheckExternalID(u.ExternalID); err != nil {
			return err
		}
		r.externalID = nullOf(u.ExternalID)
	}
	return nil
}

// splitRowFields is the number of columns of a revision_splits row.
const splitRowFields = 4

// appendSplitRows appends the revision_splits rows of r to rows.
func appendSplitRows(rows []any, datasetID string, r *revision) []any {
	for _, split := range strata.SplitsOf(r.splits) {
		rows = append(rows, datasetID, r.id, split, r.seq)
	}
	return rows
}

// insertSplitRows writes revision_splits rows (splitRowFields values each).
func insertSplitRows(ctx context.Context, tx *sql.Tx, d Dialect, rows []any) error {
	for len(rows) > 0 {
		n := min(len(rows)/splitRowFields, insertBatch)
		var b strings.Builder
		b.WriteString(`INSERT INTO revision_splits (dataset_id, revision_id, split, seq) VALUES `)
		writeValues(&b, d, n, splitRowFields)
		if _, err := tx.ExecContext(ctx, b.String(), rows[:n*splitRowFields]...); err != nil {
			return fmt.Errorf("insert revision splits: %w", err)
		}
		rows = rows[n*splitRowFields:]
	}
	return nil
}

// rewriteSplits replaces the revision_splits rows of a revision edited in
// place.
func rewriteSplits(ctx context.Context, tx *sql.Tx, d Dialect, datasetID string, r *revision) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM revision_splits WHERE dataset_id = $1 AND revision_id = $2`,
		datasetID, r.id); err != nil {
		return fmt.Errorf("rewrite splits of revision %s: %w", r.id, err)
	}
	return insertSplitRows(ctx, tx, d, appendSplitRows(nil, datasetID, r))
}

// filterSQL returns the conditions of f that SQL applies to a scan of
// revisions (aliased r), with their arguments numbered after n existing
// ones. The metadata conditions are left to matches.
func filterSQL(f strata.ItemFilter, n int) (string, []any) {
	var (
		b    strings.Builder
		args []any
	)
	if f.ExternalID != nil {
		args = append(args, *f.ExternalID)
		fmt.Fprintf(&b, ` AND r.external_id = $%d`, n+len(args))
	}
	if len(f.Splits) > 0 {
		in, splits := inList(n+len(args)+1, f.Splits)
		args = append(args, splits...)
		b.WriteString(` AND EXISTS (SELECT 1 FROM revision_splits s WHERE s.dataset_id = r.dataset_id AND s.revision_id = r.id AND s.split IN (` + in + `))`)
	}
	return b.String(), args
}

// matches reports whether r passes every condition of f.
func (r *revision) matches(f strata.ItemFilter) bool {
	if f.Empty() {
		return true
	}
	return f.Matches([]byte(r.metadata), strata.SplitsOf(r.splits), ptr(r.externalID))
}
