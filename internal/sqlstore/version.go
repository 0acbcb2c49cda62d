package sqlstore

import "context"
import "database/sql"
import "errors"
import "fmt"
import "math"
import "time"

import "github.com/strata-eval/strata"

const versionColumns = `id, dataset_id, number, created_at, created_by, restored_from_version_id, name, description, item_count, content_hash`

// scanVersion reads a version row; its Tags are left to loadTags.
func scanVersion(row scanner) (*strata.Version, error) {
	var (
		v                                strata.Version
		created                          int64
		createdBy, restored, name, descr sql.NullString
		hash                             []byte
	)
	if err := row.Scan(&v.ID, &v.DatasetID, &v.Number, &created, &createdBy, &restored, &name, &descr, &v.ItemCount, &hash); err != nil {
		return nil, err
	}
	h, err := strata.ParseContentHash(hash)
	if err != nil {
		return nil, err
	}
	v.ContentHash = h.String()
	v.CreatedAt = timeOf(created)
	v.CreatedBy, v.RestoredFromVersionID, v.Name, v.Description = ptr(createdBy), ptr(restored), ptr(name), ptr(descr)
	return &v, nil
}

// snapshotOptions is what a snapshot records of its version besides the
// dataset's state; the zero value records nothing more.
type snapshotOptions struct {
	name, description *string // nil: the dataset's own
	restoredFrom      *string // the id of the version a restore came from
}

