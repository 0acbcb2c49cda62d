// Package sqlstore implements strata.Store once, over database/sql, for every
// SQL backend. The sqlite and postgres packages give it a connection and a
// Dialect: how to lock a dataset, which driver errors mean what, and their own
// migrations. Behaviour lives here, so both backends behave the same.
//
// Every time is stored as milliseconds since the Unix epoch (the precision
// Strata returns), and every id as a UUID string.
package sqlstore

import "context"
import "database/sql"
import "errors"
import "fmt"
import "sync"
import "sync/atomic"
import "time"

import "github.com/strata-eval/strata"

// Dialect is what differs between SQL backends.
type Dialect interface {
	// ForUpdate is the clause that locks the rows a SELECT reads until the
	// transaction ends ("FOR UPDATE"), or "" where a write transaction
	// already excludes every other writer (SQLite's BEGIN IMMEDIATE).
	ForUpdate() string
	// IndexedBy is the clause that makes a statement on a table use index
	// ("INDEXED BY index"), or "" where the planner needs no such hint
	// (PostgreSQL plans from statistics).
	IndexedBy(index string) string
	// ByteOrder is the clause that makes an ORDER BY of a text column
	// compare bytes (`COLLATE "C"`), or "" where that is the default.
	ByteOrder() string
	// SortsInMemory reports whether the database sorts a query's rows in
	// memory, whatever they hold (SQLite), rather than spilling to disk past
	// a bound (PostgreSQL's work_mem): a diff then sorts only the keys of
	// its revisions (diffScan).
	SortsInMemory() bool
	// IsUnique reports whether err is a unique-constraint violation.
	IsUnique(err error) bool
	// IsRetryable reports whether a transaction that failed with err may be
	// run again: a serialization failure, a deadlock, a busy database.
	IsRetryable(err error) bool
	// ReadOptions are the options of a read-only transaction that sees one
	// consistent snapshot.
	ReadOptions() *sql.TxOptions
	// Placeholder is the i-th (1-based) parameter of a statement that binds
	// its parameters in order. Bulk inserts build their statements with it:
	// SQLite parses "$n" as a name and looks each one up, quadratic in the
	// number of parameters, while "?" costs nothing.
	Placeholder(i int) string
	// IsUnavailable reports whether err says that the database cannot be
	// reached for now: a connection refused or dropped, a server shutting
	// down or starting up, a database locked by another process past every
	// retry.
	IsUnavailable(err error) bool
	// SerializeWrites reports whether write transactions of this process
	// should queue on a mutex rather than on the database's busy handler.
	SerializeWrites() bool
}

// Store is a strata.Store on a SQL database.
type Store struct {
	DB      *sql.DB
	Dialect Dialect
	// Now is the clock, replaceable in tests.
	Now func() time.Time
	// KeyCacheTTL is how long an authenticated key is trusted without a
	// query (keycache.go): 0 means DefaultKeyCacheTTL, negative no cache.
	KeyCacheTTL time.Duration
	// Observer, when set, hears of committed versions, imports and
	// restores (observer.go).
	Observer Observer

	// writeLock is the write lock of a dialect that serializes writes: a
	// one-slot semaphore, so that a writer waiting for it gives up when
	// its request does.
	writeLock   chan struct{}
	uncommitted sync.Map // *sql.Tx -> *atomic.Int64: versions written, not yet committed
	keys        keyCache
	queue       writeQueue   // writes waiting for writeLock (combine.go)
	group       *groupCommit // nil: each commit is durable by itself (groupcommit.go)
	txConns     sync.Map     // *sql.Tx -> *sql.Conn, with a Copier dialect (copy.go)
	copied      atomic.Int64 // revisions written by bulk load (copy.go)
	datasets    datasetLocks // a dataset's writers, where writes are not serialized (datasetlock.go)
}

// New returns a Store on db.
func New(db *sql.DB, d Dialect) *Store {
	return &Store{DB: db, Dialect: d, Now: time.Now, writeLock: make(chan struct{}, 1)}
}

