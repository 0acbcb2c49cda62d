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

// dbFlag registers --db on fs, defaulting to $STRATA_DB or strata.db. The
// usage shows the default with its password hidden.
func dbFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("STRATA_DB")
	if def == "" {
		def = defaultDSN
	}
	return secretFlag(fs, "db", def, redactDSN(def), "`database`: a SQLite file (path or sqlite:PATH) or a postgres:// URL (env STRATA_DB)")
}

// secretFlag registers a string flag whose default, often from the
// environment, the usage shows only as shown: a key or a password must not
// reach a terminal or a CI log because a flag was mistyped.
func secretFlag(fs *flag.FlagSet, name, def, shown, usage string) *string {
	p := new(string)
	*p = def
	fs.Var(&secretValue{p: p, shown: shown}, name, usage)
	return p
}

// secretValue is the flag.Value of secretFlag. Its String is what the usage
// shows as the default (the flag package calls it on a zero value too).
type secretValue struct {
	p     *string
	shown string
}

func (v *secretValue) String() string { return v.shown }

func (v *secretValue) Set(s string) error {
	*v.p = s
	return nil
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
