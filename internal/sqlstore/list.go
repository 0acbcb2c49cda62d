package sqlstore

import "context"
import "fmt"
import "strconv"
import "strings"

// eachRow runs query and calls fn with each row as scan reads it, so that a
// list of any length is never held whole: the caller sends or keeps what it
// needs of each row. It stops at fn's first error and returns it as it is;
// the database's errors are wrapped in what.
func eachRow[T any](ctx context.Context, q querier, what, query string, args []any, scan func(scanner) (T, error), fn func(T) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// inList returns the parameters of an IN list of values, numbered
// from first ("$3, $4, $5"), and the values as arguments to append.
func inList[T any](first int, values []T) (string, []any) {
	var b strings.Builder
	args := make([]any, len(values))
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(first+i))
		args[i] = v
	}
	return b.String(), args
}
