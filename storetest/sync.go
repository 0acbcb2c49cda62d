package storetest

import "fmt"
import "slices"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

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
		if res.Version == nil {
			t.Fatalf("no version, want %d", head+1)
		}
		wantEq(t, "version", res.Version.Number, head+1)
		after := f.items(d.ID, 0)
		if got := inputs(after); !slices.Equal(got, []string{"x", "x", "z"}) {
			t.Fatalf("items %q", got)
		}
		wantEq(t, "id of the first matched item", after[0].ID, before[0].ID)
		wantEq(t, "id of the second matched item", after[1].ID, before[1].ID)
		// The same file again is no change at all: no version, same ETag.
		etag := f.find(d.ID).ETag
		again := strata.ItemSlice{{Input: "x"}, {Input: "z"}, {Input: "x"}}
		same, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &again, strata.SyncOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "second sync", syncCounts(same), "+0 ~0 -0 =3")
		wantNil(t, "version of the second sync", same.Version)
		if got := f.find(d.ID).ETag; got != etag {
			t.Fatalf("an unchanged sync moved the ETag from %s to %s", etag, got)
		}
		wantEq(t, "changes", len(res.Changes), 2)
		wantEq(t, "first change", res.Changes[0].Kind, strata.ChangeAdded)
		wantEq(t, "second change", res.Changes[1].Kind, strata.ChangeRemoved)
		CheckInvariants(t, f.s)
	})

	// A file that is already the working set, while the head is not,
	// writes no item and makes the version: after a sync the head holds
	// the file. An upsert, or a sync with SkipVersion, makes none.
	t.Run("UnsavedEditsAreVersioned", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a := f.item(d.ID, "a", strata.WriteOptions{})
		head := f.find(d.ID).CurrentVersionNumber
		edited := "a, edited"
		if _, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, a.ID, strata.ItemUpdate{Input: &edited}, strata.WriteOptions{SkipVersion: true}); err != nil {
			t.Fatal(err)
		}
		wantEq(t, "head after an unversioned edit", f.find(d.ID).CurrentVersionNumber, head)
		for _, o := range []strata.SyncOptions{{Upsert: true}, {SkipVersion: true}} {
			file := strata.ItemSlice{{ID: a.ID, Input: edited}}
			res, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &file, o)
			if err != nil {
				t.Fatal(err)
			}
			wantNil(t, fmt.Sprintf("version of %+v", o), res.Version)
		}
		file := strata.ItemSlice{{Input: edited}}
		res, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &file, strata.SyncOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "sync", syncCounts(res), "+0 ~0 -0 =1")
		if res.Version == nil {
			t.Fatal("no version: the head does not hold the file")
		}
		wantEq(t, "version", res.Version.Number, head+1)
		if got := inputs(f.items(d.ID, head+1)); !slices.Equal(got, []string{edited}) {
			t.Fatalf("the version made holds %q", got)
		}
		again := strata.ItemSlice{{Input: edited}}
		if res, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &again, strata.SyncOptions{}); err != nil {
			t.Fatal(err)
		} else {
			wantNil(t, "version of the same file again", res.Version)
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
		wantNil(t, "dry run's version", res.Version)
		wantEq(t, "dry run's changes", len(res.Changes), 1)
		wantEq(t, "dry run's more", res.More, true)
		after := f.find(d.ID)
		wantEq(t, "version after a dry run", after.CurrentVersionNumber, before.CurrentVersionNumber)
		wantEq(t, "first input after a dry run", inputs(f.items(d.ID, 0))[0], "a")
		wantEq(t, "ETag after a dry run", after.ETag, before.ETag)

		// A condition guards a dry run too, and the dry run reports the
		// ETag it read: the sync it previews may send it as If-Match.
		file = strata.ItemSlice{{Input: "b"}}
		_, err = f.s.SyncItems(strata.WithCondition(f.ctx, &strata.Condition{IfMatch: `"0"`}), f.actor, d.ID, &file,
			strata.SyncOptions{DryRun: true, ChangeLimit: 1})
		wantCode(t, err, strata.EPRECONDITION)
		cond := &strata.Condition{IfMatch: before.ETag}
		file = strata.ItemSlice{{Input: "b"}}
		if _, err := f.s.SyncItems(strata.WithCondition(f.ctx, cond), f.actor, d.ID, &file, strata.SyncOptions{DryRun: true, ChangeLimit: 1}); err != nil {
			t.Fatal(err)
		}
		wantEq(t, "ETag a dry run reports", cond.ETag(), before.ETag)
		// So does a sync that changes nothing.
		cond = &strata.Condition{IfMatch: before.ETag}
		file = strata.ItemSlice{{Input: "a"}}
		res, err = f.s.SyncItems(strata.WithCondition(f.ctx, cond), f.actor, d.ID, &file, strata.SyncOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantNil(t, "version of a sync that changed nothing", res.Version)
		wantEq(t, "ETag a sync that changed nothing reports", cond.ETag(), before.ETag)
		wantEq(t, "ETag after a sync that changed nothing", f.find(d.ID).ETag, before.ETag)
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
		wantEq(t, "id of the upserted item", items[0].ID, a.ID)
		if !slices.Equal(items[1].Splits, []string{"test"}) {
			t.Fatalf("splits of the second item = %q, want [test]", items[1].Splits)
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

	t.Run("MemoryBound", func(t *testing.T) {
		// Three items of 1,000 bytes; each file below makes the plan hold
		// about 3,000 bytes of items, over a bound of 2,000.
		text := func(c string) string { return strings.Repeat(c, 1000) }
		for _, tt := range []struct {
			name string
			file func(live []*strata.Item) strata.ItemSlice
			o    strata.SyncOptions
		}{
			{"ByContent", func([]*strata.Item) strata.ItemSlice {
				return strata.ItemSlice{{Input: text("d")}, {Input: text("e")}, {Input: text("f")}}
			}, strata.SyncOptions{}},
			{"UpsertAdds", func([]*strata.Item) strata.ItemSlice {
				return strata.ItemSlice{{Input: text("d")}, {Input: text("e")}, {Input: text("f")}}
			}, strata.SyncOptions{Upsert: true}},
			{"Modifies", func(live []*strata.Item) strata.ItemSlice {
				var file strata.ItemSlice
				for _, it := range live {
					file = append(file, strata.ItemInput{ID: it.ID, Input: text("m")})
				}
				return file
			}, strata.SyncOptions{Upsert: true}},
			{"Removes", func([]*strata.Item) strata.ItemSlice { return strata.ItemSlice{} }, strata.SyncOptions{}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				f := newFixture(t, open)
				d := f.dataset("qa")
				src := strata.ItemSlice{{Input: text("a")}, {Input: text("b")}, {Input: text("c")}}
				if _, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &src, strata.WriteOptions{}); err != nil {
					t.Fatal(err)
				}
				before := f.find(d.ID)
				live := f.items(d.ID, 0)
				o := tt.o
				o.MaxBytes = 2000
				file := tt.file(live)
				_, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &file, o)
				if got := strata.ErrorCode(err); got != strata.ETOOLARGE {
					t.Fatalf("code %q (%v), want %q", got, err, strata.ETOOLARGE)
				}
				after := f.find(d.ID)
				wantEq(t, "version after a refused sync", after.CurrentVersionNumber, before.CurrentVersionNumber)
				wantEq(t, "ETag after a refused sync", after.ETag, before.ETag)
				if got := inputs(f.items(d.ID, 0)); !slices.Equal(got, inputs(live)) {
					t.Fatalf("a refused sync changed the items")
				}
				// Within a bound that holds it, the same sync applies.
				o.MaxBytes = 1 << 20
				file = tt.file(live)
				if _, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &file, o); err != nil {
					t.Fatalf("within the bound: %v", err)
				}
				if got := f.find(d.ID).CurrentVersionNumber; got != before.CurrentVersionNumber+1 {
					t.Errorf("version %d after the sync, want %d", got, before.CurrentVersionNumber+1)
				}
				CheckInvariants(t, f.s)
			})
		}
	})

	// An id names its item in any case, as in a path.
	t.Run("IDInUpperCase", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a := f.item(d.ID, "a", skip)
		file := strata.ItemSlice{{ID: strings.ToUpper(a.ID), Input: "a edited"}}
		res, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &file, strata.SyncOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "sync", syncCounts(res), "+0 ~1 -0 =0")
		wantEq(t, "id of the edited item", f.items(d.ID, 0)[0].ID, a.ID)
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

	// A file may move external ids between the items it names, in any
	// order of its records: a swap, and a chain in both orders, of items
	// revised in place (edits not yet in a version) and of items whose
	// revisions versions hold. The dry run answers what the sync does.
	t.Run("ExternalIDsMoveBetweenItems", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			before [3]string // external ids of items a, b, c
			file   [3]string // external ids the file gives them, in file order a, b, c
			order  []int
		}{
			{"Swap", [3]string{"e1", "e2", "e3"}, [3]string{"e2", "e1", "e3"}, []int{0, 1, 2}},
			{"ChainForward", [3]string{"e1", "e2", "e3"}, [3]string{"e2", "e3", "e4"}, []int{0, 1, 2}},
			{"ChainBackward", [3]string{"e1", "e2", "e3"}, [3]string{"e2", "e3", "e4"}, []int{2, 1, 0}},
			{"Rotate", [3]string{"e1", "e2", "e3"}, [3]string{"e3", "e1", "e2"}, []int{1, 0, 2}},
		} {
			for _, versioned := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/versioned=%v", tt.name, versioned), func(t *testing.T) {
					f := newFixture(t, open)
					d := f.dataset("qa")
					o := skip
					if versioned {
						o = strata.WriteOptions{}
					}
					var live [3]*strata.Item
					for i, e := range tt.before {
						it, err := f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{Input: string(rune('a' + i)), ExternalID: str(e)}, o)
						if err != nil {
							t.Fatal(err)
						}
						live[i] = it
					}
					file := func() *strata.ItemSlice {
						var file strata.ItemSlice
						for _, i := range tt.order {
							file = append(file, strata.ItemInput{ID: live[i].ID, Input: string(rune('a' + i)), ExternalID: str(tt.file[i])})
						}
						return &file
					}
					dry, err := f.s.SyncItems(f.ctx, f.actor, d.ID, file(), strata.SyncOptions{DryRun: true})
					if err != nil {
						t.Fatalf("dry run: %v", err)
					}
					for _, upsert := range []bool{false, true} {
						res, err := f.s.SyncItems(f.ctx, f.actor, d.ID, file(), strata.SyncOptions{Upsert: upsert})
						if err != nil {
							t.Fatalf("upsert=%v: %v", upsert, err)
						}
						if upsert {
							wantEq(t, "the upsert after the sync", syncCounts(res), "+0 ~0 -0 =3")
							continue
						}
						wantEq(t, "sync", syncCounts(res), syncCounts(dry))
					}
					for i, it := range live {
						got, err := f.s.FindItem(f.ctx, f.actor.ProjectID, d.ID, it.ID)
						if err != nil {
							t.Fatal(err)
						}
						if got.ExternalID == nil || *got.ExternalID != tt.file[i] {
							t.Errorf("item %c: external id %v, want %s", 'a'+i, got.ExternalID, tt.file[i])
						}
					}
					CheckInvariants(t, f.s)
				})
			}
		}
	})

	// A record naming an item by id wins over one holding the external id
	// the item gives up, in either order: that record is a new item. So an
	// edited export that renames an item's external id and adds an item
	// with the old one applies, and its dry run says so.
	t.Run("ExternalIDToNewRecord", func(t *testing.T) {
		for _, tt := range []struct {
			name    string
			records func(a string) strata.ItemSlice
		}{
			{"IDFirst", func(a string) strata.ItemSlice {
				return strata.ItemSlice{{ID: a, Input: "a", ExternalID: str("e9")}, {Input: "new", ExternalID: str("e3")}}
			}},
			{"ExternalIDFirst", func(a string) strata.ItemSlice {
				return strata.ItemSlice{{Input: "new", ExternalID: str("e3")}, {ID: a, Input: "a", ExternalID: str("e9")}}
			}},
			{"ExternalIDFirstUnchanged", func(a string) strata.ItemSlice {
				return strata.ItemSlice{{Input: "a", ExternalID: str("e3")}, {ID: a, Input: "a", ExternalID: str("e9")}}
			}},
		} {
			for _, upsert := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/upsert=%v", tt.name, upsert), func(t *testing.T) {
					f := newFixture(t, open)
					d := f.dataset("qa")
					a, err := f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{Input: "a", ExternalID: str("e3")}, strata.WriteOptions{})
					if err != nil {
						t.Fatal(err)
					}
					o := strata.SyncOptions{Upsert: upsert, DryRun: true, ChangeLimit: 10}
					file := tt.records(a.ID)
					dry, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &file, o)
					if err != nil {
						t.Fatalf("dry run: %v", err)
					}
					wantEq(t, "dry run", syncCounts(dry), "+1 ~1 -0 =0")
					if got := len(dry.Changes); got != 2 {
						t.Errorf("the dry run lists %d changes, want 2", got)
					}
					o.DryRun = false
					file = tt.records(a.ID)
					res, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &file, o)
					if err != nil {
						t.Fatal(err)
					}
					wantEq(t, "sync", syncCounts(res), "+1 ~1 -0 =0")
					items := f.items(d.ID, 0)
					if len(items) != 2 || items[0].ID != a.ID || *items[0].ExternalID != "e9" || *items[1].ExternalID != "e3" {
						t.Fatalf("items %v", items)
					}
					CheckInvariants(t, f.s)
				})
			}
		}
	})

	// An upsert leaves the items it does not name as they are, external
	// ids included: a record that takes one of theirs is refused, by the
	// dry run as by the upsert, and nothing is written.
	t.Run("UpsertKeepsOthersExternalIDs", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a, err := f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{Input: "a", ExternalID: str("e1")}, skip)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{Input: "b", ExternalID: str("e2")}, skip); err != nil {
			t.Fatal(err)
		}
		before := f.find(d.ID)
		// (A record holding an item's external id and no id names that
		// item: only a record matched by id can take another's.)
		for _, dry := range []bool{true, false} {
			file := strata.ItemSlice{{Input: "new"}, {ID: a.ID, Input: "a", ExternalID: str("e2")}}
			_, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &file, strata.SyncOptions{Upsert: true, DryRun: dry})
			if got := strata.ErrorCode(err); got != strata.ECONFLICT {
				t.Errorf("dry run %v: code %q (%v), want %q", dry, got, err, strata.ECONFLICT)
			}
		}
		wantEq(t, "ETag after the refused upserts", f.find(d.ID).ETag, before.ETag)
		CheckInvariants(t, f.s)
	})
}
