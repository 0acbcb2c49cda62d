package sqlite

import "container/list"
import "context"
import "database/sql"
import "database/sql/driver"
import "reflect"
import "strings"

// A statement cache for every connection.
//
// database/sql prepares a statement for each query it is given and finalizes
// it after: for SQLite, parsing and planning the SQL, every time. Under load
// that was a fifth of the server's CPU (BENCHMARKS.md). The connector below
// wraps each connection of the driver so that QueryContext and ExecContext
// keep their prepared statements, by SQL text, and reuse them: the store
// code stays plain database/sql.
//
// A cached statement serves one query at a time: while the rows of one use
// are open, a second use of the same text on the connection (a query nested
// in a scan) is prepared apart, as without the cache. SQLite re-prepares a
// statement by itself when the schema changes under it.

// stmtCacheSize is how many statements each connection keeps.
const stmtCacheSize = 128

// maxIdleConns is how many connections, with their caches (statements and
// up to 2 MiB of pages each), wait for the next request rather than close.
// database/sql keeps 2 by default: under concurrent requests every other
// one then opened a connection, set its pragmas, and parsed every statement.
const maxIdleConns = 32

// openDB opens the database the driver registered as "sqlite" (with the
// functions registered on it) through a connector that caches statements.
func openDB(dsn string, ckpt *checkpointer) (*sql.DB, error) {
	base, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	drv := base.Driver()
	base.Close()
	db := sql.OpenDB(&connector{dsn: dsn, drv: drv, ckpt: ckpt})
	db.SetMaxIdleConns(maxIdleConns)
	return db, nil
}

// connector opens connections of the driver, each with a statement cache.
type connector struct {
	dsn  string
	drv  driver.Driver
	ckpt *checkpointer // of large commits (checkpoint.go)
}

func (c *connector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return newCachingConn(conn, c.ckpt), nil
}

func (c *connector) Driver() driver.Driver { return c.drv }

// inner is what the driver's connections implement, and the cache uses.
type inner interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.SessionResetter
	driver.Validator
	driver.Pinger
}

// cachingConn is a connection with a statement cache. database/sql uses a
// connection from one goroutine at a time, so the cache needs no lock.
type cachingConn struct {
	inner
	byText map[string]*list.Element // of *cachedStmt
	lru    list.List                // most recently used first

	ckpt   *checkpointer // of large commits (checkpoint.go); nil: none
	broken bool          // its state is not the store's: not to be reused
}

type cachedStmt struct {
	text    string
	stmt    driver.Stmt
	busy    bool // rows of it are open
	evicted bool // left the cache while busy: close it when free
}

func newCachingConn(c driver.Conn, ckpt *checkpointer) driver.Conn {
	in, ok := c.(inner)
	if !ok {
		return c // not the driver this was written for: no cache
	}
	return &cachingConn{inner: in, byText: map[string]*list.Element{}, ckpt: ckpt}
}

// BeginTx begins a transaction; a write transaction's commit may leave its
// checkpoint to the store (checkpoint.go).
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.inner.BeginTx(ctx, opts)
	if err != nil || opts.ReadOnly || c.ckpt == nil {
		return tx, err
	}
	return &writeTx{Tx: tx, c: c}, nil
}

// IsValid is false for a connection that must not be reused.
func (c *cachingConn) IsValid() bool { return !c.broken && c.inner.IsValid() }

// cacheable reports whether a statement is worth keeping: one statement
// (a script, such as a migration, runs once).
func cacheable(query string) bool {
	return !strings.Contains(strings.TrimRight(query, "; \t\n"), ";")
}

// take returns the cached statement of query, prepared if need be, marked
// busy; nil when it cannot be used now.
func (c *cachingConn) take(ctx context.Context, query string) (*cachedStmt, error) {
	if !cacheable(query) {
		return nil, nil
	}
	if e, ok := c.byText[query]; ok {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.lru.MoveToFront(e)
		cs.busy = true
		return cs, nil
	}
	st, err := c.inner.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{text: query, stmt: st, busy: true}
	c.byText[query] = c.lru.PushFront(cs)
	for c.lru.Len() > stmtCacheSize {
		old := c.lru.Back()
		c.lru.Remove(old)
		ocs := old.Value.(*cachedStmt)
		delete(c.byText, ocs.text)
		if ocs.busy {
			ocs.evicted = true
		} else {
			ocs.stmt.Close()
		}
	}
	return cs, nil
}

// release makes a statement available again.
func (c *cachingConn) release(cs *cachedStmt) {
	cs.busy = false
	if cs.evicted {
		cs.stmt.Close()
	}
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.inner.ExecContext(ctx, query, args)
	}
	defer c.release(cs)
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.inner.QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		c.release(cs)
		return nil, err
	}
	return &cachedRows{Rows: rows, release: func() { c.release(cs) }}, nil
}

// Close finalizes the cached statements, then closes the connection.
func (c *cachingConn) Close() error {
	for e := c.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).stmt.Close()
	}
	c.lru.Init()
	clear(c.byText)
	return c.inner.Close()
}

// cachedRows frees its statement when closed, and passes on the column
// types the driver's rows know.
type cachedRows struct {
	driver.Rows
	release func()
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.release != nil {
		r.release()
		r.release = nil
	}
	return err
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}
