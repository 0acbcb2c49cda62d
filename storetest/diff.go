package storetest

import "fmt"
import "slices"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

// diffOf returns a whole diff, or fails.
func (f *fixture) diffOf(datasetID, from, to string, limit int, after int64) *strata.Diff {
	f.tb.Helper()
	d, err := f.s.DiffVersions(f.ctx, strata.DiffQuery{ProjectID: f.actor.ProjectID, DatasetID: datasetID, From: from, To: to, Limit: limit, AfterSeq: after})
	if err != nil {
		f.tb.Fatalf("diff %s..%s: %v", from, to, err)
	}
	return d
}

// DiffSummary renders a diff's counts and changes, e.g. "+1 -0 ~1 =2 [added:c modified:a>A]":
// each change is its kind and the inputs of its item before and after. The
// API's tests read the diffs they receive in the same notation.
func DiffSummary(d *strata.Diff) string {
	var cs []string
	for _, c := range d.Changes {
		s := string(c.Kind) + ":"
		if c.Before != nil {
			s += c.Before.Input
		}
		if c.Before != nil && c.After != nil {
			s += ">"
		}
		if c.After != nil {
			s += c.After.Input
		}
		cs = append(cs, s)
	}
	return fmt.Sprintf("+%d -%d ~%d =%d [%s]", d.Added, d.Removed, d.Modified, d.Unchanged, strings.Join(cs, " "))
}

