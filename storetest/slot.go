package storetest

import "errors"
import "fmt"
import "slices"
import "sync"
import "testing"
import "time"

import "github.com/strata-eval/strata"

func (f *fixture) attach(datasetID, evaluatorID string, c *strata.EvaluatorConfig) *strata.Dataset {
	f.tb.Helper()
	d, err := f.s.AttachEvaluator(f.ctx, f.actor, datasetID, strata.EvaluatorAttach{EvaluatorID: evaluatorID, Config: c})
	if err != nil {
		f.tb.Fatal(err)
	}
	return d
}

// slotIDs returns the evaluator id of each slot, "" where empty.
func slotIDs(d *strata.Dataset) []string {
	var ids []string
	for _, p := range d.Slots() {
		if p == nil {
			ids = append(ids, "")
		} else {
			ids = append(ids, *p)
		}
	}
	return ids
}

// newEvaluators creates n custom evaluators of a type, named e0, e1, ...
func (f *fixture) newEvaluators(n int, typ string) []*strata.Evaluator {
	f.tb.Helper()
	evs := make([]*strata.Evaluator, n)
	for i := range evs {
		evs[i] = f.evaluator(fmt.Sprintf("e%d", i), typ)
	}
	return evs
}

func testAttachDetach(t *testing.T, open Opener) {
	t.Run("AttachFillsFirstFreeSlot", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		evs := f.newEvaluators(6, "model-labeler")
		got := f.attach(d.ID, evs[0].ID, &strata.EvaluatorConfig{Type: "model-labeler", PassLabels: []string{"good"}})
		wantPtr(t, "slot 1", got.EvaluatorSlot1ID, evs[0].ID)
		if got, want := string(got.EvaluatorConfigs["1"]), `{"type":"model-labeler","passLabels":["good"]}`; got != want {
			t.Fatalf("config = %s, want %s", got, want)
		}
		if got.CurrentVersionNumber != 1 {
			t.Fatal("attach made a version")
		}
		// Attaching it again without a config changes nothing; with one,
		// its slot takes the config.
		again := f.attach(d.ID, evs[0].ID, nil)
		if !slices.Equal(slotIDs(again), slotIDs(got)) {
			t.Fatalf("again: slots %v, want %v", slotIDs(again), slotIDs(got))
		}
		wantEq(t, "configs after attaching again", len(again.EvaluatorConfigs), 1)
		again = f.attach(d.ID, evs[0].ID, &strata.EvaluatorConfig{Type: "model-labeler", PassLabels: []string{"fine"}})
		if !slices.Equal(slotIDs(again), slotIDs(got)) {
			t.Fatalf("again with a config: slots %v, want %v", slotIDs(again), slotIDs(got))
		}
		wantEq(t, "config after attaching again with one", string(again.EvaluatorConfigs["1"]), `{"type":"model-labeler","passLabels":["fine"]}`)
		for _, e := range evs[1:5] {
			f.attach(d.ID, e.ID, nil)
		}
		_, err := f.s.AttachEvaluator(f.ctx, f.actor, d.ID, strata.EvaluatorAttach{EvaluatorID: evs[5].ID})
		wantMessage(t, err, strata.EINVALID, "Maximum number of evaluators reached for this dataset")
		// A freed slot is the first taken.
		if _, err := f.s.DetachEvaluator(f.ctx, f.actor, d.ID, 3); err != nil {
			t.Fatal(err)
		}
		got = f.attach(d.ID, evs[5].ID, nil)
		if want := []string{evs[0].ID, evs[1].ID, evs[5].ID, evs[3].ID, evs[4].ID}; !slices.Equal(slotIDs(got), want) {
			t.Fatalf("slots = %v, want %v", slotIDs(got), want)
		}
	})

	t.Run("ErrAttach", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		labeler, scorer := f.evaluator("l", "model-labeler"), f.evaluator("s", "model-scorer")
		builtin := f.evaluators(strata.KindBuiltin)[0]
		for _, c := range []struct {
			at            strata.EvaluatorAttach
			code, message string
		}{
			{strata.EvaluatorAttach{EvaluatorID: "00000000-0000-0000-0000-000000000000"}, strata.ENOTFOUND, "Evaluator not found"},
			{strata.EvaluatorAttach{EvaluatorID: builtin.ID}, strata.EINVALID, "Builtin evaluators cannot be attached to datasets"},
			{strata.EvaluatorAttach{EvaluatorID: scorer.ID, Config: &strata.EvaluatorConfig{Type: "model-labeler", PassLabels: []string{"a"}}},
				strata.EINVALID, "Configuration does not match evaluator type"},
			{strata.EvaluatorAttach{EvaluatorID: labeler.ID, Config: &strata.EvaluatorConfig{Type: "model-scorer", Threshold: threshold(1)}},
				strata.EINVALID, "Configuration does not match evaluator type"},
			{strata.EvaluatorAttach{EvaluatorID: labeler.ID, Config: &strata.EvaluatorConfig{Type: "model-labeler"}},
				strata.EINVALID, "Specify at least one passing label"},
		} {
			_, err := f.s.AttachEvaluator(f.ctx, f.actor, d.ID, c.at)
			wantMessage(t, err, c.code, c.message)
		}
		_, err := f.s.AttachEvaluator(f.ctx, f.actor, "00000000-0000-0000-0000-000000000000", strata.EvaluatorAttach{EvaluatorID: labeler.ID})
		wantMessage(t, err, strata.ENOTFOUND, "Dataset not found")
		if got := slotIDs(f.find(d.ID)); !slices.Equal(got, []string{"", "", "", "", ""}) {
			t.Fatalf("failed attaches took slots: %v", got)
		}
	})

	t.Run("ConcurrentAttachesTakeDistinctSlots", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		evs := f.newEvaluators(8, "bleu")
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			full   int
			others []error
		)
		// Each evaluator twice: one attach of each pair finds it attached.
		for _, e := range append(slices.Clone(evs), evs...) {
			wg.Go(func() {
				_, err := f.s.AttachEvaluator(f.ctx, f.actor, d.ID, strata.EvaluatorAttach{EvaluatorID: e.ID})
				mu.Lock()
				defer mu.Unlock()
				if strata.ErrorMessage(err) == "Maximum number of evaluators reached for this dataset" {
					full++
				} else if err != nil {
					others = append(others, err)
				}
			})
		}
		wg.Wait()
		if len(others) > 0 {
			t.Fatal(others)
		}
		got := slotIDs(f.find(d.ID))
		seen := map[string]bool{}
		for _, id := range got {
			if id == "" {
				t.Fatalf("slots = %v: an empty slot", got)
			}
			if seen[id] {
				t.Fatalf("slots = %v: %s twice", got, id)
			}
			seen[id] = true
		}
		// 3 evaluators found no slot, each on one or both of its attaches.
		if full < 3 || full > 6 {
			t.Fatalf("%d attaches found the slots full, want 3 to 6", full)
		}
	})

	t.Run("DetachClearsWorkingSetOnly", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		e1, e2 := f.evaluator("a", "bleu"), f.evaluator("b", "bleu")
		f.attach(d.ID, e1.ID, nil)
		f.attach(d.ID, e2.ID, nil)
		f.item(d.ID, "x", skip)
		f.item(d.ID, "y", skip)
		slots := []strata.RunSlotInput{{Slot: 1, Evaluator: e1}, {Slot: 2, Evaluator: e2}}
		out, err := f.complete(d.ID, "", slots, func(i, slot int) string { return fmt.Sprintf(`{"score":%d}`, 10*slot+i) })
		if err != nil {
			t.Fatal(err)
		}
		v := out.Version
		f.item(d.ID, "draft", skip) // a draft, with no result
		after, err := f.s.DetachEvaluator(f.ctx, f.actor, d.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		wantNil(t, "slot 1 after detach", after.EvaluatorSlot1ID)
		wantPtr(t, "slot 2 after detach", after.EvaluatorSlot2ID, e2.ID)
		wantEq(t, "version after detach", after.CurrentVersionNumber, v.Number)
		for i, it := range f.items(d.ID, 0) {
			if result(it, 1) != "" {
				t.Errorf("working item %d keeps result 1: %s", i, result(it, 1))
			}
			if i < 2 && result(it, 2) != fmt.Sprintf(`{"score":%d}`, 20+i) {
				t.Errorf("working item %d lost result 2: %q", i, result(it, 2))
			}
		}
		for i, it := range f.items(d.ID, v.Number) {
			if got, want := result(it, 1), fmt.Sprintf(`{"score":%d}`, 10+i); got != want {
				t.Errorf("version %d item %d: result 1 = %q, want %q", v.Number, i, got, want)
			}
		}
		// Detaching an empty slot is no error.
		if _, err := f.s.DetachEvaluator(f.ctx, f.actor, d.ID, 5); err != nil {
			t.Fatal(err)
		}
	})

	// A delete of an evaluator while it is being attached to other
	// datasets: each attach applies before the delete, which then empties
	// its slot, or after it, and finds the evaluator gone. No dataset
	// holds the deleted evaluator.
	t.Run("DeleteEvaluatorDuringAttaches", func(t *testing.T) {
		f := newFixture(t, open)
		held := f.dataset("held")
		f.fill(held.ID, 2000) // results to clear: the delete takes a while
		var others []*strata.Dataset
		for i := range 11 {
			others = append(others, f.dataset(fmt.Sprintf("other %d", i)))
		}
		for trial := range 4 {
			e := f.evaluator(fmt.Sprintf("e%d", trial), "bleu")
			f.attach(held.ID, e.ID, nil)
			slots := []strata.RunSlotInput{{Slot: 1, Evaluator: e}}
			if _, err := f.complete(held.ID, "", slots, func(i, slot int) string { return `{"score":1}` }); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make(chan error, len(others)+1)
			wg.Go(func() { errs <- f.s.DeleteEvaluator(f.ctx, f.actor, e.ID) })
			for _, d := range others {
				time.Sleep(5 * time.Millisecond) // attaches all along the delete
				wg.Go(func() {
					_, err := f.s.AttachEvaluator(f.ctx, f.actor, d.ID, strata.EvaluatorAttach{EvaluatorID: e.ID})
					if err != nil && !errors.Is(err, strata.ErrEvaluatorNotFound) {
						errs <- fmt.Errorf("attach: %w", err)
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			for _, d := range append(others, held) {
				got := f.find(d.ID)
				for n, slot := range []*string{got.EvaluatorSlot1ID, got.EvaluatorSlot2ID, got.EvaluatorSlot3ID, got.EvaluatorSlot4ID, got.EvaluatorSlot5ID} {
					if slot != nil && *slot == e.ID {
						t.Fatalf("trial %d: %s holds the deleted evaluator in slot %d", trial, d.Name, n+1)
					}
				}
			}
			for _, d := range others { // free the slots for the next trial
				for n := 1; n <= strata.MaxEvaluatorSlots; n++ {
					if _, err := f.s.DetachEvaluator(f.ctx, f.actor, d.ID, n); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	})

	t.Run("DeleteEvaluatorEmptiesSlots", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		e := f.evaluator("s", "model-scorer")
		keep := f.evaluator("keep", "bleu")
		f.attach(d.ID, keep.ID, nil)
		f.attach(d.ID, e.ID, &strata.EvaluatorConfig{Type: "model-scorer", Threshold: threshold(5)})
		f.item(d.ID, "x", skip)
		f.item(d.ID, "y", skip)
		slots := []strata.RunSlotInput{{Slot: 1, Evaluator: keep}, {Slot: 2, Evaluator: e}}
		out, err := f.complete(d.ID, "", slots, func(i, slot int) string { return fmt.Sprintf(`{"score":%d}`, 10*slot+i) })
		if err != nil {
			t.Fatal(err)
		}
		v := out.Version
		before := f.find(d.ID).ETag
		other := f.dataset("other")
		otherETag := f.find(other.ID).ETag
		if err := f.s.DeleteEvaluator(f.ctx, f.actor, e.ID); err != nil {
			t.Fatal(err)
		}
		got := f.find(d.ID)
		// The dataset changed: its ETag moves, so an If-Match of before
		// fails; a dataset that did not hold the evaluator keeps its own.
		if got.ETag == before {
			t.Fatalf("emptying a slot left the ETag at %s", before)
		}
		wantEq(t, "ETag of a dataset without the evaluator", f.find(other.ID).ETag, otherETag)
		if got.EvaluatorSlot1ID == nil {
			t.Fatal("the slot of another evaluator was emptied")
		}
		wantNil(t, "slot 2", got.EvaluatorSlot2ID)
		wantEq(t, "configs", len(got.EvaluatorConfigs), 0)
		// Its results leave the working set, as a detach takes them (an
		// evaluator attached next in the slot would show them as its
		// own); the version keeps them.
		for i, it := range f.items(d.ID, 0) {
			if result(it, 2) != "" {
				t.Errorf("working item %d keeps the deleted evaluator's result: %s", i, result(it, 2))
			}
			if got, want := result(it, 1), fmt.Sprintf(`{"score":%d}`, 10+i); got != want {
				t.Errorf("working item %d: result 1 = %q, want %q", i, got, want)
			}
		}
		for i, it := range f.items(d.ID, v.Number) {
			if got, want := result(it, 2), fmt.Sprintf(`{"score":%d}`, 20+i); got != want {
				t.Errorf("version %d item %d: result 2 = %q, want %q", v.Number, i, got, want)
			}
		}
		// The working set's content hash moved with its results.
		_, next, err := f.s.CreateVersion(f.ctx, f.actor, d.ID, strata.VersionCreate{})
		if err != nil {
			t.Fatal(err)
		}
		nv := f.version(d.ID, next.CurrentVersionNumber)
		var sum strata.ContentHash
		for _, it := range f.items(d.ID, nv.Number) {
			sum.Add(strata.ItemContentHash(it))
		}
		wantEq(t, "content hash after the delete", nv.ContentHash, sum.String())
	})
}
