package sqlstore_test

import "errors"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/sqlstore"
import "github.com/strata-eval/strata/internal/testkit"

// A delete of an evaluator reads the slots of the datasets it locked under
// their locks: when another evaluator took the slot while it waited, the
// slot, its config and its results stay; and a delete that finds the
// evaluator gone says so.
func TestDeleteEvaluatorReadsSlotsUnderTheLock(t *testing.T) {
	s := testkit.SQLite(t)
	a := testkit.Owner(t, s, "p")
	ctx := t.Context()
	d, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: "d"})
	if err != nil {
		t.Fatal(err)
	}
	create := func(name string) *strata.Evaluator {
		e, err := s.CreateEvaluator(ctx, a, strata.EvaluatorCreate{Name: name, Type: "bleu", Mode: "normal", Params: []byte(`{}`), Filters: []byte(`[]`)})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e2, e3 := create("e2"), create("e3")
	if _, err := s.AttachEvaluator(ctx, a, d.ID, strata.EvaluatorAttach{EvaluatorID: e2.ID}); err != nil {
		t.Fatal(err)
	}
	held := []string{d.ID} // what the delete saw before it waited
	// Meanwhile: e2 goes, e3 takes its slot.
	if err := s.DeleteEvaluator(ctx, a, e2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachEvaluator(ctx, a, d.ID, strata.EvaluatorAttach{EvaluatorID: e3.ID}); err != nil {
		t.Fatal(err)
	}
	before, err := s.FindDataset(ctx, a.ProjectID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	err = s.DeleteEvaluatorAsSeen(ctx, a.ProjectID, e2.ID, held)
	if got := strata.ErrorCode(err); got != strata.ENOTFOUND {
		t.Errorf("a delete of an evaluator deleted meanwhile: %v, want not found", err)
	}
	after, err := s.FindDataset(ctx, a.ProjectID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.EvaluatorSlot1ID == nil || *after.EvaluatorSlot1ID != e3.ID {
		t.Errorf("slot 1 = %v after the delete of e2, want e3 %s", after.EvaluatorSlot1ID, e3.ID)
	}
	if after.ETag != before.ETag {
		t.Errorf("ETag moved from %s to %s", before.ETag, after.ETag)
	}
	// Attached meanwhile to a dataset the delete did not lock: it starts
	// again with it, and empties its slot.
	d2, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: "d2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachEvaluator(ctx, a, d2.ID, strata.EvaluatorAttach{EvaluatorID: e3.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEvaluatorAsSeen(ctx, a.ProjectID, e3.ID, held); !errors.Is(err, sqlstore.ErrHeldMeanwhile) {
		t.Errorf("a delete that had not locked a dataset holding it: %v, want it started again", err)
	}
	if err := s.DeleteEvaluator(ctx, a, e3.ID); err != nil {
		t.Fatal(err)
	}
	for _, ds := range []string{d.ID, d2.ID} {
		got, err := s.FindDataset(ctx, a.ProjectID, ds)
		if err != nil {
			t.Fatal(err)
		}
		if got.EvaluatorSlot1ID != nil {
			t.Errorf("slot 1 of %s = %s after the delete of e3", ds, *got.EvaluatorSlot1ID)
		}
	}
}

// A dataset's lock in the server's queue is one for all the spellings of
// its id.
func TestDatasetLockKey(t *testing.T) {
	id := strata.NewID()
	if sqlstore.DatasetLockKey(strings.ToUpper(id)) != sqlstore.DatasetLockKey(id) {
		t.Errorf("%s and its upper case have two locks", id)
	}
}
