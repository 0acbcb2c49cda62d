package sqlstore_test

import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/sqlstore"
import "github.com/strata-eval/strata/internal/testkit"
import "github.com/strata-eval/strata/storetest"

// A restore drops the drafts of the working version on the index of first
// versions: O(drafts). On the index of every version, which holds every
// column the statement tests, SQLite would read every revision of the
// dataset.
func TestDropDraftsPlan(t *testing.T) {
	s := testkit.SQLite(t)
	got := testkit.QueryPlan(t, s.DB, s.DropDraftsForTest(), "d", 3)
	if !strings.Contains(got, "USING INDEX revisions_first (dataset_id=? AND first_version=?)") {
		t.Errorf("plan of dropping drafts: %s", got)
	}
}

// The history of an item reads its closed revisions on the partial index of
// an item's closed revisions, in the order of their first versions: O(the
// item's revisions), not O(the dataset's closed revisions), which
// revisions_last or revisions_first would read, and nothing sorted (a sort
// would hold every revision of the item, content included, to return a
// chunk).
func TestItemHistoryPlan(t *testing.T) {
	s := testkit.SQLite(t)
	for name, c := range map[string]struct{ plan, search string }{
		"history":     {testkit.QueryPlan(t, s.DB, s.ClosedHistoryForTest(), "d", "i", 0, 64), "(dataset_id=? AND item_id=? AND first_version>?)"},
		"newest ones": {testkit.QueryPlan(t, s.DB, s.NewestClosedForTest(), "d", "i", 20), "(dataset_id=? AND item_id=?)"},
	} {
		if !strings.Contains(c.plan, "USING INDEX revisions_closed_item "+c.search) || strings.Contains(c.plan, "TEMP B-TREE") {
			t.Errorf("plan of an item's %s: %s, want it on revisions_closed_item, unsorted", name, c.plan)
		}
	}
}

// A diff of more changes than it sorts reads the keys of the dataset's
// revisions on the index of every revision by item, which gives them in the
// order the diff pairs them and holds all it tests: nothing sorted, so
// nothing held, and no row of the table read.
func TestDiffInItemOrderPlan(t *testing.T) {
	s := testkit.SQLite(t)
	got := testkit.QueryPlan(t, s.DB, sqlstore.DiffInItemOrderQuery, "d", 1, 2)
	if !strings.Contains(got, "USING COVERING INDEX revisions_seq_versions (dataset_id=?)") || strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("plan of a diff in item order: %s, want it on revisions_seq_versions, covering, unsorted", got)
	}
}

// The same diffs, read in item order: every diff of more than one changed
// revision takes that path.
func TestDiffInItemOrder(t *testing.T) {
	defer sqlstore.SetMaxSortedKeys(1)()
	storetest.RunDiff(t, func(tb testing.TB) strata.Store { return testkit.SQLite(tb) })
}
