package sqlstore

import "database/sql"
import "strconv"
import "strings"
import "testing"

// placeholders is a Dialect with only a placeholder style.
type placeholders struct {
	Dialect
	dollar bool
}

func (p placeholders) Placeholder(i int) string {
	if p.dollar {
		return "$" + strconv.Itoa(i)
	}
	return "?"
}

// The statement of a full batch is built once per placeholder style, and
// is the one built for it.
func TestInsertStatementKeptPerStyle(t *testing.T) {
	for _, d := range []placeholders{{dollar: false}, {dollar: true}, {dollar: false}} {
		if got, want := insertStatement(d, insertBatch), buildInsertStatement(d, insertBatch); got != want {
			t.Fatalf("dollar=%v: kept statement differs from the one built (%.80s...)", d.dollar, got)
		}
		if allocs := testing.AllocsPerRun(10, func() { insertStatement(d, insertBatch) }); allocs > 4 { // building it takes thousands
			t.Errorf("dollar=%v: %v allocations for a full batch's statement", d.dollar, allocs)
		}
	}
	if a, b := insertStatement(placeholders{}, 3), buildInsertStatement(placeholders{}, 3); a != b {
		t.Fatalf("3 rows: %s, want %s", a, b)
	}
}

// A full batch of new open revisions of one first version and time binds
// 10 values a revision and writes the rest as literals; a revision that is
// closed, has a result or another time makes the batch bind all 19, as a
// batch that is not full does.
func TestUniformBatchBindsFewerValues(t *testing.T) {
	for _, d := range []placeholders{{dollar: false}, {dollar: true}} {
		ins := &revisionInserter{dialect: d, datasetID: "ds", maxRows: insertBatch + 1, maxBytes: insertBatchBytes}
		rev := func(i int) *revision {
			return &revision{id: "r" + strconv.Itoa(i), itemID: "i" + strconv.Itoa(i), seq: int64(i), firstVersion: 3,
				createdAt: 1000, updatedAt: 1000, input: "x", counted: true}
		}
		add := func(r *revision) {
			t.Helper()
			if err := ins.add(t.Context(), r); err != nil {
				t.Fatal(err)
			}
		}
		for i := range insertBatch - 1 {
			add(rev(i))
		}
		if q, args := ins.statement(); len(args) != (insertBatch-1)*revisionFields || q != insertStatement(d, insertBatch-1) {
			t.Fatalf("dollar=%v: a batch short of full binds %d values, want all %d", d.dollar, len(args), (insertBatch-1)*revisionFields)
		}
		add(rev(insertBatch - 1))
		q, args := ins.statement()
		if len(args) != 10*insertBatch || args[0] != "r0" || args[1] != "ds" || args[2] != "i0" || args[3] != int64(0) || args[10] != "r1" {
			t.Fatalf("dollar=%v: %d arguments (%v...), want 10 a revision", d.dollar, len(args), args[:12])
		}
		params := strings.Count(q, "?") + strings.Count(q, "$")
		if params != 10*insertBatch || !strings.Contains(q, ", 3, NULL, ") || !strings.Contains(q, ", 1000, 1000, ") {
			t.Fatalf("dollar=%v: statement with %d parameters: %.300s", d.dollar, params, q)
		}
		for _, change := range []func(r *revision){
			func(r *revision) { r.results[2] = sql.NullString{String: "{}", Valid: true} },
			func(r *revision) { r.lastVersion = sql.NullInt64{Int64: 4, Valid: true} },
			func(r *revision) { r.updatedAt++ },
			func(r *revision) { r.firstVersion-- },
		} {
			ins.uniform = true
			ins.rows, ins.n = ins.rows[:(insertBatch-1)*revisionFields], insertBatch-1
			r := rev(insertBatch - 1)
			change(r)
			add(r)
			if q, args := ins.statement(); len(args) != insertBatch*revisionFields || q != insertStatement(d, insertBatch) {
				t.Fatalf("dollar=%v: a batch with %+v binds %d values, want all %d", d.dollar, r, len(args), insertBatch*revisionFields)
			}
		}
	}
}
