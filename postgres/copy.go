package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// CopyRows writes rows with COPY ... FROM STDIN (binary), through pgx's
// CopyFrom on the connection that holds the transaction: an import's batches
// of revisions cost PostgreSQL no statement to parse and plan, and their
// values no text to read (sqlstore.Copier).
func (dialect) CopyRows(ctx context.Context, conn *sql.Conn, table string, columns []string, rows [][]any) error {
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy to %s: connection is a %T, not pgx's", table, driverConn)
		}
		n, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
		if err == nil && n != int64(len(rows)) {
			err = fmt.Errorf("copy to %s: wrote %d rows of %d", table, n, len(rows))
		}
		return err
	})
}
