package sqlstore

import "context"
import "database/sql"
import "encoding/json"
import "errors"
import "fmt"
import "strings"

import "github.com/strata-eval/strata"

// datasetRow is the part of a dataset that mutations read and maintain.
type datasetRow struct {
	id          string
	projectID   string
	ownerID     sql.NullString
	name        string
	description sql.NullString
	head        int   // newest version number; the working version is head+1
	itemCount   int   // items in the working version
	nextSeq     int64 // seq of the next item created

	hash      strata.ContentHash // of the working set, kept by every revision write (hash.go)
	savedHash strata.ContentHash // hash as the dataset row holds it
	changes   int64              // mutations so far: the ETag (change.go)
	deleted   bool               // the mutation deleted the dataset
}

// working is the number of the version that edits go to.
func (d *datasetRow) working() int { return d.head + 1 }

// added counts a new item of the working version.
func (d *datasetRow) added() {
	d.nextSeq++
	d.itemCount++
}

// lockDataset reads a dataset of the project and locks it until tx ends, so
// that mutations of one dataset run one after another. count also counts a
// change (change.go), in the same statement.
func (s *Store) lockDataset(ctx context.Context, tx *sql.Tx, projectID, id string, count bool) (*datasetRow, error) {
	if !validID(id) || !validID(projectID) {
		return nil, strata.ErrDatasetNotFound
	}
	d := &datasetRow{}
	var hash []byte
	const columns = `id, project_id, owner_id, name, description, head, item_count, next_seq, change_count, content_hash`
	query := `SELECT ` + columns + ` FROM datasets WHERE id = $1 AND project_id = $2 ` + s.Dialect.ForUpdate()
	if count {
		query = `UPDATE datasets SET change_count = change_count + 1 WHERE id = $1 AND project_id = $2 RETURNING ` + columns
	}
	err := tx.QueryRowContext(ctx, query, id, projectID).
		Scan(&d.id, &d.projectID, &d.ownerID, &d.name, &d.description, &d.head, &d.itemCount, &d.nextSeq,
			&d.changes, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, strata.ErrDatasetNotFound
	} else if err != nil {
		return nil, fmt.Errorf("lock dataset %s: %w", id, err)
	}
	if d.hash, err = strata.ParseContentHash(hash); err != nil {
		return nil, fmt.Errorf("lock dataset %s: %w", id, err)
	}
	d.savedHash = d.hash
	return d, nil
}

// mutate locks the dataset and runs fn in one write transaction. Under the
// lock, it first counts the change (the ETag) and checks the Condition of
// ctx, and last saves the working set's content hash (change.go).
func (s *Store) mutate(ctx context.Context, a strata.Actor, id string, once bool, fn func(tx *sql.Tx, d *datasetRow, now int64) error) error {
	return s.lockedWrite(ctx, a, id, lockOptions{once: once}, fn)
}

