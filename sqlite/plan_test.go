package sqlite_test

import "strings"
import "testing"

import "github.com/strata-eval/strata/internal/testkit"

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
		got := testkit.QueryPlan(t, s.DB, `SELECT id, input FROM revisions
			WHERE dataset_id = $1 AND seq > $2 AND `+where+` ORDER BY seq LIMIT ($3 + 0)`, "d", 0, 100, 3)
		ok := false
		for _, index := range indexes {
			ok = ok || strings.Contains(got, "USING INDEX "+index+" (dataset_id=? AND seq>?)")
		}
		if !ok || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("plan of a page where %s: %s", where, got)
		}
	}
}

// TestClosedRevisionsPlan checks that what asks for the revisions a range
// of versions closed (a diff, a restore, the walk of content hashes) finds
// them on revisions_last, which holds closed revisions only: the query
// implies last_version IS NOT NULL, so the partial index serves it.
func TestClosedRevisionsPlan(t *testing.T) {
	s := testkit.SQLite(t)
	var schema string
	if err := s.DB.QueryRow(`SELECT sql FROM sqlite_master WHERE name = 'revisions_last'`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(schema, "WHERE last_version IS NOT NULL") {
		t.Errorf("revisions_last: %s, want it partial", schema)
	}
	for _, where := range []string{
		`last_version > $2 AND last_version <= $3 AND first_version <= $2`, // diff
		`+first_version <= $2 AND last_version > $2 AND +seq > $3`,         // restore
		`last_version >= $2 AND last_version < $3`,                         // content hashes
	} {
		got := testkit.QueryPlan(t, s.DB, `SELECT id FROM revisions WHERE dataset_id = $1 AND `+where, "d", 1, 3)
		if !strings.Contains(got, "USING INDEX revisions_last (dataset_id=? AND last_version>?") {
			t.Errorf("plan where %s: %s", where, got)
		}
	}
}