// snapshot freezes the working version of d as version head+1. It reads and
// copies no item: the version row records the counter, and the revisions
// whose first_version is the new number are, from now on, frozen.
func (s *Store) snapshot(ctx context.Context, tx *sql.Tx, a strata.Actor, d *datasetRow, o snapshotOptions, now int64) (*strata.Version, error) {
	v := &strata.Version{
		ID: strata.NewID(), DatasetID: d.id, Number: d.working(), CreatedAt: timeOf(now),
		RestoredFromVersionID: o.restoredFrom, Name: o.name, Description: o.description, ItemCount: d.itemCount,
		Tags: []string{}, ContentHash: d.hash.String(),
	}
	if v.Name == nil {
		v.Name = &d.name
	}
	if v.Description == nil {
		v.Description = ptr(d.description)
	}
	// Lunary records the caller, or else the dataset's owner.
	if a.UserID != "" {
		v.CreatedBy = &a.UserID
	} else {
		v.CreatedBy = ptr(d.ownerID)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO versions (`+versionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		v.ID, v.DatasetID, v.Number, now, v.CreatedBy, v.RestoredFromVersionID, v.Name, v.Description, v.ItemCount,
		d.hash.MarshalBinary())
	if err != nil {
		return nil, fmt.Errorf("insert version %d of %s: %w", v.Number, d.id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE datasets SET head = $1, current_version_id = $2, item_count = $3,
		next_seq = $4, updated_at = $5 WHERE id = $6`, v.Number, v.ID, d.itemCount, d.nextSeq, now, d.id); err != nil {
		return nil, fmt.Errorf("advance dataset %s to version %d: %w", d.id, v.Number, err)
	}
	d.head = v.Number
	s.versionCreated(tx)
	return v, nil
}

// ListVersions returns the newest versions below before first.
func (s *Store) ListVersions(ctx context.Context, projectID, datasetID string, before, limit int) ([]*strata.Version, error) {
	if before <= 0 {
		before = math.MaxInt32
	}
	list := []*strata.Version{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		d, err := findDataset(ctx, tx, projectID, datasetID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+prefixColumns(versionColumns, "v")+`, f.number FROM versions v
			LEFT JOIN versions f ON f.dataset_id = v.dataset_id AND f.id = v.restored_from_version_id
			WHERE v.dataset_id = $1 AND v.number < $2 ORDER BY v.number DESC LIMIT ($3 + 0)`, d.ID, before, limit)
		if err != nil {
			return fmt.Errorf("list versions of %s: %w", d.ID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var from sql.NullInt64
			v, err := scanVersion(extraScanner{row: rows, after: []any{&from}})
			if err != nil {
				return fmt.Errorf("list versions of %s: %w", d.ID, err)
			}
			if from.Valid {
				n := int(from.Int64)
				v.RestoredFromNumber = &n
			}
			list = append(list, v)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return loadTags(ctx, tx, d.ID, list...)
	})
	return list, err
}

// findVersion returns the version of a dataset that a ref names (its id, its
// number, "latest" or a tag; see strata.ParseRef), with its tags.
func findVersion(ctx context.Context, q querier, datasetID, ref string) (*strata.Version, error) {
	r, ok := strata.ParseRef(ref)
	if !ok {
		return nil, strata.ErrVersionNotFound
	}
	query, arg := `SELECT `+versionColumns+` FROM versions WHERE dataset_id = $1 AND `, any(nil)
	switch {
	case r.ID != "":
		query, arg = query+`id = $2`, r.ID
	case r.Number > 0:
		query, arg = query+`number = $2`, r.Number
	case r.Latest:
		query, arg = query+`number = (SELECT head FROM datasets WHERE id = $2)`, datasetID
	default:
		query, arg = query+`id = (SELECT version_id FROM version_tags WHERE dataset_id = $1 AND name = $2)`, r.Tag
	}
	v, err := scanVersion(q.QueryRowContext(ctx, query, datasetID, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, strata.ErrVersionNotFound
	} else if err != nil {
		return nil, fmt.Errorf("find version %s: %w", ref, err)
	}
	return v, loadTags(ctx, q, datasetID, v)
}

// ResolveVersion returns the version a ref names, of a dataset of the
// project, in one statement (readone.go).
func (s *Store) ResolveVersion(ctx context.Context, projectID, datasetID, ref string) (*strata.Version, error) {
	return s.resolveVersionOnce(ctx, projectID, datasetID, ref)
}

// CreateVersion snapshots the working version.
func (s *Store) CreateVersion(ctx context.Context, a strata.Actor, datasetID string, c strata.VersionCreate) (*strata.Version, *strata.Dataset, error) {
	var (
		v *strata.Version
		d *strata.Dataset
	)
	for _, f := range []struct {
		name  string
		value *string
	}{{"name", c.Name}, {"description", c.Description}} {
		if f.value == nil {
			continue
		}
		if err := strata.CheckText(f.name, *f.value); err != nil {
			return nil, nil, err
		}
	}
	err := s.mutate(ctx, a, datasetID, false, func(tx *sql.Tx, row *datasetRow, now int64) (err error) {
		if v, err = s.snapshot(ctx, tx, a, row, snapshotOptions{name: c.Name, description: c.Description}, now); err != nil {
			return err
		}
		d, err = findDataset(ctx, tx, a.ProjectID, datasetID)
		return err
	})
	return v, d, err
}

// RestoreVersion makes the working set equal to a version and snapshots it.
// It touches only the revisions that differ: those opened since the version
// are closed (or dropped, if drafts), and those of the version closed since
// are reopened as copies with the same item id, seq and content. The dataset
// keeps its name and description: a version's name may be a label given at
// snapshot time, and restoring items should not rename the dataset after it
// (Lunary does, and fails with 500 when another dataset has that name).
func (s *Store) RestoreVersion(ctx context.Context, a strata.Actor, datasetID, versionID string) (*strata.Dataset, *strata.Version, error) {
	var (
		v *strata.Version
		d *strata.Dataset
	)
	start := time.Now()
	err := s.mutate(ctx, a, datasetID, false, func(tx *sql.Tx, row *datasetRow, now int64) error {
		from, err := findVersion(ctx, tx, row.id, versionID)
		if err != nil {
			return err
		}
		fromHash, err := versionHash(ctx, tx, row.id, from.Number)
		if err != nil {
			return err
		}
		w := row.working()
		// Drafts are in no version: drop them. Revisions frozen after the
		// restored version leave the working set.
		if _, err := tx.ExecContext(ctx, s.dropDrafts(), row.id, w); err != nil {
			return fmt.Errorf("restore %s: %w", row.id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE revisions SET last_version = $1
			WHERE dataset_id = $2 AND last_version IS NULL AND first_version > $3`, w, row.id, from.Number); err != nil {
			return fmt.Errorf("restore %s: %w", row.id, err)
		}
		if err := s.reopen(ctx, tx, row, from.Number, now); err != nil {
			return err
		}
		// The bulk statements above kept no hash; the working set is now
		// the version's, and so is its hash.
		row.hash = fromHash
		row.itemCount = from.ItemCount
		if v, err = s.snapshot(ctx, tx, a, row, snapshotOptions{restoredFrom: &from.ID}, now); err != nil {
			return err
		}
		d, err = findDataset(ctx, tx, a.ProjectID, datasetID)
		return err
	})
	if err == nil {
		s.restored(start)
	}
	return d, v, err
}

// dropDrafts is the statement that deletes the revisions a dataset ($1)
// opened in its working version ($2), found on the index of first versions:
// the work is O(drafts), not O(items). (The unary + keeps the planner off
// the index of every open revision, and the hint off the index of every
// version, which holds every column the statement tests.)
func (s *Store) dropDrafts() string {
	return `DELETE FROM revisions ` + s.Dialect.IndexedBy("revisions_first") + `
		WHERE dataset_id = $1 AND +last_version IS NULL AND first_version = $2`
}

// reopen opens, in the working version, a copy of each revision of version n
// that was closed after it.
func (s *Store) reopen(ctx context.Context, tx *sql.Tx, d *datasetRow, n int, now int64) error {
	ins := s.newRevisionInserter(tx, d)
	// Read a chunk, then write it: a result set cannot stay open while the
	// same transaction inserts.
	// Found by last_version, then sorted: O(difference). The unary + keeps
	// the planner from walking every revision in seq order.
	err := scanChunks(ctx, tx, "reopen revisions of "+d.id, `SELECT `+revisionColumns+` FROM revisions
		WHERE dataset_id = $1 AND +first_version <= $2 AND last_version > $2 AND +seq > $3
		ORDER BY +seq LIMIT ($4 + 0)`, []any{d.id, n}, bySeq, func(chunk []revision) error {
		for i := range chunk {
			r := &chunk[i]
			r.id, r.firstVersion, r.lastVersion = strata.NewID(), d.working(), sql.NullInt64{}
			if err := ins.add(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return ins.flush(ctx)
}
