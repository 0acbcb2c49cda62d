package storetest

import "slices"
import "testing"

import "github.com/strata-eval/strata"

// testItemScan: OpenItems reads a dataset and its items in one snapshot.
func testItemScan(t *testing.T, open Opener) {
	t.Run("DatasetWithItems", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		for _, in := range []string{"a", "b", "c"} {
			f.item(d.ID, in, skip)
		}
		scan, err := f.s.OpenItems(f.ctx, strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID})
		if err != nil {
			t.Fatal(err)
		}
		defer scan.Close()
		before := f.find(d.ID)
		wantEq(t, "dataset id", scan.Dataset().ID, d.ID)
		wantEq(t, "item count", scan.Dataset().ItemCount, 3)
		wantEq(t, "ETag", scan.Dataset().ETag, before.ETag)

		// A write after the scan opened is not in it.
		f.item(d.ID, "late", skip)
		if in := inputs(scanned(t, scan)); !slices.Equal(in, []string{"a", "b", "c"}) {
			t.Fatalf("items = %q, want the three of the snapshot", in)
		}
		// Ranged over again, after another write, the scan reads the same
		// snapshot (GET /v1/datasets/{slug} writes its items twice).
		f.remove(d.ID, f.items(d.ID, 0)[0].ID, skip)
		if in := inputs(scanned(t, scan)); !slices.Equal(in, []string{"a", "b", "c"}) {
			t.Fatalf("items ranged over again = %q, want the three of the snapshot", in)
		}
		if err := scan.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		wantEq(t, "item count after the writes", f.find(d.ID).ItemCount, 3)
	})

	// BeforeSeq reads the items that existed when a dataset was read: a
	// run's, with or without a split filter.
	t.Run("BeforeSeq", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		for _, in := range []string{"a", "b"} {
			f.item(d.ID, in, skip)
		}
		start := f.find(d.ID)
		f.item(d.ID, "late", skip)
		for _, it := range f.items(d.ID, 0) {
			if _, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, it.ID, strata.ItemUpdate{Splits: []string{"test"}}, skip); err != nil {
				t.Fatal(err)
			}
		}
		for _, filter := range []strata.ItemFilter{{}, {Splits: []string{"test"}}, {Splits: []string{"test", "train"}}} {
			var got []*strata.Item
			err := f.s.ScanItems(f.ctx, strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID, BeforeSeq: start.NextSeq, Filter: filter},
				func(it *strata.Item) error { got = append(got, it); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if in := inputs(got); !slices.Equal(in, []string{"a", "b"}) {
				t.Errorf("filter %v: items before the dataset's NextSeq = %q, want a, b", filter, in)
			}
		}
		wantEq(t, "items in all", len(f.items(d.ID, 0)), 3)
	})

	t.Run("StopEarly", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		for _, in := range []string{"a", "b", "c"} {
			f.item(d.ID, in, skip)
		}
		scan, err := f.s.OpenItems(f.ctx, strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID, Version: 0, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, err := range scan.Items() {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 1 {
				break
			}
		}
		wantEq(t, "items read before the break", n, 1)
		// The scan can be ranged again, up to its limit.
		n = 0
		for _, err := range scan.Items() {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		wantEq(t, "items of a second range", n, 2)
		if err := scan.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		// The store is free for writes once the scan is closed.
		f.item(d.ID, "d", skip)
	})

	t.Run("Errors", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		for name, q := range map[string]strata.ItemQuery{
			"unknown dataset": {ProjectID: f.actor.ProjectID, DatasetID: strata.NewID()},
			"other project":   {ProjectID: strata.NewID(), DatasetID: d.ID},
			"unknown version": {ProjectID: f.actor.ProjectID, DatasetID: d.ID, Version: 9},
		} {
			scan, err := f.s.OpenItems(f.ctx, q)
			if scan != nil {
				scan.Close()
				t.Fatalf("%s: a scan opened", name)
			}
			if got := strata.ErrorCode(err); got != strata.ENOTFOUND {
				t.Fatalf("%s: error code = %q (%v), want %q", name, got, err, strata.ENOTFOUND)
			}
		}
	})
}

// scanned ranges over the items of scan.
func scanned(t *testing.T, scan strata.ItemScan) []*strata.Item {
	t.Helper()
	var got []*strata.Item
	for it, err := range scan.Items() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, it)
	}
	return got
}
