package sqlstore

import "context"
import "database/sql"
import "fmt"

// Bulk loads.
//
// An import writes its revisions in batches (revisionInserter). A multi-row
// INSERT makes the database parse and plan a statement of thousands of
// parameters per batch; a dialect that has a bulk load protocol
// (PostgreSQL's COPY) implements Copier, and an import's batches go through
// it instead, in the same transaction: all or nothing as before.
//
// database/sql reaches a driver's own API only through a *sql.Conn
// (Conn.Raw), not through a *sql.Tx: a store whose dialect is a Copier
// begins each write transaction on a Conn it holds for the transaction's
// life (writeOnce), and keeps the Conn of each open transaction here.

// Copier is a Dialect with a bulk load.
type Copier interface {
	// CopyRows writes rows, each the values of columns in order, to table,
	// in the transaction open on conn. It may change the values of rows.
	CopyRows(ctx context.Context, conn *sql.Conn, table string, columns []string, rows [][]any) error
}

// minCopyRows is the smallest batch worth a bulk load: PostgreSQL's COPY
// costs a round trip more than an INSERT.
const minCopyRows = 16

// beginTx begins a write transaction, on a Conn of its own when the dialect
// is a Copier. done must be called when the transaction has ended.
func (s *Store) beginTx(ctx context.Context) (tx *sql.Tx, done func(), err error) {
	if _, ok := s.Dialect.(Copier); !ok {
		tx, err := s.DB.BeginTx(ctx, nil)
		return tx, func() {}, err
	}
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	tx, err = conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	s.txConns.Store(tx, conn)
	return tx, func() {
		s.txConns.Delete(tx)
		conn.Close()
	}, nil
}

// copier returns the bulk load of tx, if it has one.
func (s *Store) copier(tx *sql.Tx) (Copier, *sql.Conn) {
	c, ok := s.Dialect.(Copier)
	if !ok {
		return nil, nil
	}
	conn, ok := s.txConns.Load(tx)
	if !ok {
		return nil, nil
	}
	return c, conn.(*sql.Conn)
}

// revisionCopyColumns are the columns of a revision row, in the order of
// revisionInserter's values.
var revisionCopyColumns = []string{"id", "dataset_id", "item_id", "seq", "first_version", "last_version",
	"input", "ground_truth", "output",
	"evaluator_result_1", "evaluator_result_2", "evaluator_result_3", "evaluator_result_4", "evaluator_result_5",
	"created_at", "updated_at", "metadata", "splits", "external_id"}

// copyRevisions writes the inserter's rows with the dialect's bulk load.
func (ins *revisionInserter) copyRevisions(ctx context.Context) error {
	rows := make([][]any, ins.n)
	for i := range rows {
		rows[i] = ins.rows[i*revisionFields : (i+1)*revisionFields : (i+1)*revisionFields]
	}
	err := ins.copy.CopyRows(ctx, ins.conn, "revisions", revisionCopyColumns, rows)
	if ins.dialect.IsUnique(err) {
		return errExternalIDClash
	} else if err != nil {
		return fmt.Errorf("copy revisions: %w", err)
	}
	ins.copied.Add(int64(ins.n))
	return nil
}

// CopiedRows is how many revisions the store has written by bulk load
// (committed or not), for tests and metrics.
func (s *Store) CopiedRows() int64 { return s.copied.Load() }