func testDiff(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a := f.item(d.ID, "a", skip)
		b := f.item(d.ID, "b", skip)
		f.item(d.ID, "c", skip)
		f.snapshot(d.ID) // 2: a b c
		f.update(d.ID, a.ID, "A", skip)
		f.remove(d.ID, b.ID, skip)
		f.item(d.ID, "d", skip)
		tmp := f.item(d.ID, "tmp", skip)
		f.snapshot(d.ID) // 3: A c d tmp
		f.remove(d.ID, tmp.ID, skip)
		f.snapshot(d.ID) // 4: A c d
		// Working: A c d e.
		f.item(d.ID, "e", skip)

		for _, c := range []struct{ from, to, want string }{
			{"2", "4", "+1 -1 ~1 =1 [modified:a>A removed:b added:d]"},
			{"4", "2", "+1 -1 ~1 =1 [modified:A>a added:b removed:d]"},
			{"2", "3", "+2 -1 ~1 =1 [modified:a>A removed:b added:d added:tmp]"},
			{"3", "4", "+0 -1 ~0 =3 [removed:tmp]"},
			{"4", "4", "+0 -0 ~0 =3 []"},
			{"1", "2", "+3 -0 ~0 =0 [added:a added:b added:c]"},
			{"4", "working", "+1 -0 ~0 =3 [added:e]"},
			{"working", "2", "+1 -2 ~1 =1 [modified:A>a added:b removed:d removed:e]"},
			{"latest", "working", "+1 -0 ~0 =3 [added:e]"},
		} {
			if got := DiffSummary(f.diffOf(d.ID, c.from, c.to, 0, 0)); got != c.want {
				t.Errorf("diff %s..%s = %s, want %s", c.from, c.to, got, c.want)
			}
		}
		got := f.diffOf(d.ID, "2", "working", 0, 0)
		if got.From == nil {
			t.Fatal("no from version")
		}
		wantEq(t, "from version", got.From.Number, 2)
		wantNil(t, "to version", got.To)
		wantEq(t, "from number", got.FromNumber, 2)
		wantEq(t, "to number", got.ToNumber, 5)
		for _, c := range got.Changes {
			if c.ItemID == "" {
				t.Fatalf("change %+v names no item", c)
			}
			if c.Before != nil {
				wantEq(t, "item before the change", c.Before.ID, c.ItemID)
			}
			if c.After != nil {
				wantEq(t, "item after the change", c.After.ID, c.ItemID)
			}
		}
		for _, ref := range []string{"9", "nope", "0"} {
			_, err := f.s.DiffVersions(f.ctx, strata.DiffQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID, From: ref, To: "2"})
			wantCode(t, err, strata.ENOTFOUND)
		}
		_, err := f.s.DiffVersions(f.ctx, strata.DiffQuery{ProjectID: f.actor.ProjectID, DatasetID: strata.NewID(), From: "1", To: "2"})
		wantCode(t, err, strata.ENOTFOUND)
	})

	t.Run("SameContentIsNoChange", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a := f.item(d.ID, "a", skip)
		v2 := f.snapshot(d.ID)
		f.update(d.ID, a.ID, "x", strata.WriteOptions{}) // 3
		f.update(d.ID, a.ID, "a", strata.WriteOptions{}) // 4: a again
		if got, want := DiffSummary(f.diffOf(d.ID, "2", "4", 0, 0)), "+0 -0 ~0 =1 []"; got != want {
			t.Fatalf("edit undone: %s, want %s", got, want)
		}
		f.remove(d.ID, a.ID, strata.WriteOptions{}) // 5
		// 6:
		if _, _, err := f.s.RestoreVersion(f.ctx, f.actor, d.ID, v2.ID); err != nil {
			t.Fatal(err)
		}
		if got, want := DiffSummary(f.diffOf(d.ID, "2", "6", 0, 0)), "+0 -0 ~0 =1 []"; got != want {
			t.Fatalf("restore: %s, want %s", got, want)
		}
		if got, want := DiffSummary(f.diffOf(d.ID, "5", "6", 0, 0)), "+1 -0 ~0 =0 [added:a]"; got != want {
			t.Fatalf("restore of a deleted item: %s, want %s", got, want)
		}
	})

	// MaxChanges reads that many changed items at most: the counts are
	// then of those read, and Partial says so.
	t.Run("MaxChanges", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		var items []*strata.Item
		for i := range 10 {
			items = append(items, f.item(d.ID, fmt.Sprint("q", i), skip))
		}
		f.snapshot(d.ID) // 2
		for _, it := range items {
			f.update(d.ID, it.ID, it.Input+"!", skip)
		}
		f.item(d.ID, "new", skip)
		for _, c := range []struct {
			max, modified, added int
			partial              bool
		}{{3, 3, 0, true}, {10, 10, 0, true}, {11, 10, 1, false}, {0, 10, 1, false}} {
			got, err := f.s.DiffVersions(f.ctx, strata.DiffQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID, From: "2",
				To: strata.RefWorking, MaxChanges: c.max})
			if err != nil {
				t.Fatal(err)
			}
			if got.Modified != c.modified || got.Added != c.added || got.Partial != c.partial {
				t.Errorf("MaxChanges %d: ~%d +%d partial %v, want ~%d +%d partial %v", c.max, got.Modified, got.Added, got.Partial,
					c.modified, c.added, c.partial)
			}
		}
	})

	t.Run("Pages", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		f.fill(d.ID, 50)
		f.snapshot(d.ID) // 2
		items := f.items(d.ID, 0)
		var want []string
		for i, it := range items {
			switch i % 3 {
			case 0:
				f.update(d.ID, it.ID, fmt.Sprint("edited ", i), skip)
				want = append(want, "modified:"+it.ID)
			case 1:
				f.remove(d.ID, it.ID, skip)
				want = append(want, "removed:"+it.ID)
			}
		}
		for i := 0; i < 5; i++ {
			want = append(want, "added:"+f.item(d.ID, fmt.Sprint("new ", i), skip).ID)
		}
		for _, limit := range []int{1, 4, 7, 1000} {
			var got []string
			var after int64
			for pages := 0; ; pages++ {
				if pages > 100 {
					t.Fatal("no end to pages")
				}
				page := f.diffOf(d.ID, "2", "working", limit, after)
				wantEq(t, "added", page.Added, 5)
				wantEq(t, "removed", page.Removed, 17)
				wantEq(t, "modified", page.Modified, 17)
				wantEq(t, "unchanged", page.Unchanged, 16)
				if len(page.Changes) > limit {
					t.Fatalf("limit %d: page of %d", limit, len(page.Changes))
				}
				if page.More && len(page.Changes) != limit {
					t.Fatalf("limit %d: page of %d, and more", limit, len(page.Changes))
				}
				for _, c := range page.Changes {
					got = append(got, string(c.Kind)+":"+c.ItemID)
					after = c.Seq
				}
				if !page.More {
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("limit %d: changes\n got %v\nwant %v", limit, got, want)
			}
		}
	})

	t.Run("LargeDataset", func(t *testing.T) {
		if testing.Short() {
			t.Skip("builds 100,000 items")
		}
		f := newFixture(t, open)
		d := f.dataset("large")
		f.fill(d.ID, 100_000)
		f.snapshot(d.ID) // 2
		var changed []string
		err := f.s.ScanItems(f.ctx, strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID, Limit: 10, AfterSeq: 50_000},
			func(it *strata.Item) error { changed = append(changed, it.ID); return nil })
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range changed {
			if _, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, id, strata.ItemUpdate{SetOutput: true, Output: str("changed")}, skip); err != nil {
				t.Fatal(err)
			}
		}
		f.snapshot(d.ID) // 3
		diff := f.diffOf(d.ID, "2", "3", 1000, 0)
		var got []string
		for _, c := range diff.Changes {
			wantEq(t, "kind", c.Kind, strata.ChangeModified)
			wantNil(t, "output before", c.Before.Output)
			wantPtr(t, "output after", c.After.Output, "changed")
			got = append(got, c.ItemID)
		}
		if !slices.Equal(got, changed) {
			t.Fatalf("diff of 10 changes in 100,000 items: changes %v, want %v", got, changed)
		}
		wantEq(t, "more", diff.More, false)
		wantEq(t, "modified", diff.Modified, 10)
		wantEq(t, "added", diff.Added, 0)
		wantEq(t, "removed", diff.Removed, 0)
		wantEq(t, "unchanged", diff.Unchanged, 99_990)
	})
}

// benchDiff measures a diff between two versions that differ by a few items,
// in datasets of different sizes: its time should follow the changes, not
// the items.
func benchDiff(b *testing.B, open Opener) {
	for _, c := range []struct{ items, changes int }{{1_000, 10}, {100_000, 10}, {100_000, 1_000}} {
		b.Run(fmt.Sprintf("Diff/items=%d/changes=%d", c.items, c.changes), func(b *testing.B) {
			f := newFixture(b, open)
			d := f.dataset("bench")
			f.fill(d.ID, c.items)
			f.snapshot(d.ID)
			step := c.items / c.changes
			i := 0
			err := f.s.ScanItems(f.ctx, strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID}, func(it *strata.Item) error {
				if i%step == 0 {
					if _, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, it.ID, strata.ItemUpdate{SetOutput: true, Output: str("changed")}, skip); err != nil {
						return err
					}
				}
				i++
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			f.snapshot(d.ID)
			b.ResetTimer()
			for b.Loop() {
				diff := f.diffOf(d.ID, "2", "3", 1000, 0)
				if diff.Modified != c.changes {
					b.Fatalf("diff found %d changes, want %d", diff.Modified, c.changes)
				}
			}
		})
	}
}
