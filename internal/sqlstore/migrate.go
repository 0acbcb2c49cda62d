package sqlstore

import "context"
import "database/sql"
import "fmt"
import "io/fs"
import "sort"
import "strconv"
import "strings"
import "time"

// Migration is one schema change: a file NNNN_name.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations reads the *.sql files of fsys, ordered by their number.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, name := range names {
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migration %s: number %d is taken by %s", ms[i].Name, ms[i].Version, ms[i-1].Name)
		}
	}
	return ms, nil
}

// Migrate applies the migrations the database lacks, each in its own
// transaction and in the order of their numbers, recording each in
// schema_migrations. Numbers may have gaps (work developed in parallel takes
// numbers ahead), so a migration is applied when it is not recorded, whatever
// the newest recorded number. lock, if not empty, is a
// statement run first in each transaction that keeps two processes from
// migrating at once. It refuses a database whose schema is newer than ms.
func Migrate(ctx context.Context, db *sql.DB, ms []Migration, lock string) error {
	_, err := MigrateApplied(ctx, db, ms, lock)
	return err
}

// MigrateDir applies the migrations of the folder dir of files (a backend's
// embedded migrations), as MigrateApplied.
func MigrateDir(ctx context.Context, db *sql.DB, files fs.FS, dir, lock string) ([]string, error) {
	sub, err := fs.Sub(files, dir)
	if err != nil {
		return nil, err
	}
	ms, err := LoadMigrations(sub)
	if err != nil {
		return nil, err
	}
	return MigrateApplied(ctx, db, ms, lock)
}

// MigrateApplied is Migrate, returning the names of the migrations it
// applied, in order.
func MigrateApplied(ctx context.Context, db *sql.DB, ms []Migration, lock string) ([]string, error) {
	var applied []string
	for {
		done, err := migrateOne(ctx, db, ms, lock, &applied)
		if err != nil || done {
			return applied, err
		}
	}
}

func migrateOne(ctx context.Context, db *sql.DB, ms []Migration, lock string, applied *[]string) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return false, fmt.Errorf("migrate: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`); err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	have, err := appliedMigrations(ctx, tx)
	if err != nil {
		return false, err
	}
	known, newest := map[int]bool{}, 0
	for _, m := range ms {
		known[m.Version], newest = true, max(newest, m.Version)
	}
	for v := range have {
		switch {
		case known[v]:
		case v > newest:
			return false, fmt.Errorf("the database schema has migration %d, newer than this strata knows: upgrade strata", v)
		default:
			return false, fmt.Errorf("the database schema has migration %d, which this strata does not know (its migrations go to %d): another build of strata wrote it", v, newest)
		}
	}
	var m Migration
	for _, m = range ms {
		if !have[m.Version] {
			break
		}
	}
	if len(ms) == 0 || have[m.Version] {
		return true, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.Name, err)
	}
	if _, name, _ := strings.Cut(m.Name, "_"); goMigrations[name] != nil {
		if err := goMigrations[name](ctx, tx); err != nil {
			return false, fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.Version, m.Name, nowMillis()); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.Name, err)
	}
	*applied = append(*applied, m.Name)
	return false, nil
}

// appliedMigrations returns the numbers schema_migrations records.
func appliedMigrations(ctx context.Context, tx *sql.Tx) (map[int]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

func nowMillis() int64 { return time.Now().UnixMilli() }

// goMigrations are the data changes a migration makes in Go, after its SQL
// and in its transaction, keyed by the migration's name without its number
// (both backends name theirs alike).
var goMigrations = map[string]func(context.Context, *sql.Tx) error{
	"versions.sql": backfillContentHashes,
	"slugs.sql":    backfillSlugs,
}
