package main

import "context"
import "errors"
import "flag"
import "fmt"
import "io"

import "github.com/strata-eval/strata"

// errViolations makes `strata check` exit 1: the database is wrong. A check
// that could not run (no database there, a malformed command line) exits
// 2, as every command's error does.
var errViolations = &exitError{code: 1, err: errors.New("check: invariants violated")}

// runCheck verifies every invariant of the versioning model.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	s, err := openExistingStore(ctx, *db)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	defer s.Close()
	c, ok := s.(strata.Checker)
	if !ok {
		return fmt.Errorf("check: %T cannot check its invariants", s)
	}
	found, err := c.Check(ctx)
	if err != nil {
		return err
	}
	for _, v := range found {
		fmt.Fprintln(stdout, v)
	}
	if len(found) > 0 {
		fmt.Fprintf(stdout, "%d violations\n", len(found))
		return errViolations
	}
	fmt.Fprintln(stdout, "ok: every invariant holds")
	return nil
}

// backuper is a store that can copy itself while serving (SQLite).
type backuper interface {
	Backup(ctx context.Context, path string) error
}

// runBackup writes a consistent copy of a SQLite database.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	out := fs.String("out", "", "file to write the copy to (must not exist)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("backup: --out FILE is required")
	}
	s, err := openExistingStore(ctx, *db)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer s.Close()
	b, ok := s.(backuper)
	if !ok {
		return errors.New("backup: on PostgreSQL use pg_dump (see README, Reliability)")
	}
	if err := b.Backup(ctx, *out); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "backed up to %s\n", *out)
	return err
}
