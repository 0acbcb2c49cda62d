package sqlstore_test

import "context"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/testkit"

// TestCheckFindsViolations breaks each invariant by hand and expects Check to
// name it. (storetest runs Check on both stores after its randomised runs,
// where it must find nothing.)
func TestCheckFindsViolations(t *testing.T) {
	for _, tc := range []struct {
		name, corrupt, want string
	}{
		{"Gap", `DELETE FROM versions WHERE number = 2`, "without a gap"},
		{"TwoOpen", `DROP INDEX revisions_open_item; UPDATE revisions SET item_id = (SELECT min(item_id) FROM revisions)`, "at most one open revision"},
		{"ItemCount", `UPDATE datasets SET item_count = item_count + 1`, "item count equals"},
		{"VersionCount", `UPDATE versions SET item_count = 7 WHERE number = 2`, "each version's item count"},
		{"Future", `UPDATE revisions SET first_version = 9`, "after the working version"},
		{"Seq", `UPDATE datasets SET next_seq = 1`, "fresh seq"},
		{"Slug", `UPDATE datasets SET slug = NULL`, "has a slug"},
		// PostgreSQL's revisions have no foreign key to datasets; SQLite's
		// must be turned off to leave revisions without their dataset.
		{"Orphan", `PRAGMA foreign_keys = OFF; DELETE FROM versions; DELETE FROM datasets`, "belongs to a dataset"},
		{"ContentHash", `UPDATE revisions SET output = 'changed behind the store''s back'`, "content hashes match"},
		{"MetadataHash", `UPDATE revisions SET metadata = '{"lang":"fr"}'`, "content hashes match"},
		{"SplitRowMissing", `DELETE FROM revision_splits WHERE split = 'train'`, "split index holds each"},
		{"SplitRowStray", `INSERT INTO revision_splits SELECT dataset_id, id, 'dev', seq FROM revisions`, "split index holds no other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := testkit.SQLite(t)
			a := testkit.Owner(t, s, "p")
			d := testkit.Dataset(t, s, a, "d")
			for _, in := range []string{"a", "b"} {
				if _, err := s.CreateItem(ctx, a, d.ID, strata.ItemInput{Input: in, Splits: []string{"test", "train"}}, strata.WriteOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			if v, err := s.Check(ctx); err != nil || len(v) != 0 {
				t.Fatalf("before: %v, %v", v, err)
			}
			if _, err := s.DB.Exec(tc.corrupt); err != nil {
				t.Fatal(err)
			}
			found, err := s.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for _, v := range found {
				all = append(all, v.String())
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Fatalf("Check = %q, want a violation of %q", all, tc.want)
			}
		})
	}
}