var _ strata.Store = (*Store)(nil)

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.DB.PingContext(ctx) }

// MarkUnavailable marks err with strata.ErrUnavailable when the dialect
// says the database cannot be reached for now.
func (s *Store) MarkUnavailable(err error) error {
	if err == nil || strata.ErrorCode(err) != strata.EINTERNAL || !s.Dialect.IsUnavailable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", strata.ErrUnavailable, err)
}

// Close closes the database.
func (s *Store) Close() error { return s.DB.Close() }

// Exclusive runs fn under the write lock of a dialect that serializes
// writes, outside any transaction of the store: no write commits while it
// runs (SQLite's checkpoints, which the next write after them can then
// restart the log from its start).
func (s *Store) Exclusive(ctx context.Context, fn func() error) error {
	unlock, err := s.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// lockWrites takes the write lock, or gives up when ctx ends.
func (s *Store) lockWrites(ctx context.Context) (unlock func(), err error) {
	select {
	case s.writeLock <- struct{}{}:
		return func() { <-s.writeLock }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the write lock: %w", context.Cause(ctx))
	}
}

func (s *Store) now() int64 { return strata.Millis(s.Now()).UnixMilli() }

// maxAttempts bounds how often a transaction that lost a race is run again.
const maxAttempts = 8

// write runs fn in a write transaction, committing if it returns nil. A
// transaction that fails with a retryable error is run again, unless once is
// set (its input cannot be replayed). Where the dialect serializes writes,
// the fn of other writers queued meanwhile may share the transaction, each
// in a savepoint of its own (combine.go).
func (s *Store) write(ctx context.Context, once bool, fn func(tx *sql.Tx) error) (err error) {
	if err := s.group.broken(); err != nil {
		return err
	}
	fn = markApplied(ctx, fn) // idempotency.go
	// Runs after the write lock is released: a commit is acknowledged once
	// durable, and the writers that commit meanwhile share its flush.
	defer func() {
		if err == nil {
			err = s.group.durable()
		}
	}()
	if s.Dialect.SerializeWrites() {
		if !once {
			return s.writeCombined(ctx, fn) // combine.go
		}
		unlock, err := s.lockWrites(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	for attempt := 1; ; attempt++ {
		err := s.writeOnce(ctx, fn)
		if err == nil || once || attempt == maxAttempts || !s.Dialect.IsRetryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt*attempt) * time.Millisecond):
		}
	}
}

func (s *Store) writeOnce(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, done, err := s.beginTx(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer done()
	defer tx.Rollback()
	committed := false
	defer func() { s.txEnded(tx, committed) }() // a panicking fn's too
	if err := fn(tx); err != nil {
		return endedBy(ctx, err)
	}
	if err := tx.Commit(); err != nil {
		return endedBy(ctx, fmt.Errorf("commit: %w", err))
	}
	s.group.committedOne()
	committed = true
	return nil
}

// endedBy returns err, made to carry ctx's error if ctx has ended: a write
// cut short by its request's end fails with what the driver says (on
// PostgreSQL, that the connection is closed), and the caller must still
// learn that the request ended, not the database (rules.Status).
func endedBy(ctx context.Context, err error) error {
	if cause := ctx.Err(); cause != nil && !errors.Is(err, cause) {
		return fmt.Errorf("%w: %w", cause, err)
	}
	return err
}

// read runs fn in a read-only transaction over one snapshot.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.DB.BeginTx(ctx, s.Dialect.ReadOptions())
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// validID reports whether id can name a row. Ids from clients that are not
// UUIDs name nothing, and are never sent to a database that would reject them.
func validID(id string) bool { return strata.IsID(id) }

// nullString maps "" to NULL.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// ptr returns a pointer to the string of n, or nil when n is NULL.
func ptr(n sql.NullString) *string {
	if !n.Valid {
		return nil
	}
	return &n.String
}

// timeOf converts stored milliseconds to a UTC time.
func timeOf(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
