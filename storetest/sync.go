package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/strata-eval/strata"
)

func syncCounts(r *strata.SyncResult) string {
	return fmt.Sprintf("+%d ~%d -%d =%d", r.Added, r.Modified, r.Removed, r.Unchanged)
}

func testSync(t *testing.T, open Opener) {
	t.Run("MultisetContentMatch", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		src := strata.ItemSlice{{Input: "x"}, {Input: "x"}, {Input: "y"}}
		if _, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &src, strata.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		before := f.items(d.ID, 0)
		head := f.find(d.ID).CurrentVersionNumber
		// Two x records match the two x items; y goes, z comes.
		file := strata.ItemSlice{{Input: "x"}, {Input: "z"}, {Input: "x"}}
		res, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &file, strata.SyncOptions{ChangeLimit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := syncCounts(res), "+1 ~0 -1 =2"; got != want {
			t.Fatalf("sync: %s, want %s", got, want)
		}
		if res.Version == nil || res.Version.Number != head+1 {
			t.Fatalf("version %+v, want %d", res.Version, head+1)
		}
		after := f.items(d.ID, 0)
		if got := inputs(after); !slices.Equal(got, []string{"x", "x", "z"}) {
			t.Fatalf("items %q", got)
		}
		if after[0].ID != before[0].ID || after[1].ID != before[1].ID {
			t.Fatal("matched items changed ids")
		}
		// The same file again is no change at all: no version, same ETag.
		etag := f.find(d.ID).ETag
		again := strata.ItemSlice{{Input: "x"}, {Input: "z"}, {Input: "x"}}
		same, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &again, strata.SyncOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := syncCounts(same), "+0 ~0 -0 =3"; got != want || same.Version != nil {
			t.Fatalf("second sync: %s (version %v), want %s", got, same.Version, want)
		}
		if got := f.find(d.ID).ETag; got != etag {
			t.Fatalf("an unchanged sync moved the ETag from %s to %s", etag, got)
		}
		if len(res.Changes) != 2 || res.Changes[0].Kind != strata.ChangeAdded || res.Changes[1].Kind != strata.ChangeRemoved {
			t.Fatalf("changes %+v", res.Changes)
		}
		CheckInvariants(t, f.s)
	})

	t.Run("DryRunWritesNothing", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		f.item(d.ID, "a", strata.WriteOptions{})
		before := f.find(d.ID)
		file := strata.ItemSlice{{Input: "b"}}
		res, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &file, strata.SyncOptions{DryRun: true, ChangeLimit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := syncCounts(res), "+1 ~0 -1 =0"; got != want {
			t.Fatalf("dry run: %s, want %s", got, want)
		}
		if res.Version != nil || len(res.Changes) != 1 || !res.More {
			t.Fatalf("dry run: version %v, %d changes, more %v", res.Version, len(res.Changes), res.More)
		}
		after := f.find(d.ID)
		if after.CurrentVersionNumber != before.CurrentVersionNumber || inputs(f.items(d.ID, 0))[0] != "a" {
			t.Fatal("a dry run wrote")
		}
	})

	t.Run("Upsert", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a, err := f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{Input: "a", ExternalID: str("A")}, skip)
		if err != nil {
			t.Fatal(err)
		}
		b := f.item(d.ID, "b", skip)
		f.item(d.ID, "kept", skip)
		file := strata.ItemSlice{
			{Input: "a2", ExternalID: str("A")},                      // by external id
			{ID: b.ID, Input: "b", Splits: []string{"test"}},         // by id
			{ID: "0190d7a1-0000-7000-8000-00000000dead", Input: "c"}, // names no item: added
			{Input: "kept"}, // upserts never match by content
		}
		res, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &file, strata.SyncOptions{Upsert: true})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := syncCounts(res), "+2 ~2 -0 =0"; got != want {
			t.Fatalf("upsert: %s, want %s", got, want)
		}
		items := f.items(d.ID, 0)
		if got := inputs(items); !slices.Equal(got, []string{"a2", "b", "kept", "c", "kept"}) {
			t.Fatalf("items %q", got)
		}
		if items[0].ID != a.ID || !slices.Equal(items[1].Splits, []string{"test"}) {
			t.Fatalf("upsert did not update in place: %+v", items[:2])
		}
		CheckInvariants(t, f.s)
	})

	t.Run("ErrDuplicate", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a := f.item(d.ID, "a", strata.WriteOptions{})
		head := f.find(d.ID).CurrentVersionNumber
		for name, file := range map[string]strata.ItemSlice{
			"id":         {{ID: a.ID, Input: "1"}, {ID: a.ID, Input: "2"}},
			"externalId": {{Input: "1", ExternalID: str("E")}, {Input: "2", ExternalID: str("E")}},
		} {
			_, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &file, strata.SyncOptions{})
			if got := strata.ErrorCode(err); got != strata.EINVALID {
				t.Errorf("%s: code %q (%v), want invalid", name, got, err)
			}
		}
		if got := f.find(d.ID).CurrentVersionNumber; got != head {
			t.Fatalf("refused syncs made versions")
		}
		if got := inputs(f.items(d.ID, 0)); !slices.Equal(got, []string{"a"}) {
			t.Fatalf("items %q", got)
		}
	})

	t.Run("ExternalIDMovesToNewItem", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		if _, err := f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{Input: "old", ExternalID: str("E")}, strata.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		// Matched by external id: the item is revised, not replaced.
		file := strata.ItemSlice{{Input: "new", ExternalID: str("E")}}
		res, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &file, strata.SyncOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := syncCounts(res), "+0 ~1 -0 =0"; got != want {
			t.Fatalf("sync: %s, want %s", got, want)
		}
		CheckInvariants(t, f.s)
	})
}