// touch saves the counters of d and marks the dataset updated.
func touch(ctx context.Context, tx *sql.Tx, d *datasetRow, now int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE datasets SET item_count = $1, next_seq = $2, updated_at = $3,
		content_hash = $4 WHERE id = $5`,
		d.itemCount, d.nextSeq, now, d.hash.MarshalBinary(), d.id)
	if err != nil {
		return fmt.Errorf("touch dataset %s: %w", d.id, err)
	}
	d.savedHash = d.hash
	return nil
}

const datasetColumns = `d.id, d.created_at, d.updated_at, d.project_id, d.owner_id, d.name, d.description,
	d.current_version_id, d.head, d.evaluator_slot_1_id, d.evaluator_slot_2_id, d.evaluator_slot_3_id,
	d.evaluator_slot_4_id, d.evaluator_slot_5_id, d.item_count, u.name, u.email,
	v.created_at, v.created_by, v.restored_from_version_id, d.change_count, d.slug, d.next_seq
	FROM datasets d
	LEFT JOIN users u ON u.id = d.owner_id
	LEFT JOIN versions v ON v.dataset_id = d.id AND v.number = d.head`

type scanner interface{ Scan(dest ...any) error }

func scanDataset(row scanner) (*strata.Dataset, error) {
	var (
		d                     strata.Dataset
		created, updated      int64
		ownerID, desc, curID  sql.NullString
		slots                 [5]sql.NullString
		ownerName, ownerEmail sql.NullString
		vCreated              sql.NullInt64
		vCreatedBy, vRestored sql.NullString
		changes               int64
		slug                  sql.NullString
	)
	if err := row.Scan(&d.ID, &created, &updated, &d.ProjectID, &ownerID, &d.Name, &desc,
		&curID, &d.CurrentVersionNumber, &slots[0], &slots[1], &slots[2], &slots[3], &slots[4],
		&d.ItemCount, &ownerName, &ownerEmail, &vCreated, &vCreatedBy, &vRestored, &changes, &slug, &d.NextSeq); err != nil {
		return nil, err
	}
	d.ETag = strata.DatasetETag(changes)
	d.Slug = slug.String
	d.CreatedAt, d.UpdatedAt = timeOf(created), timeOf(updated)
	d.OwnerID, d.Description, d.CurrentVersionID = ptr(ownerID), ptr(desc), ptr(curID)
	d.EvaluatorSlot1ID, d.EvaluatorSlot2ID, d.EvaluatorSlot3ID = ptr(slots[0]), ptr(slots[1]), ptr(slots[2])
	d.EvaluatorSlot4ID, d.EvaluatorSlot5ID = ptr(slots[3]), ptr(slots[4])
	// A user without an email has '' stored; clients see null, as in Lunary.
	ownerEmail.Valid = ownerEmail.Valid && ownerEmail.String != ""
	d.OwnerName, d.OwnerEmail = ptr(ownerName), ptr(ownerEmail)
	if vCreated.Valid {
		t := timeOf(vCreated.Int64)
		d.CurrentVersionCreatedAt = &t
	}
	d.CurrentVersionCreatedBy, d.CurrentVersionRestoredFromVersionID = ptr(vCreatedBy), ptr(vRestored)
	d.EvaluatorConfigs = map[string]json.RawMessage{}
	return &d, nil
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// FindDataset returns one dataset of the project, in one statement
// (readone.go).
func (s *Store) FindDataset(ctx context.Context, projectID, id string) (*strata.Dataset, error) {
	return findDataset(ctx, s.DB, projectID, id)
}

// likePattern returns a LIKE pattern matching s as a literal substring,
// lower-cased; it is used with ESCAPE '\'.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// datasetOrder is the ORDER BY of each sort of ListDatasets. Names sort by
// their lower case, byte by byte, on both stores: not by the collation a
// PostgreSQL database happens to have.
func (s *Store) datasetOrder(sort strata.DatasetSort) (string, bool) {
	switch sort {
	case strata.SortNewest:
		return "d.created_at DESC, d.id DESC", true
	case strata.SortAlphabetical:
		bytes := s.Dialect.ByteOrder()
		return "lower(d.name) " + bytes + " ASC, d.name " + bytes + " ASC, d.id ASC", true
	case strata.SortItems:
		return "d.item_count DESC, d.created_at DESC, d.id DESC", true
	case strata.SortUpdated:
		return "d.updated_at DESC, d.id DESC", true
	}
	return "", false
}

// ListDatasets calls fn with each dataset of a project, a row at a time:
// a project's datasets are never all held at once.
func (s *Store) ListDatasets(ctx context.Context, projectID string, f strata.DatasetFilter, fn func(*strata.Dataset) error) error {
	if f.Sort == "" {
		f.Sort = strata.SortNewest
	}
	order, ok := s.datasetOrder(f.Sort)
	if !ok {
		return strata.Errorf(strata.EINVALID, "Unknown sort %q", f.Sort)
	}
	if !validID(projectID) {
		return nil
	}
	query, args := `SELECT `+datasetColumns+` WHERE d.project_id = $1`, []any{projectID}
	if f.Search != "" {
		query += ` AND (lower(d.name) LIKE $2 ESCAPE '\' OR lower(coalesce(d.description, '')) LIKE $2 ESCAPE '\')`
		args = append(args, likePattern(f.Search))
	}
	return eachRow(ctx, s.DB, "list datasets", query+` ORDER BY `+order, args, scanDataset, fn)
}

// CreateDataset creates a dataset and its empty version 1.
func (s *Store) CreateDataset(ctx context.Context, a strata.Actor, c strata.DatasetCreate) (*strata.Dataset, error) {
	var d *strata.Dataset
	err := retrySlugRace(func() error {
		return s.write(ctx, false, func(tx *sql.Tx) error {
			var err error
			d, err = s.createDataset(ctx, tx, a, c)
			return err
		})
	})
	return d, err
}

