package storetest

import "slices"
import "strings"
import "testing"
import "time"

import "github.com/strata-eval/strata"

func testDatasets(t *testing.T, open Opener) {
	t.Run("CreateStartsAtVersion1", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		if got, want := d.CurrentVersionNumber, 1; got != want {
			t.Fatalf("currentVersionNumber = %d, want %d", got, want)
		}
		if d.CurrentVersionID == nil {
			t.Fatal("current version not set")
		}
		if d.CurrentVersionCreatedAt == nil {
			t.Fatal("current version time not set")
		}
		wantPtr(t, "owner id", d.OwnerID, f.actor.UserID)
		wantPtr(t, "owner name", d.OwnerName, "Ada")
		wantPtr(t, "owner email", d.OwnerEmail, "ada@example.com")
		wantPtr(t, "current version created by", d.CurrentVersionCreatedBy, f.actor.UserID)
		if got, want := d.ItemCount, 0; got != want {
			t.Fatalf("itemCount = %d, want %d", got, want)
		}
		if _, secret, err := f.s.CreateKey(f.ctx, strata.KeyCreate{ProjectName: "test", Role: strata.RoleMember, UserName: "Bob"}); err != nil {
			t.Fatal(err)
		} else if bob, err := f.s.Authenticate(f.ctx, secret); err != nil {
			t.Fatal(err)
		} else if d, err := f.s.CreateDataset(f.ctx, bob.Actor(), strata.DatasetCreate{Name: "bob's"}); err != nil {
			t.Fatal(err)
		} else {
			wantNil(t, "owner email", d.OwnerEmail)
			wantPtr(t, "owner name", d.OwnerName, "Bob")
		}
		if d.EvaluatorConfigs == nil {
			t.Fatal("evaluatorConfigs is nil, want empty")
		}
	})

	t.Run("ErrNameTaken", func(t *testing.T) {
		f := newFixture(t, open)
		f.dataset("qa")
		_, err := f.s.CreateDataset(f.ctx, f.actor, strata.DatasetCreate{Name: "qa"})
		wantCode(t, err, strata.ECONFLICT)
		if got, want := strata.ErrorMessage(err), "Dataset name already exists in this project"; got != want {
			t.Fatalf("message = %q, want %q", got, want)
		}
		// Names are case-sensitive, as in Lunary.
		f.dataset("QA")
	})

	t.Run("OtherProjectIsNotFound", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		eve := f.otherProject()
		_, err := f.s.FindDataset(f.ctx, eve.ProjectID, d.ID)
		wantCode(t, err, strata.ENOTFOUND)
		_, err = f.s.CreateItem(f.ctx, eve, d.ID, strata.ItemInput{Input: "x"}, strata.WriteOptions{})
		wantCode(t, err, strata.ENOTFOUND)
		err = f.s.DeleteDataset(f.ctx, eve, d.ID)
		wantCode(t, err, strata.ENOTFOUND)
		if list := f.datasets(eve.ProjectID, strata.DatasetFilter{}); len(list) != 0 {
			t.Fatalf("other project lists %d datasets", len(list))
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		f := newFixture(t, open)
		for _, id := range []string{"00000000-0000-0000-0000-000000000000", "not-a-uuid", ""} {
			_, err := f.s.FindDataset(f.ctx, f.actor.ProjectID, id)
			wantCode(t, err, strata.ENOTFOUND)
			if got, want := strata.ErrorMessage(err), "Dataset not found"; got != want {
				t.Fatalf("message = %q, want %q", got, want)
			}
		}
	})

	t.Run("ListSortAndSearch", func(t *testing.T) {
		f := newFixture(t, open)
		// Times are kept to the millisecond: tick between steps so that
		// each has its own.
		tick := func() { time.Sleep(2 * time.Millisecond) }
		b := f.dataset("beta")
		tick()
		a := f.dataset("Alpha")
		tick()
		c := f.dataset("gamma 100%")
		tick()
		f.item(a.ID, "1", skip)
		f.item(a.ID, "2", skip)
		tick()
		f.item(c.ID, "1", skip)
		tick()
		if _, err := f.s.UpdateDataset(f.ctx, f.actor, b.ID, strata.DatasetUpdate{Description: str("about_x"), SetDescription: true}, skip); err != nil {
			t.Fatal(err)
		}
		names := func(filter strata.DatasetFilter) []string {
			var out []string
			for _, d := range f.datasets(f.actor.ProjectID, filter) {
				out = append(out, d.Name)
			}
			return out
		}
		for _, tc := range []struct {
			filter strata.DatasetFilter
			want   []string
		}{
			{strata.DatasetFilter{}, []string{"gamma 100%", "Alpha", "beta"}},
			{strata.DatasetFilter{Sort: strata.SortAlphabetical}, []string{"Alpha", "beta", "gamma 100%"}},
			{strata.DatasetFilter{Sort: strata.SortItems}, []string{"Alpha", "gamma 100%", "beta"}},
			{strata.DatasetFilter{Sort: strata.SortUpdated}, []string{"beta", "gamma 100%", "Alpha"}},
			{strata.DatasetFilter{Search: "ALP"}, []string{"Alpha"}},
			{strata.DatasetFilter{Search: "%"}, []string{"gamma 100%"}},
			{strata.DatasetFilter{Search: "t_x"}, []string{"beta"}},
			{strata.DatasetFilter{Search: "a_x"}, nil},
		} {
			if got := names(tc.filter); !slices.Equal(got, tc.want) {
				t.Errorf("%+v: got %q, want %q", tc.filter, got, tc.want)
			}
		}
	})

	t.Run("AlphabeticalIsOneOrder", func(t *testing.T) {
		// Both stores list names in the same order, whatever the
		// database's collation: by their lower case, byte by byte.
		f := newFixture(t, open)
		names := []string{"b-2", "B_1", "a b", "ab", "École", "eagle", "Zeta", "_under", "10", "9"}
		for _, name := range names {
			f.dataset(name)
		}
		var got []string
		for _, d := range f.datasets(f.actor.ProjectID, strata.DatasetFilter{Sort: strata.SortAlphabetical}) {
			got = append(got, d.Name)
		}
		want := []string{"10", "9", "_under", "a b", "ab", "b-2", "B_1", "eagle", "Zeta", "École"}
		if !slices.Equal(got, want) {
			t.Fatalf("alphabetical order %q, want %q", got, want)
		}
	})

	t.Run("SearchFoldsUnicode", func(t *testing.T) {
		f := newFixture(t, open)
		f.dataset("École")
		f.dataset("Straße")
		for _, search := range []string{"ÉCOLE", "école", "cole", "STRAßE"} {
			if list := f.datasets(f.actor.ProjectID, strata.DatasetFilter{Search: search}); len(list) != 1 {
				t.Errorf("search %q found %d datasets, want 1", search, len(list))
			}
		}
	})

	t.Run("Update", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		f.dataset("taken")
		got, err := f.s.UpdateDataset(f.ctx, f.actor, d.ID, strata.DatasetUpdate{Name: str("renamed"), Description: str("d"), SetDescription: true}, strata.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "name", got.Name, "renamed")
		wantPtr(t, "description", got.Description, "d")
		wantEq(t, "version", got.CurrentVersionNumber, 2)
		got, err = f.s.UpdateDataset(f.ctx, f.actor, d.ID, strata.DatasetUpdate{SetDescription: true}, skip)
		if err != nil {
			t.Fatal(err)
		}
		wantNil(t, "cleared description", got.Description)
		wantEq(t, "version after clearing", got.CurrentVersionNumber, 2)
		wantEq(t, "name after clearing", got.Name, "renamed")
		_, err = f.s.UpdateDataset(f.ctx, f.actor, d.ID, strata.DatasetUpdate{Name: str("taken")}, strata.WriteOptions{})
		wantCode(t, err, strata.ECONFLICT)
		got = f.find(d.ID)
		wantEq(t, "name after a failed rename", got.Name, "renamed")
		wantEq(t, "version after a failed rename", got.CurrentVersionNumber, 2)
	})

	t.Run("Delete", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		f.item(d.ID, "x", strata.WriteOptions{})
		if err := f.s.DeleteDataset(f.ctx, f.actor, d.ID); err != nil {
			t.Fatal(err)
		}
		_, err := f.s.FindDataset(f.ctx, f.actor.ProjectID, d.ID)
		wantCode(t, err, strata.ENOTFOUND)
		wantCode(t, f.s.DeleteDataset(f.ctx, f.actor, d.ID), strata.ENOTFOUND)
		f.dataset("qa") // the name is free again
	})

	t.Run("Duplicate", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		it := f.item(d.ID, "a", skip)
		f.item(d.ID, "b", skip)
		for _, want := range []string{"qa copy", "qa copy (2)", "qa copy (3)"} {
			c, err := f.s.DuplicateDataset(f.ctx, f.actor, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantEq(t, "copy name", c.Name, want)
			wantEq(t, "copy items", c.ItemCount, 2)
			wantEq(t, "copy version", c.CurrentVersionNumber, 1)
			items := f.items(c.ID, 1)
			if got := inputs(items); !slices.Equal(got, []string{"a", "b"}) {
				t.Fatalf("copy items = %q", got)
			}
			if items[0].ID == it.ID {
				t.Fatal("copy shares item ids with its source")
			}
		}
		// A name at the longest keeps its copies' names within it, cut
		// at whole characters (an emoji is two UTF-16 units).
		long := f.dataset(strings.Repeat("L", strata.MaxNameLength-2) + "😀")
		for _, want := range []string{strings.Repeat("L", strata.MaxNameLength-5) + " copy", strings.Repeat("L", strata.MaxNameLength-9) + " copy (2)"} {
			c, err := f.s.DuplicateDataset(f.ctx, f.actor, long.ID)
			if err != nil {
				t.Fatal(err)
			}
			if c.Name != want || strata.JSLength(c.Name) > strata.MaxNameLength {
				t.Fatalf("copy of a %d-unit name: %q (%d units), want %d units", strata.JSLength(long.Name), c.Name, strata.JSLength(c.Name), strata.JSLength(want))
			}
		}
	})
}
