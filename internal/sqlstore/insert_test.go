package sqlstore

import "strconv"
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
