package sqlstore

import "context"
import "database/sql"
import "fmt"

import "github.com/strata-eval/strata"

// invariants are the queries that find violations of the versioning model
// (see version.go). Each returns one row per violation: the dataset and a
// description.
var invariants = []struct{ name, query string }{
	{"version numbers run 1..head without a gap", `
		SELECT d.id, 'head ' || d.head || ', ' || count(v.number) || ' versions numbered ' ||
			coalesce(min(v.number), 0) || '..' || coalesce(max(v.number), 0)
		FROM datasets d LEFT JOIN versions v ON v.dataset_id = d.id
		GROUP BY d.id, d.head
		HAVING count(v.number) <> d.head OR coalesce(min(v.number), 1) <> 1 OR coalesce(max(v.number), 0) <> d.head`},
	{"the current version is the head", `
		SELECT d.id, 'current_version_id does not name version ' || d.head
		FROM datasets d LEFT JOIN versions v ON v.dataset_id = d.id AND v.id = d.current_version_id
		WHERE d.head > 0 AND (v.number IS NULL OR v.number <> d.head)`},
	{"every dataset has a slug", `
		SELECT id, 'slug is ' || coalesce('"' || slug || '"', 'null')
		FROM datasets WHERE slug IS NULL OR slug = ''`},
	{"every revision belongs to a dataset", `
		SELECT r.dataset_id, count(*) || ' revisions of a dataset that does not exist'
		FROM revisions r WHERE NOT EXISTS (SELECT 1 FROM datasets d WHERE d.id = r.dataset_id)
		GROUP BY r.dataset_id`},
	{"at most one open revision per item", `
		SELECT dataset_id, 'item ' || item_id || ' has ' || count(*) || ' open revisions'
		FROM revisions WHERE last_version IS NULL
		GROUP BY dataset_id, item_id HAVING count(*) > 1`},
	{"the item count equals the working items", `
		SELECT d.id, 'item_count ' || d.item_count || ', working items ' ||
			(SELECT count(*) FROM revisions r WHERE r.dataset_id = d.id AND r.last_version IS NULL)
		FROM datasets d
		WHERE d.item_count <> (SELECT count(*) FROM revisions r WHERE r.dataset_id = d.id AND r.last_version IS NULL)`},
	{"each version's item count equals its revisions", `
		SELECT v.dataset_id, 'version ' || v.number || ' counts ' || v.item_count || ' items, holds ' ||
			(SELECT count(*) FROM revisions r WHERE r.dataset_id = v.dataset_id AND r.first_version <= v.number
				AND (r.last_version IS NULL OR r.last_version > v.number))
		FROM versions v
		WHERE v.item_count <> (SELECT count(*) FROM revisions r WHERE r.dataset_id = v.dataset_id
			AND r.first_version <= v.number AND (r.last_version IS NULL OR r.last_version > v.number))`},
	{"no revision is opened or closed after the working version", `
		SELECT r.dataset_id, 'revision ' || r.id || ' lives in [' || r.first_version || ', ' ||
			coalesce(CAST(r.last_version AS text), 'open') || ') past working version ' || (d.head + 1)
		FROM revisions r JOIN datasets d ON d.id = r.dataset_id
		WHERE r.first_version > d.head + 1 OR r.last_version > d.head + 1 OR r.first_version < 1`},
	{"one item keeps one seq", `
		SELECT dataset_id, 'item ' || item_id || ' has ' || count(DISTINCT seq) || ' seqs'
		FROM revisions GROUP BY dataset_id, item_id HAVING count(DISTINCT seq) > 1`},
	{"new items get a fresh seq", `
		SELECT d.id, 'next_seq ' || d.next_seq || ' is not above seq ' || max(r.seq)
		FROM datasets d JOIN revisions r ON r.dataset_id = d.id
		GROUP BY d.id, d.next_seq HAVING max(r.seq) >= d.next_seq`},
	{"the split index holds each revision's splits", `
		SELECT r.dataset_id, 'revision ' || r.id || ' has splits "' || r.splits || '" and ' || count(s.split) || ' split rows of them'
		FROM revisions r LEFT JOIN revision_splits s ON s.dataset_id = r.dataset_id AND s.revision_id = r.id
			AND (',' || r.splits || ',') LIKE ('%,' || replace(s.split, '_', '\_') || ',%') ESCAPE '\'
		GROUP BY r.dataset_id, r.id, r.splits
		HAVING count(s.split) <> CASE WHEN r.splits = '' THEN 0 ELSE length(r.splits) - length(replace(r.splits, ',', '')) + 1 END`},
	{"the split index holds no other split", `
		SELECT s.dataset_id, 'revision ' || s.revision_id || ' has a split row "' || s.split || '" not among its splits'
		FROM revision_splits s JOIN revisions r ON r.dataset_id = s.dataset_id AND r.id = s.revision_id
		WHERE NOT (',' || r.splits || ',') LIKE ('%,' || replace(s.split, '_', '\_') || ',%') ESCAPE '\'
			OR s.seq <> r.seq`},
}

var _ strata.Checker = (*Store)(nil)

// Check verifies every invariant of the versioning model over the whole
// database, in one snapshot, and returns what it finds broken.
func (s *Store) Check(ctx context.Context) ([]strata.Violation, error) {
	var found []strata.Violation
	err := s.read(ctx, func(q *sql.Tx) error {
		for _, inv := range invariants {
			rows, err := q.QueryContext(ctx, inv.query)
			if err != nil {
				return fmt.Errorf("check %q: %w", inv.name, err)
			}
			for rows.Next() {
				v := strata.Violation{Invariant: inv.name}
				if err := rows.Scan(&v.DatasetID, &v.Detail); err != nil {
					rows.Close()
					return fmt.Errorf("check %q: %w", inv.name, err)
				}
				found = append(found, v)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("check %q: %w", inv.name, err)
			}
		}
		hashes, err := checkContentHashes(ctx, q) // hash.go
		found = append(found, hashes...)
		return err
	})
	return found, err
}
