package sqlite_test

import "database/sql"
import "fmt"
import "path/filepath"
import "regexp"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/sqlite"

// BenchmarkRevisionKeys inserts open revisions of short items in one
// transaction, 500 rows a statement, as an import does, into the revisions
// table as migrated ("text": the dataset's and the revisions' ids are
// 36-byte text, repeated in the row and its indexes) and into the same
// table and indexes with the dataset column an integer ("int"), and the
// ids 16-byte blobs too ("blob"). It measures what narrower keys would
// save an import and the file (BENCHMARKS.md, eighth round); the store
// itself uses the first.
//
//	go test -run '^$' -bench RevisionKeys -benchtime 1x ./sqlite
func BenchmarkRevisionKeys(b *testing.B) {
	for _, rows := range []int{1_000_000, 4_000_000} {
		for _, keys := range []string{"text", "int", "blob"} {
			b.Run(fmt.Sprintf("%s/%d", keys, rows), func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					s, conn, dataset := revisionTable(b, keys)
					b.StartTimer()
					start := time.Now()
					insertRevisions(b, conn, dataset, keys == "blob", rows, 0)
					b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
					b.StopTimer()
					var pages, size int64
					if err := conn.QueryRowContext(b.Context(), `SELECT page_count, page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&pages, &size); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(pages*size)/float64(rows), "file-B/row")
					conn.Close()
					s.Close()
					b.StartTimer()
				}
			})
		}
	}
}

// revisionTable opens a new store and returns a connection to it whose
// revisions table has the keys named, and the dataset value its rows take.
func revisionTable(b *testing.B, keys string) (*sqlite.Store, *sql.Conn, any) {
	b.Helper()
	ctx := b.Context()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "strata.db"))
	if err != nil {
		b.Fatal(err)
	}
	_, secret, err := s.CreateKey(ctx, strata.KeyCreate{ProjectName: "bench", Role: strata.RoleOwner, UserName: "Ada"})
	if err != nil {
		b.Fatal(err)
	}
	p, err := s.Authenticate(ctx, secret)
	if err != nil {
		b.Fatal(err)
	}
	d, err := s.CreateDataset(ctx, p.Actor(), strata.DatasetCreate{Name: "keys"})
	if err != nil {
		b.Fatal(err)
	}
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	// Foreign keys are not checked in any of the three: what is measured
	// is the width of the keys.
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		b.Fatal(err)
	}
	if keys == "text" {
		return s, conn, d.ID
	}
	// The same table and indexes, as SQLite keeps their statements, with
	// narrower keys and without the reference to datasets.
	var ddl []string
	rows, err := conn.QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE tbl_name = 'revisions' AND sql IS NOT NULL ORDER BY type DESC`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var stmt string
		if err := rows.Scan(&stmt); err != nil {
			b.Fatal(err)
		}
		ddl = append(ddl, stmt)
	}
	rows.Close()
	table := regexp.MustCompile(`dataset_id\s+TEXT NOT NULL REFERENCES datasets \(id\) ON DELETE CASCADE`)
	if !table.MatchString(ddl[0]) {
		b.Fatalf("the revisions table is not as this benchmark knows it:\n%s", ddl[0])
	}
	ddl[0] = table.ReplaceAllString(ddl[0], "dataset_id INTEGER NOT NULL")
	if keys == "blob" {
		ddl[0] = regexp.MustCompile(`\b(id|item_id)(\s+)TEXT NOT NULL`).ReplaceAllString(ddl[0], "$1$2BLOB NOT NULL")
	}
	for _, stmt := range append([]string{`DROP TABLE revision_splits`, `DROP TABLE revisions`}, ddl...) {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			b.Fatalf("%s: %v", stmt, err)
		}
	}
	return s, conn, int64(1)
}

// BenchmarkImportFloor inserts 880,000 open revisions of 1,200-byte items
// (the lines of `strata bench`'s default 1 GiB import) into the revisions
// table as migrated, in one transaction of 500-row statements, with nothing
// else on the connection's side: no HTTP, no parsing, no hashing, no
// foreign key check (one costs nothing measurable here). Its
// rows/s, before the commit, is what any import of such a file can reach on
// the machine through SQLite's one writer, the server's ceiling
// (BENCHMARKS.md, twelfth round).
//
//	go test -run '^$' -bench ImportFloor -benchtime 1x ./sqlite
func BenchmarkImportFloor(b *testing.B) {
	const rows = 880_000
	for b.Loop() {
		b.StopTimer()
		s, conn, dataset := revisionTable(b, "text")
		b.StartTimer()
		start := time.Now()
		committing := insertRevisions(b, conn, dataset, false, rows, 1200)
		b.ReportMetric(float64(rows)/committing.Sub(start).Seconds(), "rows/s-before-commit")
		b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
		b.StopTimer()
		conn.Close()
		s.Close()
		b.StartTimer()
	}
}

// insertRevisions inserts n open revisions in one transaction, of 90-byte
// inputs, or when lineBytes is set of inputs as long as `strata bench`'s
// for lines of that size, and 27-byte ground truths. It returns when the
// commit began.
func insertRevisions(b *testing.B, conn *sql.Conn, dataset any, blobs bool, n, lineBytes int) (committing time.Time) {
	b.Helper()
	const batch = 500
	ctx := b.Context()
	values := strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, 1, ?, ?, ?, ?),`, batch), ",")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO revisions (id, dataset_id, item_id, seq, first_version,
		input, ground_truth, created_at, updated_at) VALUES `+values)
	if err != nil {
		b.Fatal(err)
	}
	input, truth, now := strings.Repeat("How long do I have to return an item? ", 3)[:90], "Within 30 days of delivery.", time.Now().UnixMilli()
	if lineBytes > 0 {
		// The line's input: all of it but the JSON around it and the
		// ground truth, about 60 bytes.
		input = strings.Repeat("Question 1: a customer asks whether order #7919 can be returned. Context: lorem ipsum dolor sit amet", lineBytes/100+1)[:lineBytes-60]
	}
	args := make([]any, 0, batch*8)
	for seq := 0; seq < n; seq += batch {
		args = args[:0]
		for i := range batch {
			id, item := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
			var idv, itemv any = id.String(), item.String()
			if blobs {
				idv, itemv = id[:], item[:]
			}
			args = append(args, idv, dataset, itemv, seq+i+1, input, truth, now, now)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			b.Fatal(err)
		}
	}
	committing = time.Now()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return committing
}
