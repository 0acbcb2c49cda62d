// Package postgres is Strata's store on PostgreSQL (pgx v5), for more than one
// machine: any number of stateless servers can share one database, because
// every mutation locks its dataset row (SELECT ... FOR UPDATE) and commits
// with its version.
package postgres

import "context"
import "database/sql"
import "database/sql/driver"
import "embed"
import "errors"
import "fmt"
import "io"
import "net"
import "regexp"
import "strconv"
import "strings"

import "github.com/jackc/pgx/v5/pgconn"
import _ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

import "github.com/strata-eval/strata/internal/sqlstore"

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is a strata.Store on PostgreSQL.
type Store struct {
	*sqlstore.Store
	// Migrated names the migrations Open applied, in order.
	Migrated []string
}

// IsDSN reports whether dsn names a PostgreSQL database.
func IsDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") || keywordDSN.MatchString(dsn)
}

// keywordDSN is libpq's keyword/value form of a DSN ("host=db dbname=strata
// user=strata"): keyword=value settings, one of them a host or a database.
// Such a string is never taken for the name of a SQLite file.
var keywordDSN = regexp.MustCompile(`^\s*([a-z_]+\s*=\s*('([^'\\]|\\.)*'|\S*)\s*)*(host|hostaddr|dbname)\s*=`)

// migrationLock keeps two servers from migrating one database at once.
const migrationLock = `SELECT pg_advisory_xact_lock(7460239172)`

// Open connects to the database at dsn and brings its schema up to date.
func Open(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	migrated, err := sqlstore.MigrateDir(ctx, db, migrationFiles, "migrations", migrationLock)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return &Store{Store: sqlstore.New(db, dialect{}), Migrated: migrated}, nil
}

// dialect is what PostgreSQL does its own way. Errors are told apart by
// SQLSTATE, never by message.
type dialect struct{}

func (dialect) ForUpdate() string { return "FOR UPDATE" }

func (dialect) IndexedBy(string) string { return "" }

func (dialect) ByteOrder() string { return `COLLATE "C"` }

func (dialect) SortsInMemory() bool { return false }

func (dialect) IsUnique(err error) bool { return sqlState(err) == "23505" }

// IsRetryable is true for serialization failures and deadlocks.
func (dialect) IsRetryable(err error) bool {
	switch sqlState(err) {
	case "40001", "40P01":
		return true
	}
	return false
}

// IsUnavailable is true when the server could not be reached (a failed
// connection, a network error, a connection closed under a statement) or
// said it cannot serve now: connection exceptions (class 08), shutting
// down, starting up or crashed (57P01-57P03), too many connections (53300).
func (dialect) IsUnavailable(err error) bool {
	if state := sqlState(err); state != "" {
		switch state {
		case "57P01", "57P02", "57P03", "53300":
			return true
		}
		return strings.HasPrefix(state, "08")
	}
	var connect *pgconn.ConnectError
	var network net.Error
	return errors.As(err, &connect) || errors.As(err, &network) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

// ReadOptions give a repeatable-read snapshot: a dataset and its items are
// read as of one moment.
func (dialect) ReadOptions() *sql.TxOptions {
	return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
}

// SerializeWrites is false: the row lock orders the writers of one dataset,
// and writers of different datasets run in parallel.
func (dialect) SerializeWrites() bool { return false }

func sqlState(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func (dialect) Placeholder(i int) string { return "$" + strconv.Itoa(i) }
