package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

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
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.Name, i+1)
		}
	}
	return ms, nil
}

// Migrate applies the migrations the database lacks, each in its own
// transaction, recording each in schema_migrations. lock, if not empty, is a
// statement run first in each transaction that keeps two processes from
// migrating at once. It refuses a database whose schema is newer than ms.
func Migrate(ctx context.Context, db *sql.DB, ms []Migration, lock string) error {
	_, err := MigrateApplied(ctx, db, ms, lock)
	return err
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
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	if current > len(ms) {
		return false, fmt.Errorf("the database schema is at version %d, newer than this strata knows (%d): upgrade strata", current, len(ms))
	}
	if current == len(ms) {
		return true, tx.Commit()
	}
	m := ms[current]
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

func nowMillis() int64 { return time.Now().UnixMilli() }

// goMigrations are the data changes a migration makes in Go, after its SQL
// and in its transaction, keyed by the migration's name without its number
// (both backends name theirs alike).
var goMigrations = map[string]func(context.Context, *sql.Tx) error{
	"versions.sql": backfillContentHashes,
}