// createDataset inserts a dataset and snapshots its version 1, in tx.
func (s *Store) createDataset(ctx context.Context, tx *sql.Tx, a strata.Actor, c strata.DatasetCreate) (*strata.Dataset, error) {
	row, err := s.insertDataset(ctx, tx, a, c.Name, c.Description)
	if err != nil {
		return nil, err
	}
	if _, err := s.snapshot(ctx, tx, a, row, snapshotOptions{}, s.now()); err != nil {
		return nil, err
	}
	return findDataset(ctx, tx, a.ProjectID, row.id)
}

// insertDataset inserts an empty dataset at version 0.
func (s *Store) insertDataset(ctx context.Context, tx *sql.Tx, a strata.Actor, name string, description *string) (*datasetRow, error) {
	name, err := strata.CleanName(name)
	if err != nil {
		return nil, err
	}
	if err := checkNames(name, description); err != nil {
		return nil, err
	}
	now := s.now()
	d := &datasetRow{id: strata.NewID(), projectID: a.ProjectID, ownerID: nullString(a.UserID), name: name, nextSeq: 1}
	if description != nil {
		d.description = sql.NullString{String: *description, Valid: true}
	}
	// The name is checked first, so that a unique violation of the insert
	// is a slug taken by a concurrent create since freeSlug read: the
	// caller runs the transaction again (retrySlugRace).
	var taken int
	err = tx.QueryRowContext(ctx, `SELECT count(*) FROM datasets WHERE project_id = $1 AND name = $2`, a.ProjectID, name).Scan(&taken)
	if err != nil {
		return nil, fmt.Errorf("insert dataset: %w", err)
	} else if taken > 0 {
		return nil, strata.ErrDatasetNameTaken
	}
	slug, err := freeSlug(ctx, tx, a.ProjectID, strata.MakeSlug(name))
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO datasets (id, project_id, owner_id, name, description, created_at, updated_at, slug)
		VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`, d.id, d.projectID, d.ownerID, d.name, d.description, now, slug)
	if s.Dialect.IsUnique(err) {
		return nil, errSlugRace
	} else if err != nil {
		return nil, fmt.Errorf("insert dataset: %w", err)
	}
	return d, nil
}

// UpdateDataset renames a dataset or changes its description.
func (s *Store) UpdateDataset(ctx context.Context, a strata.Actor, id string, u strata.DatasetUpdate, w strata.WriteOptions) (*strata.Dataset, error) {
	var out *strata.Dataset
	err := s.mutate(ctx, a, id, false, func(tx *sql.Tx, d *datasetRow, now int64) error {
		if u.Name != nil {
			name, err := strata.CleanName(*u.Name)
			if err != nil {
				return err
			}
			d.name = name
		}
		if u.SetDescription {
			d.description = sql.NullString{}
			if u.Description != nil {
				d.description = sql.NullString{String: *u.Description, Valid: true}
			}
		}
		if err := s.saveNames(ctx, tx, d, now); err != nil {
			return err
		}
		if u.Slug != nil {
			if err := s.saveSlug(ctx, tx, id, *u.Slug); err != nil {
				return err
			}
		}
		// A slug names the dataset, not its content: changing only the
		// slug makes no version.
		if !w.SkipVersion && (u.Name != nil || u.SetDescription) {
			if _, err := s.snapshot(ctx, tx, a, d, snapshotOptions{}, now); err != nil {
				return err
			}
		}
		var err error
		out, err = findDataset(ctx, tx, a.ProjectID, id)
		return err
	})
	return out, err
}

// saveNames stores d's name and description.
func (s *Store) saveNames(ctx context.Context, tx *sql.Tx, d *datasetRow, now int64) error {
	if err := checkNames(d.name, ptr(d.description)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE datasets SET name = $1, description = $2, updated_at = $3 WHERE id = $4`,
		d.name, d.description, now, d.id)
	if s.Dialect.IsUnique(err) {
		return strata.ErrDatasetNameTaken
	} else if err != nil {
		return fmt.Errorf("update dataset %s: %w", d.id, err)
	}
	return nil
}

