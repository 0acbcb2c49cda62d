// Package sqlite is Strata's embedded store: strata.Store on a SQLite file
// (modernc.org/sqlite, no cgo), in WAL mode, with immediate write
// transactions and a busy timeout, so that concurrent writers queue instead of
// failing.
package sqlite

import "context"
import "database/sql"
import "database/sql/driver"
import "embed"
import "errors"
import "fmt"
import "io/fs"
import "net/url"
import "os"
import "strconv"
import "strings"

import "modernc.org/sqlite"
import sqlite3 "modernc.org/sqlite/lib"

import "github.com/strata-eval/strata/internal/sqlstore"

//go:embed migrations/*.sql
var migrationFiles embed.FS

func init() {
	// SQLite's lower() folds ASCII only; searches fold all of Unicode, as
	// PostgreSQL's lower() does in a UTF-8 locale. The override applies to
	// every connection this driver opens.
	sqlite.MustRegisterDeterministicScalarFunction("lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		default:
			return v, nil // NULL and numbers, as the built-in
		}
	})
}

// pageSize is the page size of a database Open creates.
const pageSize = 8192

// Store is a strata.Store on SQLite.
type Store struct {
	*sqlstore.Store
	path string // the database file
	ckpt *checkpointer
	// Migrated names the migrations Open applied, in order.
	Migrated []string
}

// Open opens (creating if needed) the SQLite database at path and brings its
// schema up to date. path may carry a "sqlite:" or "file:" prefix.
func Open(ctx context.Context, path string) (*Store, error) {
	path = FilePath(path)
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	// A new database is the owner's alone: SQLite gives its -wal and -shm
	// files the database file's mode.
	if err := createPrivate(path); err != nil {
		return nil, err // the file system's error names the path: "open PATH: no such file or directory"
	}
	q := url.Values{}
	q.Set("_txlock", "immediate")
	// The journal mode writes a new file, so it comes after the page
	// size: the driver runs this key after every _pragma (which it sorts
	// by name).
	q.Set("_journal_mode", "WAL")
	for _, p := range []string{
		"busy_timeout(" + strconv.Itoa(busyTimeoutMS) + ")",
		// A new database has 8 KiB pages (SQLite's default is 4 KiB):
		// a large import writes half the frames to the log, each
		// looked up in the log's index and written on its own, and
		// was 8 to 22% faster (median 14%) with rows of 1 KiB; the
		// mixed load was the same (BENCHMARKS.md, eleventh round). 16 KiB
		// was as fast to import and slowed every small write. A
		// database that exists keeps its page size: this is a no-op
		// there.
		"page_size(" + strconv.Itoa(pageSize) + ")",
		// A commit writes the log without flushing it; the store flushes
		// it (flushWAL) before acknowledging the commit, once for all the
		// writers that committed meanwhile (group commit): an acknowledged
		// write survives power loss.
		"synchronous(NORMAL)",
		"foreign_keys(ON)",
		// Statement journals (a multi-row insert inside a transaction
		// keeps one) stay in memory: they never outlive the statement.
		"temp_store(MEMORY)",
		// A large import grows the WAL by its size; once checkpointed,
		// the file shrinks back to this instead of keeping that space.
		"journal_size_limit(" + strconv.Itoa(journalSizeLimit) + ")",
	} {
		q.Add("_pragma", p)
	}
	ckpt := newCheckpointer(path + "-wal")
	db, err := openDB("file:"+path+"?"+q.Encode(), ckpt)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{Store: sqlstore.New(db, dialect{}), path: path, ckpt: ckpt}
	if s.Migrated, err = sqlstore.MigrateDir(ctx, db, migrationFiles, "migrations", ""); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s.SetSync(s.flushWAL)
	if err := s.flushWAL(); err != nil { // the migrations' commits
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	ckpt.start(func(ctx context.Context) error {
		return s.Exclusive(ctx, func() error { return checkpointLog(ctx, db) })
	})
	return s, nil
}

// Close stops the checkpoints and closes the database; SQLite checkpoints
// what is left of the log as the last connection closes.
func (s *Store) Close() error {
	s.ckpt.close()
	return s.Store.Close()
}

// flushWAL makes every transaction committed so far durable: it flushes the
// write-ahead log to stable storage. A log that is not there holds nothing
// to flush: SQLite removes it only after checkpointing it into the
// database, which it flushes.
func (s *Store) flushWAL() error {
	f, err := os.Open(s.path + "-wal")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// FilePath returns the file a SQLite DSN names: the DSN without its
// "sqlite:" or "file:" prefix.
func FilePath(dsn string) string {
	return strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
}

// createPrivate creates path, empty and readable by its owner only, unless it
// exists. An empty file is a valid empty database.
func createPrivate(path string) error {
	if path == ":memory:" || strings.HasPrefix(path, ":memory:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	} else if err != nil {
		return err
	}
	return f.Close()
}

// dialect is what SQLite does its own way.
type dialect struct{}

// ForUpdate is empty: BEGIN IMMEDIATE already makes a write transaction the
// only writer of the whole database.
func (dialect) ForUpdate() string { return "" }

// IndexedBy names the index: SQLite plans without statistics, and may
// prefer an index that holds every column a statement tests over one that
// finds only its rows.
func (dialect) IndexedBy(index string) string { return "INDEXED BY " + index }

// ByteOrder is "": SQLite's default collation, BINARY, compares bytes.
func (dialect) ByteOrder() string { return "" }

func (dialect) SortsInMemory() bool { return true }

func (dialect) IsUnique(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

func (dialect) IsRetryable(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && (e.Code()&0xff == sqlite3.SQLITE_BUSY || e.Code()&0xff == sqlite3.SQLITE_LOCKED)
}

// IsUnavailable is true for a database still busy or locked once every
// retry is spent: another process holds it.
func (d dialect) IsUnavailable(err error) bool { return d.IsRetryable(err) }

// ReadOptions are read-only: the driver then begins a deferred transaction,
// which reads one snapshot without blocking writers (WAL).
func (dialect) ReadOptions() *sql.TxOptions { return &sql.TxOptions{ReadOnly: true} }

// SerializeWrites is true: one writer at a time is all SQLite allows, and a
// mutex queues them fairly where the busy handler would poll.
func (dialect) SerializeWrites() bool { return true }

func (dialect) Placeholder(int) string { return "?" }

// Backup writes a consistent copy of the database to path, which must not
// exist, while the store goes on serving: VACUUM INTO reads one snapshot and
// blocks no writer.
func (s *Store) Backup(ctx context.Context, path string) error {
	// The copy holds every key hash and dataset: created for its owner
	// only. VACUUM INTO accepts an empty file.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("backup: %s already exists", path)
	} else if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f.Close()
	if _, err := s.DB.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	// With synchronous=NORMAL, VACUUM INTO may leave the copy unflushed.
	if f, err := os.Open(path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	} else if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// WALSize is the size in bytes of the write-ahead log, the -wal file next to
// the database: it grows with the writes since the last checkpoint (a large
// import, a reader that holds an old snapshot), and 0 when there is none.
func (s *Store) WALSize() (int64, error) { return walSize(s.path + "-wal") }

// walSize is the size of the log file wal, 0 when there is none.
func walSize(wal string) (int64, error) {
	fi, err := os.Stat(wal)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
