package sqlstore_test

import (
	"strings"
	"testing"

	"github.com/strata-eval/strata/internal/testkit"
)

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
