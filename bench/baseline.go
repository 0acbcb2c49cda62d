package bench

import "context"
import "database/sql"
import "fmt"
import "strings"

// baseline is Lunary's way of keeping versions, built beside Strata's tables
// in the same database so that both are measured on the same disk, cache and
// settings: a live items table edited in place, and a version table that
// every snapshot fills with a copy of every live item (Lunary's
// dataset_v2_item and dataset_v2_version_item, spec §1 and §2.1). Ids are
// uuid on PostgreSQL, as in Lunary, and text on SQLite, as in Strata.
type baseline struct {
	db      *sql.DB
	pg      bool
	version int
	rows    int64 // rows held: live items and copies
}

func (b *baseline) ddl() []string {
	idType := "TEXT"
	if b.pg {
		idType = "uuid"
	}
	results := "evaluator_result_1 TEXT, evaluator_result_2 TEXT, evaluator_result_3 TEXT, evaluator_result_4 TEXT, evaluator_result_5 TEXT"
	return []string{
		`CREATE TABLE bench_baseline_items (id ` + idType + ` PRIMARY KEY, dataset_id ` + idType + ` NOT NULL,
			created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, input TEXT NOT NULL DEFAULT '',
			ground_truth TEXT, output TEXT, ` + results + `)`,
		`CREATE INDEX bench_baseline_items_dataset ON bench_baseline_items (dataset_id)`,
		`CREATE TABLE bench_baseline_versions (id ` + idType + ` PRIMARY KEY, dataset_id ` + idType + ` NOT NULL,
			version_number INTEGER NOT NULL, created_at BIGINT NOT NULL, UNIQUE (dataset_id, version_number))`,
		`CREATE TABLE bench_baseline_version_items (id ` + idType + ` PRIMARY KEY, version_id ` + idType + ` NOT NULL,
			dataset_id ` + idType + ` NOT NULL, item_index INTEGER NOT NULL, input TEXT NOT NULL DEFAULT '',
			ground_truth TEXT, output TEXT, source_item_id ` + idType + `, source_created_at BIGINT,
			source_updated_at BIGINT, ` + results + `)`,
		// A version is read a page at a time, in item order.
		`CREATE INDEX bench_baseline_version_items_version ON bench_baseline_version_items (version_id, item_index)`,
	}
}

// newID is the SQL expression of a new row id.
func (b *baseline) newID() string {
	if b.pg {
		return "gen_random_uuid()"
	}
	return "lower(hex(randomblob(16)))"
}

func (b *baseline) create(ctx context.Context) error {
	for _, q := range b.ddl() {
		if _, err := b.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
	}
	b.version, b.rows = 0, 0
	return nil
}

func (b *baseline) drop(ctx context.Context) error {
	for _, t := range []string{"bench_baseline_version_items", "bench_baseline_versions", "bench_baseline_items"} {
		if _, err := b.db.ExecContext(ctx, `DROP TABLE IF EXISTS `+t); err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
	}
	return nil
}

const baselineColumns = `input, ground_truth, output, evaluator_result_1, evaluator_result_2, evaluator_result_3,
	evaluator_result_4, evaluator_result_5`

// load fills the live table with the working items of a Strata dataset:
// the same items, so both hold the same data.
func (b *baseline) load(ctx context.Context, datasetID string) error {
	res, err := b.db.ExecContext(ctx, `INSERT INTO bench_baseline_items (id, dataset_id, created_at, updated_at, `+baselineColumns+`)
		SELECT item_id, dataset_id, created_at, updated_at, `+baselineColumns+`
		FROM revisions WHERE dataset_id = $1 AND last_version IS NULL`, datasetID)
	if err != nil {
		return fmt.Errorf("baseline: load: %w", err)
	}
	n, _ := res.RowsAffected()
	b.rows += n
	return nil
}

// edit is one change of one item's input.
type edit struct {
	itemID string
	input  string
	at     int64
}

// apply makes the edits in place, as Lunary does, in one transaction.
func (b *baseline) apply(ctx context.Context, edits []edit) error {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("baseline: edit: %w", err)
	}
	defer tx.Rollback()
	for _, e := range edits {
		if _, err := tx.ExecContext(ctx, `UPDATE bench_baseline_items SET input = $1, updated_at = $2 WHERE id = $3`,
			e.input, e.at, e.itemID); err != nil {
			return fmt.Errorf("baseline: edit: %w", err)
		}
	}
	return tx.Commit()
}

// snapshot is Lunary's createDatasetVersion: a version row and a copy of
// every live item, numbered in item order, in one transaction.
func (b *baseline) snapshot(ctx context.Context, datasetID, versionID string, now int64) error {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("baseline: snapshot: %w", err)
	}
	defer tx.Rollback()
	b.version++
	if _, err := tx.ExecContext(ctx, `INSERT INTO bench_baseline_versions (id, dataset_id, version_number, created_at)
		VALUES ($1, $2, $3, $4)`, versionID, datasetID, b.version, now); err != nil {
		return fmt.Errorf("baseline: snapshot: %w", err)
	}
	cols, version := strings.ReplaceAll(baselineColumns, "\n\t", " "), "$1"
	if b.pg {
		version = "$1::uuid" // a parameter in a select list is text unless told
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO bench_baseline_version_items (id, version_id, dataset_id, item_index,
			`+cols+`, source_item_id, source_created_at, source_updated_at)
		SELECT `+b.newID()+`, `+version+`, dataset_id, row_number() OVER (ORDER BY created_at, id), `+cols+`, id, created_at, updated_at
		FROM bench_baseline_items WHERE dataset_id = $2`, versionID, datasetID)
	if err != nil {
		return fmt.Errorf("baseline: snapshot: %w", err)
	}
	n, _ := res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("baseline: snapshot: %w", err)
	}
	b.rows += n
	return nil
}

// usedBytes is the space the database's data takes: SQLite's pages in use
// (free pages excluded), or PostgreSQL's database size.
func usedBytes(ctx context.Context, db *sql.DB, pg bool) (int64, error) {
	q := `SELECT (p.page_count - f.freelist_count) * s.page_size
		FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s`
	if pg {
		q = `SELECT pg_database_size(current_database())`
	}
	var n int64
	if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0, fmt.Errorf("database size: %w", err)
	}
	return n, nil
}
