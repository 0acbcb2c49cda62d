package sqlstore

import "context"
import "database/sql"
import "errors"
import "fmt"
import "sort"

import "github.com/strata-eval/strata"

// loadTags sets the Tags of versions of a dataset, sorted by name (in Go:
// the databases' collations differ).
func loadTags(ctx context.Context, q querier, datasetID string, vs ...*strata.Version) error {
	if len(vs) == 0 {
		return nil
	}
	byID := make(map[string]*strata.Version, len(vs))
	for _, v := range vs {
		v.Tags = []string{}
		byID[v.ID] = v
	}
	query, args := `SELECT version_id, name FROM version_tags WHERE dataset_id = $1`, []any{datasetID}
	if len(vs) == 1 {
		query, args = query+` AND version_id = $2`, append(args, vs[0].ID)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("load tags of %s: %w", datasetID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var versionID, name string
		if err := rows.Scan(&versionID, &name); err != nil {
			return fmt.Errorf("load tags of %s: %w", datasetID, err)
		}
		if v := byID[versionID]; v != nil {
			v.Tags = append(v.Tags, name)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load tags of %s: %w", datasetID, err)
	}
	for _, v := range vs {
		sort.Strings(v.Tags)
	}
	return nil
}

// ListTags calls fn with each of a dataset's tags by name, a row at a time,
// in the snapshot that found the dataset.
func (s *Store) ListTags(ctx context.Context, projectID, datasetID string, fn func(*strata.Tag) error) error {
	return s.read(ctx, func(tx *sql.Tx) error {
		d, err := findDataset(ctx, tx, projectID, datasetID)
		if err != nil {
			return err
		}
		return eachRow(ctx, tx, "list tags of "+d.ID, `SELECT t.name, t.version_id, v.number, t.created_at
			FROM version_tags t JOIN versions v ON v.dataset_id = t.dataset_id AND v.id = t.version_id
			WHERE t.dataset_id = $1 ORDER BY t.name `+s.Dialect.ByteOrder(), []any{d.ID}, scanTag, fn)
	})
}

func scanTag(row scanner) (*strata.Tag, error) {
	var t strata.Tag
	var created int64
	if err := row.Scan(&t.Name, &t.VersionID, &t.VersionNumber, &created); err != nil {
		return nil, err
	}
	t.CreatedAt = timeOf(created)
	return &t, nil
}

// TagVersion points a tag at a version, creating or moving it.
func (s *Store) TagVersion(ctx context.Context, a strata.Actor, datasetID, ref, tag string) (*strata.Version, *int, error) {
	if err := strata.CheckTagName(tag); err != nil {
		return nil, nil, err
	}
	var (
		v         *strata.Version
		movedFrom *int
	)
	err := s.mutate(ctx, a, datasetID, false, func(tx *sql.Tx, d *datasetRow, now int64) error {
		movedFrom = nil
		var err error
		if v, err = findVersion(ctx, tx, d.id, ref); err != nil {
			return err
		}
		var current int
		err = tx.QueryRowContext(ctx, `SELECT v.number FROM version_tags t
			JOIN versions v ON v.dataset_id = t.dataset_id AND v.id = t.version_id
			WHERE t.dataset_id = $1 AND t.name = $2`, d.id, tag).Scan(&current)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO version_tags (dataset_id, name, version_id, created_at)
				VALUES ($1, $2, $3, $4)`, d.id, tag, v.ID, now)
		case err != nil:
		case current == v.Number:
			// Already there: nothing changes, the ETag included.
			if err := loadTags(ctx, tx, d.id, v); err != nil {
				return err
			}
			return errUnchanged
		default:
			movedFrom = &current
			_, err = tx.ExecContext(ctx, `UPDATE version_tags SET version_id = $1, created_at = $2
				WHERE dataset_id = $3 AND name = $4`, v.ID, now, d.id, tag)
		}
		if err != nil {
			return fmt.Errorf("tag version %d of %s: %w", v.Number, d.id, err)
		}
		return loadTags(ctx, tx, d.id, v)
	})
	if err != nil {
		return nil, nil, err
	}
	return v, movedFrom, nil
}

// UntagVersion removes a tag, from the version ref names if ref is given.
func (s *Store) UntagVersion(ctx context.Context, a strata.Actor, datasetID, ref, tag string) error {
	return s.mutate(ctx, a, datasetID, false, func(tx *sql.Tx, d *datasetRow, now int64) error {
		query, args := `DELETE FROM version_tags WHERE dataset_id = $1 AND name = $2`, []any{d.id, tag}
		if ref != "" {
			v, err := findVersion(ctx, tx, d.id, ref)
			if err != nil {
				return err
			}
			query, args = query+` AND version_id = $3`, append(args, v.ID)
		}
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("untag %s of %s: %w", tag, d.id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("untag %s of %s: %w", tag, d.id, err)
		} else if n == 0 {
			return strata.ErrTagNotFound
		}
		return nil
	})
}