// DeleteDataset deletes a dataset with its items and versions.
func (s *Store) DeleteDataset(ctx context.Context, a strata.Actor, id string) error {
	return s.mutate(ctx, a, id, false, func(tx *sql.Tx, d *datasetRow, now int64) error {
		// Children first, under the dataset's lock, which every write of
		// its revisions holds: on PostgreSQL nothing else removes them
		// (revisions have no foreign key there, migration 0010). SQLite's
		// schema cascades too, but explicit deletes filtered by dataset_id
		// keep each statement on one shard.
		for _, q := range []string{
			`DELETE FROM version_tags WHERE dataset_id = $1`,
			`DELETE FROM revision_splits WHERE dataset_id = $1`,
			`DELETE FROM revisions WHERE dataset_id = $1`,
			`UPDATE datasets SET current_version_id = NULL WHERE id = $1`,
			`DELETE FROM versions WHERE dataset_id = $1`,
			`DELETE FROM datasets WHERE id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("delete dataset %s: %w", id, err)
			}
		}
		d.deleted = true
		return nil
	})
}

// maxCopyNames bounds the search for a free "<name> copy (n)".
const maxCopyNames = 1000

// DuplicateDataset copies a dataset's working items into a new dataset.
func (s *Store) DuplicateDataset(ctx context.Context, a strata.Actor, id string) (*strata.Dataset, error) {
	var out *strata.Dataset
	err := retrySlugRace(func() error {
		return s.mutateReading(ctx, a, id, func(tx *sql.Tx, src *datasetRow, now int64) error {
			var err error
			out, err = s.duplicateDataset(ctx, tx, a, src, now)
			return err
		})
	})
	return out, err
}

// duplicateDataset copies src into a new dataset at version 1, in tx.
func (s *Store) duplicateDataset(ctx context.Context, tx *sql.Tx, a strata.Actor, src *datasetRow, now int64) (*strata.Dataset, error) {
	name, err := s.copyName(ctx, tx, a.ProjectID, src.name)
	if err != nil {
		return nil, err
	}
	dst, err := s.insertDataset(ctx, tx, a, name, ptr(src.description))
	if err != nil {
		return nil, err
	}
	if err := s.copyItems(ctx, tx, src, dst, now); err != nil {
		return nil, err
	}
	if err := touch(ctx, tx, dst, now); err != nil {
		return nil, err
	}
	if _, err := s.snapshot(ctx, tx, a, dst, snapshotOptions{}, now); err != nil {
		return nil, err
	}
	return findDataset(ctx, tx, a.ProjectID, dst.id)
}

// copyName returns the first free name of "<name> copy", "<name> copy (2)",
// ..., the name cut where it must be for each to stay within
// strata.MaxNameLength.
func (s *Store) copyName(ctx context.Context, tx *sql.Tx, projectID, name string) (string, error) {
	base := strings.TrimSpace(name)
	if base == "" {
		base = "Dataset"
	}
	for n := 1; n <= maxCopyNames; n++ {
		suffix := " copy"
		if n > 1 {
			suffix = fmt.Sprintf(" copy (%d)", n)
		}
		candidate := strings.TrimSpace(strata.JSCut(base, strata.MaxNameLength-len(suffix))) + suffix
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM datasets WHERE project_id = $1 AND name = $2`, projectID, candidate).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return candidate, nil
		} else if err != nil {
			return "", fmt.Errorf("find copy name: %w", err)
		}
	}
	return "", strata.Errorf(strata.ECONFLICT, "Too many copies of dataset %q", name)
}

// copyItems copies the working items of src into dst as new items, in order,
// without evaluator results.
func (s *Store) copyItems(ctx context.Context, tx *sql.Tx, src, dst *datasetRow, now int64) error {
	ins := s.newRevisionInserter(tx, dst)
	err := scanRevisions(ctx, tx, src.id, 0, func(r *revision) error {
		*r = revision{
			id: strata.NewID(), itemID: strata.NewID(), seq: dst.nextSeq, firstVersion: dst.working(),
			input: r.input, groundTruth: r.groundTruth, output: r.output, createdAt: now, updatedAt: now,
			metadata: r.metadata, splits: r.splits, externalID: r.externalID,
		}
		dst.added()
		return ins.add(ctx, r)
	})
	if err != nil {
		return err
	}
	return ins.flush(ctx)
}

func checkNames(name string, description *string) error {
	if err := strata.CheckText("name", name); err != nil {
		return err
	}
	if description != nil {
		return strata.CheckText("description", *description)
	}
	return nil
}
