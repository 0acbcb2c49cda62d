package storetest

import "fmt"
import "slices"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

// history is the revisions of an item, oldest first, as ItemHistory calls
// with them.
func (f *fixture) history(datasetID, itemID string) ([]*strata.Revision, error) {
	var revs []*strata.Revision
	err := f.s.ItemHistory(f.ctx, f.actor.ProjectID, datasetID, itemID, func(r *strata.Revision) error {
		revs = append(revs, r)
		return nil
	})
	return revs, err
}

// tag points a tag at a version; moved is the version it pointed at before.
func (f *fixture) tag(datasetID, ref, name string) (v *strata.Version, moved *int) {
	f.tb.Helper()
	v, moved, err := f.s.TagVersion(f.ctx, f.actor, datasetID, ref, name)
	if err != nil {
		f.tb.Fatalf("tag %s as %s: %v", ref, name, err)
	}
	return v, moved
}

func testRefs(t *testing.T, open Opener) {
	t.Run("Resolve", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		v2 := f.snapshot(d.ID)
		v3 := f.snapshot(d.ID)
		if _, _, err := f.s.TagVersion(f.ctx, f.actor, d.ID, "2", "baseline"); err != nil {
			t.Fatal(err)
		}
		for ref, want := range map[string]*strata.Version{
			v2.ID: v2, strings.ToUpper(v2.ID): v2, "2": v2, "3": v3, "latest": v3, "baseline": v2, "1": nil,
		} {
			got, err := f.s.ResolveVersion(f.ctx, f.actor.ProjectID, d.ID, ref)
			if err != nil {
				t.Fatalf("resolve %q: %v", ref, err)
			}
			if want != nil && got.ID != want.ID {
				t.Fatalf("resolve %q = version %d, want %d", ref, got.Number, want.Number)
			}
		}
		for _, ref := range []string{"4", "0", "-1", "", "a b", "nope", "00000000-0000-0000-0000-000000000000",
			"working", "1.0", "12345678901", strings.Repeat("x", 65)} {
			_, err := f.s.ResolveVersion(f.ctx, f.actor.ProjectID, d.ID, ref)
			wantCode(t, err, strata.ENOTFOUND)
			if got, want := strata.ErrorMessage(err), "Dataset version not found"; got != want {
				t.Fatalf("resolve %q: message %q, want %q", ref, got, want)
			}
		}
		other := f.dataset("other")
		_, err := f.s.ResolveVersion(f.ctx, f.actor.ProjectID, other.ID, "baseline")
		wantCode(t, err, strata.ENOTFOUND)
		_, err = f.s.ResolveVersion(f.ctx, f.actor.ProjectID, other.ID, v2.ID)
		wantCode(t, err, strata.ENOTFOUND)
		// Restore takes refs too.
		_, rv, err := f.s.RestoreVersion(f.ctx, f.actor, d.ID, "baseline")
		if err != nil {
			t.Fatalf("restore by tag: %v", err)
		}
		wantPtr(t, "restored from", rv.RestoredFromVersionID, v2.ID)
	})

	t.Run("Tags", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		f.snapshot(d.ID)
		f.snapshot(d.ID)
		v, moved := f.tag(d.ID, "2", "prod")
		wantNil(t, "moved from", moved)
		wantEq(t, "tagged version", v.Number, 2)
		if !slices.Equal(v.Tags, []string{"prod"}) {
			t.Fatalf("tags = %q", v.Tags)
		}
		v, moved = f.tag(d.ID, "2", "Alpha.1")
		wantNil(t, "second tag moved from", moved)
		if !slices.Equal(v.Tags, []string{"Alpha.1", "prod"}) {
			t.Fatalf("tags after a second tag = %q", v.Tags)
		}
		// Tagging again where it is changes nothing, the ETag included.
		before := f.find(d.ID).ETag
		cond := &strata.Condition{IfMatch: before}
		v, moved, err := f.s.TagVersion(strata.WithCondition(f.ctx, cond), f.actor, d.ID, "2", "prod")
		if err != nil {
			t.Fatal(err)
		}
		wantNil(t, "retag moved from", moved)
		if !slices.Equal(v.Tags, []string{"Alpha.1", "prod"}) {
			t.Fatalf("tags after a retag = %q", v.Tags)
		}
		wantEq(t, "ETag after a retag", f.find(d.ID).ETag, before)
		wantEq(t, "ETag reported after a retag", cond.ETag(), before)
		// Moving says where from.
		v, moved = f.tag(d.ID, "latest", "prod")
		wantPtr(t, "moved from", moved, 2)
		wantEq(t, "moved to", v.Number, 3)
		if !slices.Equal(v.Tags, []string{"prod"}) {
			t.Fatalf("tags of the version moved to = %q", v.Tags)
		}
		list, err := f.s.ListVersions(f.ctx, f.actor.ProjectID, d.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got [][]string
		for _, v := range list {
			got = append(got, v.Tags)
		}
		if want := [][]string{{"prod"}, {"Alpha.1"}, {}}; !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("tags of versions 3, 2, 1 = %q, want %q", got, want)
		}
		tags := f.tags(d.ID)
		wantEq(t, "tags", len(tags), 2)
		wantEq(t, "first tag", tags[0].Name, "Alpha.1")
		wantEq(t, "first tag's version", tags[0].VersionNumber, 2)
		wantEq(t, "second tag", tags[1].Name, "prod")
		wantEq(t, "second tag's version", tags[1].VersionNumber, 3)
		// A tag is per dataset.
		other := f.dataset("other")
		v, _ = f.tag(other.ID, "1", "prod")
		wantEq(t, "dataset of the same tag", v.DatasetID, other.ID)
		for _, name := range []string{"", strings.Repeat("a", 65), "a/b", "a b", "é", "1", "42", "1.5", "-3", "1e5", "latest",
			"LATEST", "working", "0190d7a1-0000-7000-8000-000000000000", ".", ".."} {
			_, _, err := f.s.TagVersion(f.ctx, f.actor, d.ID, "1", name)
			wantCode(t, err, strata.EINVALID)
		}
		if _, _, err := f.s.TagVersion(f.ctx, f.actor, d.ID, strings.Repeat("a", 64), "x"); strata.ErrorCode(err) != strata.ENOTFOUND {
			t.Fatalf("tag of an unknown ref: %v", err)
		}
		_, _, err = f.s.TagVersion(f.ctx, f.actor, d.ID, "9", "x")
		wantCode(t, err, strata.ENOTFOUND)

		// Untag: from the version it names, or from wherever it is.
		wantCode(t, f.s.UntagVersion(f.ctx, f.actor, d.ID, "2", "prod"), strata.ENOTFOUND)
		if err := f.s.UntagVersion(f.ctx, f.actor, d.ID, "3", "prod"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.s.UntagVersion(f.ctx, f.actor, d.ID, "", "prod"), strata.ENOTFOUND)
		if err := f.s.UntagVersion(f.ctx, f.actor, d.ID, "", "Alpha.1"); err != nil {
			t.Fatal(err)
		}
		_, err = f.s.ResolveVersion(f.ctx, f.actor.ProjectID, d.ID, "prod")
		wantCode(t, err, strata.ENOTFOUND)
		if err := f.s.DeleteDataset(f.ctx, f.actor, other.ID); err != nil {
			t.Fatalf("delete a tagged dataset: %v", err)
		}
	})

	t.Run("ETag", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		seen := map[string]bool{d.ETag: true}
		// Every write below runs under one Condition without If-Match: it
		// checks nothing and records each new ETag.
		cond := &strata.Condition{}
		ctx := strata.WithCondition(f.ctx, cond)
		a := f.actor
		step := func(name string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			etag := f.find(d.ID).ETag
			if seen[etag] {
				t.Fatalf("%s: ETag %s seen before", name, etag)
			}
			if got := cond.ETag(); got != etag {
				t.Fatalf("%s: the condition recorded %q, the dataset has %q", name, got, etag)
			}
			seen[etag] = true
		}
		it, err := f.s.CreateItem(ctx, a, d.ID, strata.ItemInput{Input: "a"}, skip)
		step("create item", err)
		_, err = f.s.UpdateItem(ctx, a, d.ID, it.ID, strata.ItemUpdate{Input: str("b")}, skip)
		step("update item", err)
		_, got, err := f.s.CreateVersion(ctx, a, d.ID, strata.VersionCreate{})
		step("snapshot", err)
		if got.ETag != cond.ETag() {
			t.Fatalf("snapshot returned the dataset with ETag %s, want the new %s", got.ETag, cond.ETag())
		}
		_, _, err = f.s.TagVersion(ctx, a, d.ID, "latest", "t")
		step("tag", err)
		_, err = f.s.UpdateDataset(ctx, a, d.ID, strata.DatasetUpdate{Name: str("renamed")}, skip)
		step("rename", err)

		// Duplicating only reads its source.
		before := f.find(d.ID).ETag
		if _, err := f.s.DuplicateDataset(ctx, f.actor, d.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.find(d.ID).ETag; got != before {
			t.Fatalf("duplicate changed the source's ETag: %s -> %s", before, got)
		}
		wantEq(t, "ETag the condition holds after a duplicate", cond.ETag(), before)

		// A context without a Condition writes unconditionally.
		if _, err := f.s.UpdateDataset(f.ctx, f.actor, d.ID, strata.DatasetUpdate{Name: str("again")}, skip); err != nil {
			t.Fatal(err)
		}
		wantEq(t, "ETag a write under another context leaves the condition", cond.ETag(), before)
		before = f.find(d.ID).ETag

		// If-Match: a stale ETag changes nothing; the current one, or *, passes.
		stale := strata.WithCondition(f.ctx, &strata.Condition{IfMatch: d.ETag})
		_, err = f.s.CreateItem(stale, f.actor, d.ID, strata.ItemInput{Input: "lost"}, strata.WriteOptions{})
		wantCode(t, err, strata.EPRECONDITION)
		wantCode(t, f.s.DeleteItem(stale, f.actor, d.ID, it.ID, skip), strata.EPRECONDITION)
		_, _, err = f.s.CreateVersion(stale, f.actor, d.ID, strata.VersionCreate{})
		wantCode(t, err, strata.EPRECONDITION)
		wantCode(t, f.s.DeleteDataset(stale, f.actor, d.ID), strata.EPRECONDITION)
		got = f.find(d.ID)
		wantEq(t, "etag after refused writes", got.ETag, before)
		wantEq(t, "items after refused writes", got.ItemCount, 1)
		wantEq(t, "version after refused writes", got.CurrentVersionNumber, 2)
		for _, list := range []func(etag string) string{
			func(etag string) string { return etag },
			func(etag string) string { return `"x", ` + etag },
			func(string) string { return "*" },
		} {
			ifMatch := list(before)
			ok := strata.WithCondition(f.ctx, &strata.Condition{IfMatch: ifMatch})
			if _, err := f.s.UpdateItem(ok, f.actor, d.ID, it.ID, strata.ItemUpdate{Input: str(ifMatch)}, skip); err != nil {
				t.Fatalf("If-Match %s: %v", ifMatch, err)
			}
			before = f.find(d.ID).ETag
		}
		weak := strata.WithCondition(f.ctx, &strata.Condition{IfMatch: "W/" + before})
		_, err = f.s.UpdateItem(weak, f.actor, d.ID, it.ID, strata.ItemUpdate{Input: str("w")}, skip)
		wantCode(t, err, strata.EPRECONDITION)

		// A condition guards the first write made under it: a request that
		// writes twice is checked once. A write that keeps the ETag (a run
		// recorded as started) neither checks nor meets it.
		twiceCond := &strata.Condition{IfMatch: before}
		twice := strata.WithCondition(f.ctx, twiceCond)
		for i := range 2 {
			if _, err := f.s.UpdateItem(twice, f.actor, d.ID, it.ID, strata.ItemUpdate{Input: str(fmt.Sprint(i))}, skip); err != nil {
				t.Fatalf("write %d with one condition: %v", i, err)
			}
		}
		wantEq(t, "ETag recorded by the second write", twiceCond.ETag(), f.find(d.ID).ETag)
		refused := strata.WithCondition(f.ctx, &strata.Condition{IfMatch: before})
		if _, err := f.s.CreateRun(refused, f.actor, d.ID, strata.RunStart{TotalItems: 1}); err != nil {
			t.Fatalf("record a run under a stale condition: %v", err)
		}
		_, err = f.s.UpdateItem(refused, f.actor, d.ID, it.ID, strata.ItemUpdate{Input: str("late")}, skip)
		wantCode(t, err, strata.EPRECONDITION)

		// Renaming a run keeps the ETag, but a condition guards it: a
		// stale one renames nothing, the current one is met by the ETag
		// as it is.
		run, err := f.s.CreateRun(f.ctx, f.actor, d.ID, strata.RunStart{TotalItems: 1})
		if err != nil {
			t.Fatal(err)
		}
		current := f.find(d.ID).ETag
		_, err = f.s.RenameRun(strata.WithCondition(f.ctx, &strata.Condition{IfMatch: before}), f.actor, d.ID, run.ID, str("stale"))
		wantCode(t, err, strata.EPRECONDITION)
		met := &strata.Condition{IfMatch: current}
		renamed, err := f.s.RenameRun(strata.WithCondition(f.ctx, met), f.actor, d.ID, run.ID, str("current"))
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "run name", *renamed.Name, "current")
		wantEq(t, "ETag the rename's condition holds", met.ETag(), current)
		wantEq(t, "ETag after a rename", f.find(d.ID).ETag, current)
	})

	t.Run("HistoryTail", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a := f.item(d.ID, "e0", strata.WriteOptions{})
		for i := 1; i <= 4; i++ { // each edit snapshots: e0 to e3 closed, e4 open
			if _, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, a.ID, strata.ItemUpdate{Input: str("e" + itoa(i))}, strata.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		all, err := f.history(d.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 3, 5, 9} {
			revs, total, err := f.s.ItemHistoryTail(f.ctx, f.actor.ProjectID, d.ID, a.ID, n)
			if err != nil {
				t.Fatal(err)
			}
			want := all[max(0, len(all)-n):]
			if total != len(all) || len(revs) != len(want) {
				t.Fatalf("tail of %d: %d revisions of %d, want %d of %d", n, len(revs), total, len(want), len(all))
			}
			for i := range revs {
				if revs[i].Input != want[i].Input || revs[i].FirstVersion != want[i].FirstVersion {
					t.Fatalf("tail of %d, revision %d: %q from version %d, want %q from %d",
						n, i, revs[i].Input, revs[i].FirstVersion, want[i].Input, want[i].FirstVersion)
				}
			}
		}
	})

	t.Run("History", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a := f.item(d.ID, "a1", skip) // draft, edited in place
		if _, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, a.ID, strata.ItemUpdate{Input: str("a2")}, skip); err != nil {
			t.Fatal(err)
		}
		f.snapshot(d.ID) // 2
		f.snapshot(d.ID) // 3
		if _, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, a.ID, strata.ItemUpdate{SetOutput: true, Output: str("o")}, strata.WriteOptions{}); err != nil {
			t.Fatal(err)
		} // 4
		type rng struct {
			input       string
			first, last int // 0: open
		}
		ranges := func(revs []*strata.Revision) []rng {
			t.Helper()
			var out []rng
			for _, r := range revs {
				last := 0
				if r.LastVersion != nil {
					last = *r.LastVersion
				}
				wantEq(t, "revision's item", r.ID, a.ID)
				wantEq(t, "revision's dataset", r.DatasetID, d.ID)
				out = append(out, rng{r.Input, r.FirstVersion, last})
			}
			return out
		}
		history := func() []rng {
			t.Helper()
			revs, err := f.history(d.ID, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			return ranges(revs)
		}
		if got, want := history(), []rng{{"a2", 2, 4}, {"a2", 4, 0}}; !slices.Equal(got, want) {
			t.Fatalf("history = %v, want %v", got, want)
		}
		// The tail is the newest of the same revisions, and the count of all.
		tail := func(n int) ([]rng, int) {
			t.Helper()
			revs, total, err := f.s.ItemHistoryTail(f.ctx, f.actor.ProjectID, d.ID, a.ID, n)
			if err != nil {
				t.Fatal(err)
			}
			return ranges(revs), total
		}
		for n, want := range map[int][]rng{1: {{"a2", 4, 0}}, 2: {{"a2", 2, 4}, {"a2", 4, 0}}, 5: {{"a2", 2, 4}, {"a2", 4, 0}}} {
			if got, total := tail(n); !slices.Equal(got, want) || total != 2 {
				t.Errorf("tail of %d = %v of %d, want %v of 2", n, got, total, want)
			}
		}
		if err := f.s.DeleteItem(f.ctx, f.actor, d.ID, a.ID, strata.WriteOptions{}); err != nil {
			t.Fatal(err)
		} // 5
		if got, want := history(), []rng{{"a2", 2, 4}, {"a2", 4, 5}}; !slices.Equal(got, want) {
			t.Fatalf("history after delete = %v, want %v", got, want)
		}
		if got, total := tail(1); !slices.Equal(got, []rng{{"a2", 4, 5}}) || total != 2 {
			t.Errorf("tail of a deleted item = %v of %d, want its newest closed revision of 2", got, total)
		}
		// A draft deleted before any snapshot left nothing.
		gone := f.item(d.ID, "gone", skip)
		f.remove(d.ID, gone.ID, skip)
		for _, id := range []string{gone.ID, f.item(f.dataset("other").ID, "x", skip).ID, "00000000-0000-0000-0000-000000000000", "x"} {
			_, err := f.history(d.ID, id)
			wantCode(t, err, strata.ENOTFOUND)
			if got, want := strata.ErrorMessage(err), "Dataset item not found"; got != want {
				t.Fatalf("message = %q, want %q", got, want)
			}
			_, _, err = f.s.ItemHistoryTail(f.ctx, f.actor.ProjectID, d.ID, id, 3)
			wantCode(t, err, strata.ENOTFOUND)
		}
	})
}
