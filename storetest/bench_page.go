package storetest

import "fmt"
import "testing"

import "github.com/strata-eval/strata"

// benchPage times a page of 100 items of the working set and of the latest
// version of a dataset of 100,000 items with 1,000 versions and 100,000
// closed revisions. The closed revisions belong to 100 items spread over
// the dataset (every 1,000th), 1,000 each, so that every page read holds
// one item with 1,000 closed revisions behind it: the cost of a page must
// not grow with them.
func benchPage(b *testing.B, open Opener) {
	const items, hot, rounds = 100_000, 100, 1_000
	b.Run(fmt.Sprintf("Page/items=%d,closed=%d", items, hot*rounds), func(b *testing.B) {
		f := newFixture(b, open)
		d := f.dataset("bench")
		f.fill(d.ID, items)
		a := f.snapshot(d.ID)
		var edited int
		var calm string // an item never edited
		for i, it := range f.items(d.ID, 0) {
			if i%(items/hot) != 0 {
				calm = it.ID
				continue
			}
			in := it.Input + " (edited)"
			if _, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, it.ID, strata.ItemUpdate{Input: &in}, skip); err != nil {
				b.Fatal(err)
			}
			edited++
		}
		if edited != hot {
			b.Fatalf("edited %d items, want %d", edited, hot)
		}
		bv := f.snapshot(d.ID)
		// Each restore closes the 100 edited revisions and snapshots.
		for r := 2; r < rounds; r++ {
			to := a
			if r%2 == 1 {
				to = bv
			}
			if _, _, err := f.s.RestoreVersion(f.ctx, f.actor, d.ID, to.ID); err != nil {
				b.Fatal(err)
			}
		}
		latest := f.find(d.ID).CurrentVersionNumber
		if latest < rounds {
			b.Fatalf("latest version %d, want >= %d", latest, rounds)
		}
		for _, v := range []struct {
			name    string
			version int
		}{{"working", 0}, {"latest", latest}} {
			b.Run(v.name, func(b *testing.B) {
				for b.Loop() {
					got := 0
					q := strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID, Version: v.version, Limit: 100}
					if err := f.s.ScanItems(f.ctx, q, func(*strata.Item) error { got++; return nil }); err != nil {
						b.Fatal(err)
					}
					if got != 100 {
						b.Fatalf("page of %d items, want 100", got)
					}
				}
			})
		}
		// The history of an item never edited: its one revision, however
		// many the other items closed.
		b.Run("history", func(b *testing.B) {
			for b.Loop() {
				revs, err := f.history(d.ID, calm)
				if err != nil {
					b.Fatal(err)
				}
				if len(revs) != 1 {
					b.Fatalf("history of %d revisions, want 1", len(revs))
				}
			}
		})
	})
}
