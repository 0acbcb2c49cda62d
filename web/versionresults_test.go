package web_test

import "encoding/json"
import "fmt"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

// judgedDataset is a dataset of one item whose output a scorer in slot 1
// scored 0.6, under a pass rule of 0.5, in a run that made version 2.
type judgedDataset struct {
	s      *site
	owner  *strata.Principal
	d      *strata.Dataset
	item   *strata.Item
	scorer *strata.Evaluator
}

func newJudgedDataset(t *testing.T, s *site) *judgedDataset {
	t.Helper()
	owner, d := s.ownerDataset(t, "judged")
	output := "4"
	it, err := s.store.CreateItem(t.Context(), owner.Actor(), d.ID, strata.ItemInput{Input: "2 + 2?", Output: &output}, strata.WriteOptions{SkipVersion: true})
	if err != nil {
		t.Fatal(err)
	}
	j := &judgedDataset{s: s, owner: owner, d: d, item: it}
	j.scorer = j.attach(t, "Strict judge", 0.5)
	j.run(t, `{"score":0.6}`)
	return j
}

// attach creates a scorer and puts it in the first free slot with a
// threshold.
func (j *judgedDataset) attach(t *testing.T, name string, threshold float64) *strata.Evaluator {
	t.Helper()
	e, err := j.s.store.CreateEvaluator(t.Context(), j.owner.Actor(), strata.EvaluatorCreate{Name: name, Slug: strings.ToLower(strings.ReplaceAll(name, " ", "-")),
		Type: strata.TypeModelScorer, Mode: "normal", Params: []byte(`{}`), Filters: []byte(`[]`)})
	if err != nil {
		t.Fatal(err)
	}
	j.reattach(t, e, threshold)
	return e
}

// reattach puts an evaluator in the first free slot with a threshold.
func (j *judgedDataset) reattach(t *testing.T, e *strata.Evaluator, threshold float64) {
	t.Helper()
	at := strata.EvaluatorAttach{EvaluatorID: e.ID, Config: &strata.EvaluatorConfig{Type: strata.TypeModelScorer, Threshold: &threshold}}
	if _, err := j.s.store.AttachEvaluator(t.Context(), j.owner.Actor(), j.d.ID, at); err != nil {
		t.Fatal(err)
	}
}

func (j *judgedDataset) detach(t *testing.T) {
	t.Helper()
	if _, err := j.s.store.DetachEvaluator(t.Context(), j.owner.Actor(), j.d.ID, 1); err != nil {
		t.Fatal(err)
	}
}

