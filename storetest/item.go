package storetest

import "slices"
import "testing"

import "github.com/strata-eval/strata"

func testItems(t *testing.T, open Opener) {
	t.Run("CreateFindList", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		it, err := f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{Input: "q", GroundTruth: str("a")}, strata.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "input", it.Input, "q")
		wantPtr(t, "ground truth", it.GroundTruth, "a")
		wantNil(t, "output", it.Output)
		wantEq(t, "dataset", it.DatasetID, d.ID)
		got, err := f.s.FindItem(f.ctx, f.actor.ProjectID, d.ID, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "found id", got.ID, it.ID)
		wantEq(t, "found input", got.Input, "q")
		if !got.CreatedAt.Equal(it.CreatedAt) {
			t.Fatalf("found createdAt = %v, want %v", got.CreatedAt, it.CreatedAt)
		}
		if got, want := f.find(d.ID).CurrentVersionNumber, 2; got != want {
			t.Fatalf("auto-version: current version %d, want %d", got, want)
		}
		f.item(d.ID, "r", skip)
		if got, want := f.find(d.ID).CurrentVersionNumber, 2; got != want {
			t.Fatalf("skipVersion: current version %d, want %d", got, want)
		}
		if got := inputs(f.items(d.ID, 0)); !slices.Equal(got, []string{"q", "r"}) {
			t.Fatalf("working items = %q", got)
		}
		if got, want := f.find(d.ID).ItemCount, 2; got != want {
			t.Fatalf("itemCount = %d, want %d", got, want)
		}
	})

	t.Run("ErrItemNotFound", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		other := f.dataset("other")
		it := f.item(other.ID, "x", skip)
		for _, id := range []string{it.ID, "00000000-0000-0000-0000-000000000000", "nope"} {
			_, err := f.s.FindItem(f.ctx, f.actor.ProjectID, d.ID, id)
			wantCode(t, err, strata.ENOTFOUND)
			if got, want := strata.ErrorMessage(err), "Dataset item not found"; got != want {
				t.Fatalf("message = %q, want %q", got, want)
			}
			_, err = f.s.UpdateItem(f.ctx, f.actor, d.ID, id, strata.ItemUpdate{Input: str("y")}, strata.WriteOptions{})
			wantCode(t, err, strata.ENOTFOUND)
			wantCode(t, f.s.DeleteItem(f.ctx, f.actor, d.ID, id, strata.WriteOptions{}), strata.ENOTFOUND)
		}
		if got, want := f.find(d.ID).CurrentVersionNumber, 1; got != want {
			t.Fatalf("failed edits made versions: %d", got)
		}
	})

	t.Run("UpdateKeepsIdentityAndOrder", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a := f.item(d.ID, "a", skip)
		f.item(d.ID, "b", skip)
		v := f.snapshot(d.ID)
		got, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, a.ID, strata.ItemUpdate{Input: str("a2"), SetOutput: true, Output: str("o")}, strata.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "updated id", got.ID, a.ID)
		wantEq(t, "updated input", got.Input, "a2")
		wantPtr(t, "updated output", got.Output, "o")
		wantNil(t, "updated ground truth", got.GroundTruth)
		if !got.CreatedAt.Equal(a.CreatedAt) {
			t.Fatal("edit changed createdAt")
		}
		if got := inputs(f.items(d.ID, 0)); !slices.Equal(got, []string{"a2", "b"}) {
			t.Fatalf("working = %q", got)
		}
		if got := inputs(f.items(d.ID, v.Number)); !slices.Equal(got, []string{"a", "b"}) {
			t.Fatalf("version %d changed: %q", v.Number, got)
		}
		// Clearing a field.
		got, err = f.s.UpdateItem(f.ctx, f.actor, d.ID, a.ID, strata.ItemUpdate{SetOutput: true}, skip)
		if err != nil {
			t.Fatal(err)
		}
		if got.Output != nil {
			t.Fatalf("output = %q, want nil", *got.Output)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a := f.item(d.ID, "a", skip)
		b := f.item(d.ID, "b", skip)
		v := f.snapshot(d.ID)
		if err := f.s.DeleteItem(f.ctx, f.actor, d.ID, a.ID, skip); err != nil {
			t.Fatal(err)
		}
		draft := f.item(d.ID, "c", skip)
		if err := f.s.DeleteItem(f.ctx, f.actor, d.ID, draft.ID, skip); err != nil {
			t.Fatal(err)
		}
		if got := inputs(f.items(d.ID, 0)); !slices.Equal(got, []string{"b"}) {
			t.Fatalf("working = %q", got)
		}
		if got := inputs(f.items(d.ID, v.Number)); !slices.Equal(got, []string{"a", "b"}) {
			t.Fatalf("version = %q", got)
		}
		if got, want := f.find(d.ID).ItemCount, 1; got != want {
			t.Fatalf("itemCount = %d, want %d", got, want)
		}
		_, err := f.s.FindItem(f.ctx, f.actor.ProjectID, d.ID, a.ID)
		wantCode(t, err, strata.ENOTFOUND)
		if _, err := f.s.FindItem(f.ctx, f.actor.ProjectID, d.ID, b.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ErrText", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		it := f.item(d.ID, "ok", skip)
		_, err := f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{Input: "a\x00b"}, skip)
		wantCode(t, err, strata.EINVALID)
		_, err = f.s.UpdateItem(f.ctx, f.actor, d.ID, it.ID, strata.ItemUpdate{SetOutput: true, Output: str("\xff")}, skip)
		wantCode(t, err, strata.EINVALID)
		src := strata.ItemSlice{{Input: "fine"}, {Input: "x", GroundTruth: str("\x00")}}
		_, err = f.s.ImportItems(f.ctx, f.actor, d.ID, &src, skip)
		wantCode(t, err, strata.EINVALID)
		_, err = f.s.CreateDataset(f.ctx, f.actor, strata.DatasetCreate{Name: "bad\x00"})
		wantCode(t, err, strata.EINVALID)
		if got := inputs(f.items(d.ID, 0)); !slices.Equal(got, []string{"ok"}) {
			t.Fatalf("items = %q", got)
		}
	})

	t.Run("PagingAndSearch", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		for _, in := range []string{"one", "two", "three 50%", "four", "five"} {
			f.item(d.ID, in, skip)
		}
		var page []*strata.Item
		q := strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID, Limit: 2}
		collect := func(it *strata.Item) error { page = append(page, it); return nil }
		if err := f.s.ScanItems(f.ctx, q, collect); err != nil {
			t.Fatal(err)
		}
		if got := inputs(page); !slices.Equal(got, []string{"one", "two"}) {
			t.Fatalf("page 1 = %q", got)
		}
		q.AfterSeq, page = page[1].Seq, nil
		if err := f.s.ScanItems(f.ctx, q, collect); err != nil {
			t.Fatal(err)
		}
		if got := inputs(page); !slices.Equal(got, []string{"three 50%", "four"}) {
			t.Fatalf("page 2 = %q", got)
		}
		page = nil
		if err := f.s.ScanItems(f.ctx, strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID, Search: "%"}, collect); err != nil {
			t.Fatal(err)
		}
		if got := inputs(page); !slices.Equal(got, []string{"three 50%"}) {
			t.Fatalf("search %% = %q", got)
		}
		err := f.s.ScanItems(f.ctx, strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID, Version: 9}, collect)
		wantCode(t, err, strata.ENOTFOUND)
	})
}
