package postgres

import "context"
import "database/sql"
import "fmt"
import "slices"
import "sync"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"
import "github.com/jackc/pgx/v5/stdlib"

// CopyRows writes rows with COPY ... FROM STDIN (binary), through pgx's
// CopyFrom on the connection that holds the transaction: an import's batches
// of revisions cost PostgreSQL no statement to parse and plan, and their
// values no text to read (sqlstore.Copier). The ids the store holds as text
// are sent as the 16 bytes of a uuid column (pgx would otherwise fail to
// encode each, build an error, and fall back to parsing it as text); rows
// are changed in place.
func (dialect) CopyRows(ctx context.Context, conn *sql.Conn, table string, columns []string, rows [][]any) error {
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy to %s: connection is a %T, not pgx's", table, driverConn)
		}
		uuids, err := uuidColumns(ctx, c.Conn(), table)
		if err != nil {
			return err
		}
		var at []int
		for i, col := range columns {
			if slices.Contains(uuids, col) {
				at = append(at, i)
			}
		}
		for _, row := range rows {
			for _, i := range at {
				if s, ok := row[i].(string); ok {
					if u, err := uuid.Parse(s); err == nil {
						row[i] = [16]byte(u)
					}
				}
			}
		}
		n, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
		if err == nil && n != int64(len(rows)) {
			err = fmt.Errorf("copy to %s: wrote %d rows of %d", table, n, len(rows))
		}
		return err
	})
}

// uuidTables caches the uuid columns of each table copied to: the schema is
// the one the migrations made, the same in every database of this version.
var uuidTables sync.Map // table -> []string

// uuidColumns returns the columns of table whose type is uuid.
func uuidColumns(ctx context.Context, c *pgx.Conn, table string) ([]string, error) {
	if cols, ok := uuidTables.Load(table); ok {
		return cols.([]string), nil
	}
	rows, err := c.Query(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND data_type = 'uuid'`, table)
	if err != nil {
		return nil, fmt.Errorf("copy to %s: %w", table, err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("copy to %s: %w", table, err)
	}
	uuidTables.Store(table, cols)
	return cols, nil
}
