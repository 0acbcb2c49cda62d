package sqlstore_test

import "strings"
import "testing"

import "github.com/strata-eval/strata/internal/testkit"

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

// The history of an item reads its revisions on the two partial indexes of
// an item's revisions: O(the item's revisions), not O(the dataset's closed
// revisions), which revisions_last would read.
func TestItemHistoryPlan(t *testing.T) {
	s := testkit.SQLite(t)
	got := testkit.QueryPlan(t, s.DB, s.ItemHistoryForTest(), "d", "i")
	for _, index := range []string{"revisions_closed_item", "revisions_open_item"} {
		if !strings.Contains(got, "USING INDEX "+index+" (dataset_id=? AND item_id=?)") {
			t.Errorf("plan of an item's history: %s, want it on %s", got, index)
		}
	}
}
