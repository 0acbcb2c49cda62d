package sqlstore

import "context"
import "database/sql"
import "errors"
import "fmt"

import "github.com/strata-eval/strata"

// Every mutation of a dataset runs in lockedWrite: it locks the dataset row
// and counts the change in one statement (the count is the dataset's ETag,
// bumped before fn so that a dataset fn reads back carries the new one),
// refuses the change if the Condition of its context (the caller's If-Match)
// does not hold for the count before it,
// and after fn saves the content hash that the revision writes kept
// (hash.go), unless touch already did.

// lockOptions says how lockedWrite runs its transaction; the zero value
// counts a change that may be run again.
type lockOptions struct {
	// once: a transaction that lost a race is not run again (its input
	// cannot be replayed).
	once bool
	// keepETag: the transaction changes nothing of the dataset it locks (it
	// reads it, or writes rows of its own such as a run's); it checks no
	// Condition and leaves the ETag alone.
	keepETag bool
	// guarded, with keepETag: the Condition is checked all the same, against
	// the ETag as it is, and met with it (a run's rename, which a client may
	// guard with the ETag it saw).
	guarded bool
}

// errUnchanged, returned by the fn of lockedWrite, says that the write found
// nothing to change: its transaction is rolled back, the ETag left as it
// was, and the caller told of success.
var errUnchanged = errors.New("nothing to change")

// lockedWrite locks the dataset and runs fn in one write transaction.
func (s *Store) lockedWrite(ctx context.Context, a strata.Actor, id string, o lockOptions, fn func(tx *sql.Tx, d *datasetRow, now int64) error) error {
	once, count, check := o.once, !o.keepETag, !o.keepETag || o.guarded
	if !s.Dialect.SerializeWrites() {
		unlock, err := s.datasets.lock(ctx, id)
		if err != nil {
			return err
		}
		defer unlock()
	}
	cond := strata.ConditionOf(ctx)
	var etag string
	err := s.write(ctx, once, func(tx *sql.Tx) error {
		d, err := s.lockDataset(ctx, tx, a.ProjectID, id, count)
		if err != nil {
			return err
		}
		current := d.changes
		if count {
			current-- // the ETag before this change
		}
		if check && !cond.Holds(strata.DatasetETag(current)) {
			return strata.ErrPrecondition // and the count is rolled back
		}
		if err := fn(tx, d, s.now()); errors.Is(err, errUnchanged) {
			etag = strata.DatasetETag(current)
			return err
		} else if err != nil {
			return err
		}
		if d.deleted {
			etag = ""
			return nil
		}
		if d.hash != d.savedHash {
			if _, err := tx.ExecContext(ctx, `UPDATE datasets SET content_hash = $1 WHERE id = $2`, d.hash.MarshalBinary(), d.id); err != nil {
				return fmt.Errorf("save content hash of dataset %s: %w", d.id, err)
			}
			d.savedHash = d.hash
		}
		etag = ""
		if check {
			etag = strata.DatasetETag(d.changes)
		}
		return nil
	})
	if errors.Is(err, errUnchanged) {
		err = nil
	}
	if err == nil && check {
		cond.Committed(etag)
	}
	return err
}

// mutateReading is mutate for a write that only reads the dataset it locks
// (the source of a duplicate).
func (s *Store) mutateReading(ctx context.Context, a strata.Actor, id string, fn func(tx *sql.Tx, d *datasetRow, now int64) error) error {
	return s.lockedWrite(ctx, a, id, lockOptions{keepETag: true}, fn)
}
