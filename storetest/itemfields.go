package storetest

import "encoding/json"
import "fmt"
import "slices"
import "strconv"
import "strings"
import "testing"
import "time"

import "github.com/strata-eval/strata"

func itoa(n int) string { return strconv.Itoa(n) }

func (f *fixture) version(datasetID string, n int) *strata.Version {
	f.tb.Helper()
	v, err := f.s.ResolveVersion(f.ctx, f.actor.ProjectID, datasetID, itoa(n))
	if err != nil {
		f.tb.Fatal(err)
	}
	return v
}

// testItemFields covers metadata, splits and external ids through every
// operation that carries an item's content.
func testItemFields(t *testing.T, open Opener) {
	full := strata.ItemInput{Input: "q", Metadata: json.RawMessage(`{"turns": 3, "lang": "en"}`),
		Splits: []string{"train", "test", "train"}, ExternalID: str("case-1")}

	t.Run("CreateNormalizes", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		it, err := f.s.CreateItem(f.ctx, f.actor, d.ID, full, strata.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.s.FindItem(f.ctx, f.actor.ProjectID, d.ID, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []*strata.Item{it, got} {
			if got, want := string(x.Metadata), `{"lang":"en","turns":3}`; got != want {
				t.Errorf("metadata = %s, want %s", got, want)
			}
			if got, want := x.Splits, []string{"test", "train"}; !slices.Equal(got, want) {
				t.Errorf("splits = %q, want %q", got, want)
			}
			wantPtr(t, "externalId", x.ExternalID, "case-1")
		}
	})

	t.Run("Defaults", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		it := f.item(d.ID, "q", skip)
		if got := string(it.Metadata); got != "{}" {
			t.Errorf("metadata = %s, want {}", got)
		}
		if it.Splits == nil {
			t.Error("splits = nil, want []")
		}
		if len(it.Splits) != 0 {
			t.Errorf("splits = %q, want []", it.Splits)
		}
		if it.ExternalID != nil {
			t.Errorf("externalId = %q, want nil", *it.ExternalID)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		for name, in := range map[string]strata.ItemInput{
			"metadataArray":  {Metadata: json.RawMessage(`[1]`)},
			"metadataScalar": {Metadata: json.RawMessage(`"x"`)},
			"metadataBig":    {Metadata: json.RawMessage(`{"k":"` + strings.Repeat("x", strata.MaxMetadataBytes) + `"}`)},
			"splitName":      {Splits: []string{"a b"}},
			"splitEmpty":     {Splits: []string{""}},
			"tooManySplits":  {Splits: strings.Fields("a b c d e f g h i j k l m n o p q")},
			"externalEmpty":  {ExternalID: str("")},
			"externalLong":   {ExternalID: str(strings.Repeat("x", 256))},
			"externalCtrl":   {ExternalID: str("a\nb")},
		} {
			_, err := f.s.CreateItem(f.ctx, f.actor, d.ID, in, skip)
			if got := strata.ErrorCode(err); got != strata.EINVALID {
				t.Errorf("%s: error code %q (%v), want invalid", name, got, err)
			}
		}
		if got := f.find(d.ID).ItemCount; got != 0 {
			t.Fatalf("refused items were kept: %d", got)
		}
	})

	t.Run("ErrExternalIDTaken", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		first, err := f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{ExternalID: str("x")}, skip)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{ExternalID: str("x")}, skip)
		wantCode(t, err, strata.ECONFLICT)
		if !strings.Contains(strata.ErrorMessage(err), first.ID) {
			t.Errorf("message %q does not name item %s", strata.ErrorMessage(err), first.ID)
		}
		other := f.item(d.ID, "o", skip)
		_, err = f.s.UpdateItem(f.ctx, f.actor, d.ID, other.ID, strata.ItemUpdate{ExternalID: str("x"), SetExternalID: true}, skip)
		wantCode(t, err, strata.ECONFLICT)
		src := strata.ItemSlice{{ExternalID: str("y")}, {ExternalID: str("y")}}
		_, err = f.s.ImportItems(f.ctx, f.actor, d.ID, &src, skip)
		wantCode(t, err, strata.EINVALID) // the file's mistake (Import/ExternalIDTwice)
		if got := f.find(d.ID).ItemCount; got != 2 {
			t.Fatalf("items = %d, want 2", got)
		}
		// Another dataset, and a deleted item, free the id.
		if _, err := f.s.CreateItem(f.ctx, f.actor, f.dataset("other").ID, strata.ItemInput{ExternalID: str("x")}, skip); err != nil {
			t.Fatalf("other dataset: %v", err)
		}
		f.snapshot(d.ID)
		if err := f.s.DeleteItem(f.ctx, f.actor, d.ID, first.ID, skip); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{ExternalID: str("x")}, skip); err != nil {
			t.Fatalf("after delete: %v", err)
		}
		CheckInvariants(t, f.s)
	})

	t.Run("EditVersionsRestore", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		it, err := f.s.CreateItem(f.ctx, f.actor, d.ID, full, strata.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		v1 := f.find(d.ID).CurrentVersionNumber
		edits := []strata.ItemUpdate{
			{Metadata: json.RawMessage(`{"lang":"fr"}`), MetadataMerge: true},
			{Metadata: json.RawMessage(`{"source":"web"}`)},
			{Splits: []string{"dev"}},
			{ExternalID: nil, SetExternalID: true},
		}
		wants := []func(*strata.Item) bool{
			func(x *strata.Item) bool { return string(x.Metadata) == `{"lang":"fr","turns":3}` },
			func(x *strata.Item) bool { return string(x.Metadata) == `{"source":"web"}` },
			func(x *strata.Item) bool { return slices.Equal(x.Splits, []string{"dev"}) },
			func(x *strata.Item) bool { return x.ExternalID == nil },
		}
		hashes := map[string]bool{f.version(d.ID, v1).ContentHash: true}
		for i, u := range edits {
			got, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, it.ID, u, strata.WriteOptions{})
			if err != nil {
				t.Fatalf("edit %d: %v", i, err)
			}
			if !wants[i](got) {
				t.Fatalf("edit %d: item %s %q %v", i, got.Metadata, got.Splits, got.ExternalID)
			}
			v := f.find(d.ID).CurrentVersionNumber
			if v != v1+i+1 {
				t.Fatalf("edit %d made no version", i)
			}
			h := f.version(d.ID, v).ContentHash
			if hashes[h] {
				t.Fatalf("edit %d left the content hash as it was", i)
			}
			hashes[h] = true
			diff, err := f.s.DiffVersions(f.ctx, strata.DiffQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID, From: itoa(v - 1), To: itoa(v)})
			if err != nil {
				t.Fatal(err)
			}
			wantEq(t, fmt.Sprintf("edit %d: modified", i), diff.Modified, 1)
			wantEq(t, fmt.Sprintf("edit %d: changes", i), len(diff.Changes), 1)
			if !wants[i](diff.Changes[0].After) {
				t.Fatalf("edit %d: changed to %+v", i, diff.Changes[0].After)
			}
		}
		// The first version kept the values it had.
		old := f.items(d.ID, v1)[0]
		wantEq(t, "first version's metadata", string(old.Metadata), `{"lang":"en","turns":3}`)
		if !slices.Equal(old.Splits, []string{"test", "train"}) {
			t.Fatalf("first version's splits = %q", old.Splits)
		}
		if old.ExternalID == nil {
			t.Fatal("first version's externalId = nil")
		}
		history, err := f.history(d.ID, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "revisions", len(history), len(edits)+1)
		wantEq(t, "first revision's metadata", string(history[0].Metadata), `{"lang":"en","turns":3}`)
		wantNil(t, "last revision's externalId", history[len(history)-1].ExternalID)
		_, v, err := f.s.RestoreVersion(f.ctx, f.actor, d.ID, itoa(v1))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := v.ContentHash, f.version(d.ID, v1).ContentHash; got != want {
			t.Fatalf("restored hash %s, want %s", got, want)
		}
		back := f.items(d.ID, 0)[0]
		wantEq(t, "restored metadata", string(back.Metadata), string(old.Metadata))
		if !slices.Equal(back.Splits, old.Splits) {
			t.Fatalf("restored splits = %q, want %q", back.Splits, old.Splits)
		}
		wantPtr(t, "restored externalId", back.ExternalID, "case-1")
		if got := f.filtered(d.ID, 0, strata.ItemFilter{Splits: []string{"train"}}); len(got) != 1 {
			t.Fatalf("split filter after restore: %d items", len(got))
		}
		CheckInvariants(t, f.s)
	})

	t.Run("DraftEditRewritesSplits", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		it, err := f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{Splits: []string{"a"}}, skip)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, it.ID, strata.ItemUpdate{Splits: []string{"b"}}, skip); err != nil {
			t.Fatal(err)
		}
		if got := f.filtered(d.ID, 0, strata.ItemFilter{Splits: []string{"a"}}); len(got) != 0 {
			t.Fatalf("split a: %d items", len(got))
		}
		if got := f.filtered(d.ID, 0, strata.ItemFilter{Splits: []string{"b"}}); len(got) != 1 {
			t.Fatalf("split b: %d items", len(got))
		}
		CheckInvariants(t, f.s)
	})

	t.Run("FilteredRun", func(t *testing.T) { testFilteredRun(t, open) })
	t.Run("FilteredRunFailed", func(t *testing.T) {
		// A run that fails, or is swept as interrupted, still says which
		// items it was over.
		f := newFixture(t, open)
		d := f.dataset("qa")
		start := strata.RunStart{TotalItems: 1, Filter: strata.ItemFilter{Splits: []string{"test"}}.String()}
		failed, err := f.s.CreateRun(f.ctx, f.actor, d.ID, start)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.FailRun(f.ctx, f.actor, d.ID, failed.ID, "boom"); err != nil {
			t.Fatal(err)
		}
		wantPtr(t, "filter of the failed run", f.run(d.ID, failed.ID).Filter, "split=test")
		swept, err := f.s.CreateRun(f.ctx, f.actor, d.ID, start)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.FailStaleRuns(f.ctx, time.Now().Add(time.Hour), "interrupted"); err != nil {
			t.Fatal(err)
		}
		wantPtr(t, "filter of the swept run", f.run(d.ID, swept.ID).Filter, "split=test")
	})

	t.Run("DiffFilter", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		src := strata.ItemSlice{{Input: "a", Splits: []string{"test"}}, {Input: "b", Splits: []string{"train"}}, {Input: "c", Splits: []string{"test"}}}
		if _, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &src, strata.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		items := f.items(d.ID, 0)
		// a leaves test, b joins test, c is removed, d is added to train.
		for i, splits := range [][]string{{"dev"}, {"test"}} {
			if _, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, items[i].ID, strata.ItemUpdate{Splits: splits}, skip); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.s.DeleteItem(f.ctx, f.actor, d.ID, items[2].ID, skip); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{Input: "d", Splits: []string{"train"}}, skip); err != nil {
			t.Fatal(err)
		}
		diff, err := f.s.DiffVersions(f.ctx, strata.DiffQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID, From: "latest",
			To: strata.RefWorking, Filter: strata.ItemFilter{Splits: []string{"test"}}})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprintf("+%d -%d ~%d =%d", diff.Added, diff.Removed, diff.Modified, diff.Unchanged), "+0 -1 ~2 =0"; got != want {
			t.Fatalf("filtered diff %s, want %s", got, want)
		}
	})

	t.Run("Filters", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		src := strata.ItemSlice{
			{Input: "a", Splits: []string{"train"}, Metadata: json.RawMessage(`{"lang":"en","turns":3}`)},
			{Input: "b", Splits: []string{"test"}, Metadata: json.RawMessage(`{"lang":"fr","turns":1}`), ExternalID: str("B")},
			{Input: "c", Splits: []string{"test", "train"}, Metadata: json.RawMessage(`{"lang":"en","ok":true}`)},
			{Input: "d"},
		}
		if _, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &src, strata.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		v := f.find(d.ID).CurrentVersionNumber
		for name, tc := range map[string]struct {
			filter strata.ItemFilter
			want   []string
		}{
			"split":         {strata.ItemFilter{Splits: []string{"test"}}, []string{"b", "c"}},
			"anySplit":      {strata.ItemFilter{Splits: []string{"test", "train"}}, []string{"a", "b", "c"}},
			"metadata":      {strata.ItemFilter{Metadata: []strata.MetadataMatch{{Key: "lang", Value: "en"}}}, []string{"a", "c"}},
			"metadataNum":   {strata.ItemFilter{Metadata: []strata.MetadataMatch{{Key: "turns", Value: "3"}}}, []string{"a"}},
			"metadataBool":  {strata.ItemFilter{Metadata: []strata.MetadataMatch{{Key: "ok", Value: "true"}}}, []string{"c"}},
			"allMetadata":   {strata.ItemFilter{Metadata: []strata.MetadataMatch{{Key: "lang", Value: "en"}, {Key: "turns", Value: "3"}}}, []string{"a"}},
			"externalId":    {strata.ItemFilter{ExternalID: str("B")}, []string{"b"}},
			"splitAndMeta":  {strata.ItemFilter{Splits: []string{"train"}, Metadata: []strata.MetadataMatch{{Key: "lang", Value: "en"}}}, []string{"a", "c"}},
			"nothing":       {strata.ItemFilter{Splits: []string{"dev"}}, nil},
			"splitAndExtId": {strata.ItemFilter{Splits: []string{"train"}, ExternalID: str("B")}, nil},
		} {
			for _, version := range []int{0, v} {
				if got := inputs(f.filtered(d.ID, version, tc.filter)); !slices.Equal(got, tc.want) && len(got)+len(tc.want) > 0 {
					t.Errorf("%s, version %d: %q, want %q", name, version, got, tc.want)
				}
			}
		}
		// A page of a filtered scan pages by the items kept.
		var page []string
		err := f.s.ScanItems(f.ctx, strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID, Limit: 1, AfterSeq: 1,
			Filter: strata.ItemFilter{Metadata: []strata.MetadataMatch{{Key: "lang", Value: "en"}}}},
			func(it *strata.Item) error { page = append(page, it.Input); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(page, []string{"c"}) {
			t.Fatalf("page = %q, want [c]", page)
		}
		// A bounded scan stops after the rows it may read, and says where.
		var readTo int64
		page = nil
		err = f.s.ScanItems(f.ctx, strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID, Limit: 10, MaxRead: 2, ReadTo: &readTo,
			Filter: strata.ItemFilter{Metadata: []strata.MetadataMatch{{Key: "lang", Value: "en"}}}},
			func(it *strata.Item) error { page = append(page, it.Input); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(page, []string{"a"}) {
			t.Fatalf("bounded page = %q, want [a]", page)
		}
		wantEq(t, "bounded page read to", readTo, f.items(d.ID, 0)[1].Seq)
		err = f.s.ScanItems(f.ctx, strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID,
			Filter: strata.ItemFilter{Splits: []string{"no good"}}}, func(*strata.Item) error { return nil })
		wantCode(t, err, strata.EINVALID)
	})
}

