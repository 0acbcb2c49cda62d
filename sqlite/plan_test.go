package sqlite_test

import (
	"strings"
	"testing"

	"github.com/strata-eval/strata/internal/testkit"
)

// TestVersionPagePlan checks that a page of a version tests each revision's
// life on the index: SQLite reads from the table only the rows the page
// returns, not the closed revisions between them.
func TestVersionPagePlan(t *testing.T) {
	s := testkit.SQLite(t)
	for where, indexes := range map[string][]string{
		// The working set: its own partial index, or the index of every
		// version.
		`last_version IS NULL`: {"revisions_open_seq", "revisions_seq_versions"},
		`first_version <= $4 AND (last_version IS NULL OR last_version > $4)`: {"revisions_seq_versions"},
	} {
		rows, err := s.DB.Query(`EXPLAIN QUERY PLAN SELECT id, input FROM revisions
			WHERE dataset_id = $1 AND seq > $2 AND `+where+` ORDER BY seq LIMIT ($3 + 0)`, "d", 0, 100, 3)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		got := strings.Join(plan, "; ")
		ok := false
		for _, index := range indexes {
			ok = ok || strings.Contains(got, "USING INDEX "+index+" (dataset_id=? AND seq>?)")
		}
		if !ok || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("plan of a page where %s: %s", where, got)
		}
	}
}
