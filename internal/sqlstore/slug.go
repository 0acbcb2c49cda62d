package sqlstore

import "context"
import "database/sql"
import "errors"
import "fmt"
import "strconv"
import "strings"

import "github.com/strata-eval/strata"

// errSlugRace is a dataset insert that lost a race for its slug (or its
// name) to a concurrent one: its transaction is run again, and sees the
// winner.
var errSlugRace = errors.New("dataset slug taken by a concurrent create")

// retrySlugRace runs a transaction that inserts a dataset until it does not
// lose a race for the slug, at most maxAttempts times.
func retrySlugRace(tx func() error) error {
	for attempt := 1; ; attempt++ {
		err := tx()
		if !errors.Is(err, errSlugRace) {
			return err
		} else if attempt == maxAttempts {
			return strata.ErrSlugTaken
		}
	}
}

// maxSlugCandidates bounds the search for a free slug-N.
const maxSlugCandidates = 10000

// freeSlug returns the first of base, base-2, base-3, ... that no dataset of
// the project has. It reads the taken ones in one query: slugs are made only
// of letters, digits and hyphens, so base needs no LIKE escape. A base too
// long for a suffix is cut to make room for it (strata.SlugCandidate): then
// every candidate starts with base cut for the longest suffix.
func freeSlug(ctx context.Context, q querier, projectID, base string) (string, error) {
	pattern := base + "-%"
	if cut := strata.MaxSlugLength - len("-"+strconv.Itoa(maxSlugCandidates)); len(base) > cut {
		pattern = strings.TrimRight(base[:cut], "-") + "%"
	}
	rows, err := q.QueryContext(ctx, `SELECT slug FROM datasets WHERE project_id = $1 AND (slug = $2 OR slug LIKE $3)`,
		projectID, base, pattern)
	if err != nil {
		return "", fmt.Errorf("find free slug: %w", err)
	}
	defer rows.Close()
	taken := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", fmt.Errorf("find free slug: %w", err)
		}
		taken[s] = true
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("find free slug: %w", err)
	}
	return firstFree(base, taken)
}

func firstFree(base string, taken map[string]bool) (string, error) {
	for n := 1; n <= maxSlugCandidates; n++ {
		if c := strata.SlugCandidate(base, n); !taken[c] {
			return c, nil
		}
	}
	return "", strata.Errorf(strata.ECONFLICT, "Too many datasets with the slug %q", base)
}

// saveSlug gives dataset id the slug s.
func (s *Store) saveSlug(ctx context.Context, tx *sql.Tx, id, slug string) error {
	if !strata.ValidSlug(slug) {
		return strata.ErrSlugMalformed
	}
	_, err := tx.ExecContext(ctx, `UPDATE datasets SET slug = $1 WHERE id = $2`, slug, id)
	if s.Dialect.IsUnique(err) {
		return strata.ErrSlugTaken
	} else if err != nil {
		return fmt.Errorf("set slug of dataset %s: %w", id, err)
	}
	return nil
}

// FindDatasetBySlug returns the dataset of the project with that slug.
func (s *Store) FindDatasetBySlug(ctx context.Context, projectID, slug string) (*strata.Dataset, error) {
	if !strata.ValidSlug(slug) || !validID(projectID) {
		return nil, strata.ErrDatasetNotFound
	}
	var d *strata.Dataset
	err := s.read(ctx, func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM datasets WHERE project_id = $1 AND slug = $2`, projectID, slug).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return strata.ErrDatasetNotFound
		} else if err != nil {
			return fmt.Errorf("find dataset by slug: %w", err)
		}
		d, err = findDataset(ctx, tx, projectID, id)
		return err
	})
	return d, err
}

// backfillSlugs gives every dataset without a slug one made from its name,
// the oldest first within each project, so the oldest keeps the plain slug.
func backfillSlugs(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, project_id, name, slug FROM datasets ORDER BY project_id, created_at, id`)
	if err != nil {
		return fmt.Errorf("backfill slugs: %w", err)
	}
	type row struct{ id, projectID, name string }
	var todo []row
	taken := map[string]map[string]bool{}
	for rows.Next() {
		var r row
		var slug sql.NullString
		if err := rows.Scan(&r.id, &r.projectID, &r.name, &slug); err != nil {
			rows.Close()
			return fmt.Errorf("backfill slugs: %w", err)
		}
		if taken[r.projectID] == nil {
			taken[r.projectID] = map[string]bool{}
		}
		if slug.Valid {
			taken[r.projectID][slug.String] = true
		} else {
			todo = append(todo, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("backfill slugs: %w", err)
	}
	for _, r := range todo {
		slug, err := firstFree(strata.MakeSlug(r.name), taken[r.projectID])
		if err != nil {
			return err
		}
		taken[r.projectID][slug] = true
		if _, err := tx.ExecContext(ctx, `UPDATE datasets SET slug = $1 WHERE id = $2`, slug, r.id); err != nil {
			return fmt.Errorf("backfill slugs: %w", err)
		}
	}
	return nil
}