// testFilteredRun checks that a run over some items records its filter,
// whether it completes at once or after running.
func testFilteredRun(t *testing.T, open Opener) {
	f := newFixture(t, open)
	d := f.dataset("qa")
	e := f.evaluator("a", "bleu")
	f.attach(d.ID, e.ID, nil)
	if _, err := f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{Input: "x", Splits: []string{"test"}}, skip); err != nil {
		t.Fatal(err)
	}
	f.item(d.ID, "y", skip)
	filter := strata.ItemFilter{Splits: []string{"test"}}
	items := f.filtered(d.ID, 0, filter)
	c := strata.RunCompletion{TotalItems: len(items), Slots: []strata.RunSlotInput{{Slot: 1, Evaluator: e}}, Filter: filter.String()}
	for _, it := range items {
		r := strata.ItemResults{ItemID: it.ID, Content: strata.DigestContent(it.Input, it.GroundTruth, it.Output)}
		r.Results[0] = json.RawMessage(`{"score":1}`)
		c.Items = append(c.Items, r)
	}
	out, err := f.s.CompleteRun(f.ctx, f.actor, d.ID, c)
	if err != nil {
		t.Fatal(err)
	}
	wantPtr(t, "run filter", out.Run.Filter, "split=test")
	wantEq(t, "run total items", out.Run.TotalItems, 1)
	running, err := f.s.CreateRun(f.ctx, f.actor, d.ID, strata.RunStart{TotalItems: 1, Filter: filter.String()})
	if err != nil {
		t.Fatal(err)
	}
	wantPtr(t, "filter of the run as created", running.Filter, "split=test")
	wantPtr(t, "filter of the running run", f.run(d.ID, running.ID).Filter, "split=test")
	c.RunID = running.ID
	if out, err = f.s.CompleteRun(f.ctx, f.actor, d.ID, c); err != nil {
		t.Fatal(err)
	}
	wantPtr(t, "async run filter", out.Run.Filter, "split=test")
	runs, err := f.s.ListRuns(f.ctx, f.actor.ProjectID, d.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.Filter == nil {
			t.Fatalf("listed run %s lost its filter", r.ID)
		}
	}
	if got := f.items(d.ID, 0); result(got[1], 1) != "" {
		t.Fatalf("an item outside the filter got a result")
	}
}