// run records a run of the evaluator in slot 1 that gave the item result,
// as the evaluator runner records one; it returns the version it made.
func (j *judgedDataset) run(t *testing.T, result string) int {
	t.Helper()
	ctx := t.Context()
	d, err := j.s.store.FindDataset(ctx, j.owner.ProjectID, j.d.ID)
	if err != nil {
		t.Fatal(err)
	}
	e, err := j.s.store.FindEvaluator(ctx, j.owner.ProjectID, *d.EvaluatorSlot1ID)
	if err != nil {
		t.Fatal(err)
	}
	it := j.item
	out, err := j.s.store.CompleteRun(ctx, j.owner.Actor(), j.d.ID, strata.RunCompletion{TotalItems: 1,
		Slots: []strata.RunSlotInput{{Slot: 1, Evaluator: e, Config: d.Config(1)}},
		Items: []strata.ItemResults{{ItemID: it.ID, Content: strata.DigestContent(it.Input, it.GroundTruth, it.Output),
			Results: [strata.MaxEvaluatorSlots]json.RawMessage{json.RawMessage(result)}}}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Version.Number
}

// verdict is how the items table shows the result of slot 1.
func verdict(evaluator, outcome string) string {
	return fmt.Sprintf(`<div class="verdict" title="%s, slot 1"><span class="outcome outcome-%s">%s</span>`, evaluator, outcome, outcome)
}

// TestVersionPageNamesResultsByTheirRun: a version's results are named
// after the evaluator that gave them, not the one in their slot now.
func TestVersionPageNamesResultsByTheirRun(t *testing.T) {
	s := newSite(t)
	j := newJudgedDataset(t, s)
	j.detach(t)
	j.attach(t, "Lenient judge", 0.5)
	s.signin(t, s.owner)
	p := s.get(t, "/datasets/"+j.d.ID+"/versions/2")
	wantText(t, p, verdict("Strict judge", "pass"))
	if strings.Contains(p.body, "Lenient judge") {
		t.Fatal("version 2 names its results after the evaluator attached since")
	}
}

// TestVersionPageJudgesResultsByTheirRunsRule: a version's results pass or
// fail under the pass rule of the run that gave them, not the slot's rule
// now.
func TestVersionPageJudgesResultsByTheirRunsRule(t *testing.T) {
	s := newSite(t)
	j := newJudgedDataset(t, s)
	j.detach(t)
	j.reattach(t, j.scorer, 0.9)
	s.signin(t, s.owner)
	wantText(t, s.get(t, "/datasets/"+j.d.ID+"/versions/2"), verdict("Strict judge", "pass"))
}

// TestVersionPageOfARestore: a restore brings back the results of the
// version it restores, and their evaluator's name, though a later run's
// evaluator held the slot.
func TestVersionPageOfARestore(t *testing.T) {
	s := newSite(t)
	j := newJudgedDataset(t, s)
	j.detach(t)
	j.attach(t, "Lenient judge", 0.5)
	if got := j.run(t, `{"score":0.1}`); got != 3 {
		t.Fatalf("the second run made version %d, want 3", got)
	}
	v2, err := s.store.ResolveVersion(t.Context(), j.owner.ProjectID, j.d.ID, "2")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.store.RestoreVersion(t.Context(), j.owner.Actor(), j.d.ID, v2.ID); err != nil {
		t.Fatal(err)
	}
	s.signin(t, s.owner)
	ds := "/datasets/" + j.d.ID
	t.Run("RunsVersion", func(t *testing.T) {
		wantText(t, s.get(t, ds+"/versions/3"), verdict("Lenient judge", "fail"))
	})
	t.Run("Restore", func(t *testing.T) {
		wantText(t, s.get(t, ds+"/versions/4"), verdict("Strict judge", "pass"))
	})
}

// TestItemPageOfADeletedItem: a deleted item is shown as it last was, its
// results named and judged as in the version that last held it.
func TestItemPageOfADeletedItem(t *testing.T) {
	s := newSite(t)
	j := newJudgedDataset(t, s)
	j.detach(t)
	j.attach(t, "Lenient judge", 0.9)
	if err := s.store.DeleteItem(t.Context(), j.owner.Actor(), j.d.ID, j.item.ID, strata.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	s.signin(t, s.owner)
	p := s.get(t, "/datasets/"+j.d.ID+"/items/"+j.item.ID)
	wantText(t, p, "This item was deleted", `<span class="outcome outcome-pass">pass</span> <strong>Strict judge</strong>`)
	if strings.Contains(p.body, "Lenient judge") {
		t.Fatal("the deleted item's results are named after the evaluator attached since")
	}
}

// TestResultChangesShown: an item whose evaluator results alone changed is
// modified in the compare view and on the version page, which say what
// changed in them, named by the slot's evaluator: the verdict under the
// pass rule and each value.
func TestResultChangesShown(t *testing.T) {
	s, _ := signedIn(t)
	j := newJudgedDataset(t, s) // version 2: score 0.6
	v := j.run(t, `{"score":0.42,"passed":false}`)
	ds := "/datasets/" + j.d.ID
	want := "Strict judge: pass → fail · passed none → false · score 0.6 → 0.42"
	for _, path := range []string{fmt.Sprintf("%s/compare?from=%d&to=%d", ds, v-1, v), fmt.Sprintf("%s/versions/%d", ds, v)} {
		p := s.get(t, path)
		wantText(t, p, "<strong>1</strong> modified", "Evaluator results", want)
	}
}
