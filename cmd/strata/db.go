package main

import "context"
import "errors"
import "flag"
import "fmt"
import "io"
import "os"
import "strings"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/postgres"
import "github.com/strata-eval/strata/sqlite"

// defaultDSN is the SQLite file used when neither --db nor STRATA_DB is set.
const defaultDSN = "strata.db"

// dbFlag registers --db on fs, defaulting to $STRATA_DB or strata.db.
func dbFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("STRATA_DB")
	if def == "" {
		def = defaultDSN
	}
	return fs.String("db", def, "database: a SQLite file (path or sqlite:PATH) or a postgres:// URL (env STRATA_DB)")
}

// openStore opens the store dsn names, migrating a fresh database.
func openStore(ctx context.Context, dsn string) (strata.Store, error) {
	if postgres.IsDSN(dsn) {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(ctx, dsn)
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	fresh := false
	if !postgres.IsDSN(*db) {
		_, err := os.Stat(sqlite.FilePath(*db))
		fresh = errors.Is(err, os.ErrNotExist)
	}
	s, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	if fresh {
		fmt.Fprintf(stdout, "created %s\n", sqlite.FilePath(*db))
	}
	var applied []string
	switch s := s.(type) {
	case *sqlite.Store:
		applied = s.Migrated
	case *postgres.Store:
		applied = s.Migrated
	}
	if len(applied) == 0 {
		_, err = fmt.Fprintln(stdout, "schema up to date: nothing to apply")
		return err
	}
	_, err = fmt.Fprintf(stdout, "applied %s: the schema is current\n", strings.Join(applied, ", "))
	return err
}

// openExistingStore opens a database that must exist already: commands that
// read one (check, backup) must not leave an empty database behind a typo.
func openExistingStore(ctx context.Context, dsn string) (strata.Store, error) {
	if !postgres.IsDSN(dsn) {
		path := sqlite.FilePath(dsn)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s", path)
		} else if err != nil {
			return nil, err
		}
	}
	return openStore(ctx, dsn)
}
