package storetest

import "encoding/json"
import "fmt"
import "slices"
import "testing"
import "time"

import "github.com/strata-eval/strata"

// complete writes results for every working item: slot n's result is the
// JSON given by result(item index, n).
func (f *fixture) complete(datasetID, runID string, slots []strata.RunSlotInput, result func(i, slot int) string) (*strata.RunOutcome, error) {
	f.tb.Helper()
	items := f.items(datasetID, 0)
	c := strata.RunCompletion{RunID: runID, TotalItems: len(items), Slots: slots}
	for i, it := range items {
		r := strata.ItemResults{ItemID: it.ID, Content: strata.DigestContent(it.Input, it.GroundTruth, it.Output)}
		for _, s := range slots {
			if res := result(i, s.Slot); res != "" {
				r.Results[s.Slot-1] = json.RawMessage(res)
			}
		}
		c.Items = append(c.Items, r)
	}
	return f.s.CompleteRun(f.ctx, f.actor, datasetID, c)
}

// run reads a run of a dataset.
func (f *fixture) run(datasetID, runID string) *strata.Run {
	f.tb.Helper()
	r, err := f.s.FindRun(f.ctx, f.actor.ProjectID, datasetID, runID)
	if err != nil {
		f.tb.Fatal(err)
	}
	return r
}

// runs lists the newest limit runs of a dataset.
func (f *fixture) runs(datasetID string, limit int) []*strata.Run {
	f.tb.Helper()
	list, err := f.s.ListRuns(f.ctx, f.actor.ProjectID, datasetID, limit)
	if err != nil {
		f.tb.Fatal(err)
	}
	return list
}

// datasetWithMetric creates a dataset "qa" with a bleu evaluator "m" in
// slot 1.
func (f *fixture) datasetWithMetric() (*strata.Dataset, *strata.Evaluator) {
	f.tb.Helper()
	d := f.dataset("qa")
	e := f.evaluator("m", "bleu")
	f.attach(d.ID, e.ID, nil)
	return d, e
}

func result(it *strata.Item, slot int) string {
	return string([]json.RawMessage{it.EvaluatorResult1, it.EvaluatorResult2, it.EvaluatorResult3,
		it.EvaluatorResult4, it.EvaluatorResult5}[slot-1])
}

func testRuns(t *testing.T, open Opener) {
	t.Run("CompleteRunWritesResultsVersionAndRun", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		labeler, metric := f.evaluator("judge", "model-labeler"), f.evaluator("overlap", "bleu")
		config := &strata.EvaluatorConfig{Type: "model-labeler", PassLabels: []string{"good"}}
		f.attach(d.ID, labeler.ID, config)
		f.attach(d.ID, metric.ID, nil)
		for i := range 4 {
			f.item(d.ID, fmt.Sprint(i), skip)
		}
		before := f.find(d.ID)
		rawConfig := before.Config(1)
		slots := []strata.RunSlotInput{{Slot: 1, Evaluator: labeler, Config: rawConfig}, {Slot: 2, Evaluator: metric}}
		labels := []string{`{"output":"good"}`, `{"output":"bad"}`, `{"error":"timeout"}`, ``}
		out, err := f.complete(d.ID, "", slots, func(i, slot int) string {
			if slot == 1 {
				return labels[i]
			}
			return fmt.Sprintf(`{"score":0.5,"passed":%v}`, i%2 == 0)
		})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "updated items", out.UpdatedItemCount, 4)
		wantEq(t, "version number", out.Version.Number, before.CurrentVersionNumber+1)
		wantEq(t, "version items", out.Version.ItemCount, 4)
		run := out.Run
		wantEq(t, "run status", run.Status, strata.RunCompleted)
		wantEq(t, "run total items", run.TotalItems, 4)
		wantEq(t, "run updated items", run.UpdatedItemCount, 4)
		wantEq(t, "run processed items", run.ProcessedItems, 4)
		wantPtr(t, "run version id", run.VersionID, out.Version.ID)
		wantPtr(t, "run version number", run.VersionNumber, out.Version.Number)
		wantPtr(t, "run created by", run.CreatedBy, f.actor.UserID)
		wantPtr(t, "run creator name", run.CreatedByName, "Ada")
		if run.VersionCreatedAt == nil {
			t.Fatal("run has no version time")
		}
		wantEq(t, "run slots", len(run.Slots), 2)
		s1, s2 := run.Slots[0], run.Slots[1]
		// Slot 1: good passes, bad fails, an error is unknown, no result is nothing.
		wantEq(t, "slot 1 number", s1.Slot, 1)
		wantPtr(t, "slot 1 evaluator", s1.EvaluatorID, labeler.ID)
		wantPtr(t, "slot 1 name", s1.EvaluatorName, "judge")
		wantPtr(t, "slot 1 kind", s1.EvaluatorKind, "custom")
		wantPtr(t, "slot 1 type", s1.EvaluatorType, "model-labeler")
		wantEq(t, "slot 1 passes", s1.PassCount, 1)
		wantEq(t, "slot 1 fails", s1.FailCount, 1)
		wantEq(t, "slot 1 unknowns", s1.UnknownCount, 1)
		wantEq(t, "slot 1 evaluated", s1.EvaluatedCount, 2)
		wantPtr(t, "slot 1 pass rate", s1.PassRate, 50)
		wantPtr(t, "slot 1 coverage", s1.Coverage, 75)
		wantEq(t, "slot 1 config", string(s1.Config), string(rawConfig))
		wantEq(t, "slot 2 passes", s2.PassCount, 2)
		wantEq(t, "slot 2 fails", s2.FailCount, 2)
		wantPtr(t, "slot 2 pass rate", s2.PassRate, 50)
		wantPtr(t, "slot 2 coverage", s2.Coverage, 100)
		wantEq(t, "slot 2 config", string(s2.Config), "")
		items := f.items(d.ID, out.Version.Number)
		if got := result(items[0], 1); got != `{"output":"good"}` {
			t.Fatalf("item 0 result 1 = %s", got)
		}
		if got := result(items[3], 1); got != "" {
			t.Fatalf("item 3 result 1 = %s", got)
		}

		t.Run("Find", func(t *testing.T) {
			f := f.on(t)
			found := f.run(d.ID, run.ID)
			wantEq(t, "found slots", len(found.Slots), 2)
			wantEq(t, "found slot 1 passes", found.Slots[0].PassCount, 1)
		})
		t.Run("Rename", func(t *testing.T) {
			f := f.on(t)
			name := "baseline"
			renamed, err := f.s.RenameRun(f.ctx, f.actor, d.ID, run.ID, &name)
			if err != nil {
				t.Fatal(err)
			}
			wantPtr(t, "renamed", renamed.Name, name)
			if renamed, err = f.s.RenameRun(f.ctx, f.actor, d.ID, run.ID, nil); err != nil {
				t.Fatal(err)
			}
			wantNil(t, "cleared name", renamed.Name)
		})
		t.Run("ListAndAggregate", func(t *testing.T) {
			f := f.on(t)
			second, err := f.complete(d.ID, "", slots, func(i, slot int) string { return `{"output":"good","passed":true}` })
			if err != nil {
				t.Fatal(err)
			}
			runs := f.runs(d.ID, 20)
			wantEq(t, "runs", len(runs), 2)
			wantEq(t, "newest run", runs[0].ID, second.Run.ID)
			wantEq(t, "oldest run", runs[1].ID, run.ID)
			wantEq(t, "oldest run's slots", len(runs[1].Slots), 2)
			wantEq(t, "runs of limit 1", len(f.runs(d.ID, 1)), 1)
			agg := strata.AggregateRuns(runs)
			wantEq(t, "aggregates", len(agg), 2)
			wantEq(t, "aggregate slot", agg[0].Slot, 1)
			wantEq(t, "aggregate runs", agg[0].RunCount, 2)
			wantEq(t, "aggregate passes", agg[0].PassCount, 5)
			wantEq(t, "aggregate fails", agg[0].FailCount, 1)
			wantPtr(t, "aggregate pass rate", agg[0].PassRate, 83.33)
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			f := f.on(t)
			for _, id := range []string{"00000000-0000-0000-0000-000000000000", "nope"} {
				_, err := f.s.FindRun(f.ctx, f.actor.ProjectID, d.ID, id)
				wantMessage(t, err, strata.ENOTFOUND, "Evaluator run not found")
				_, err = f.s.RenameRun(f.ctx, f.actor, d.ID, id, nil)
				wantMessage(t, err, strata.ENOTFOUND, "Evaluator run not found")
			}
			other := f.dataset("other")
			_, err := f.s.FindRun(f.ctx, f.actor.ProjectID, other.ID, run.ID)
			wantMessage(t, err, strata.ENOTFOUND, "Evaluator run not found")
		})
	})

	t.Run("CompleteRunSkipsItemsChangedMeanwhile", func(t *testing.T) {
		f := newFixture(t, open)
		d, e := f.datasetWithMetric()
		a, b := f.item(d.ID, "a", skip), f.item(d.ID, "b", skip)
		f.item(d.ID, "c", skip)
		items := f.items(d.ID, 0)
		slots := []strata.RunSlotInput{{Slot: 1, Evaluator: e}}
		c := strata.RunCompletion{TotalItems: 3, Slots: slots}
		for _, it := range items {
			c.Items = append(c.Items, strata.ItemResults{ItemID: it.ID, Content: strata.DigestContent(it.Input, it.GroundTruth, it.Output),
				Results: [5]json.RawMessage{json.RawMessage(`{"passed":true}`)}})
		}
		// While the run computes, a is edited, b deleted, d created.
		f.update(d.ID, a.ID, "a2", skip)
		f.remove(d.ID, b.ID, skip)
		f.item(d.ID, "d", skip)
		out, err := f.s.CompleteRun(f.ctx, f.actor, d.ID, c)
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "updated items", out.UpdatedItemCount, 1)
		wantEq(t, "run updated items", out.Run.UpdatedItemCount, 1)
		wantEq(t, "run total items", out.Run.TotalItems, 3)
		var with []string
		for _, it := range f.items(d.ID, out.Version.Number) {
			if result(it, 1) != "" {
				with = append(with, it.Input)
			}
		}
		if !slices.Equal(with, []string{"c"}) {
			t.Fatalf("items with results: %v", with)
		}
		s := out.Run.Slots[0]
		wantEq(t, "passes", s.PassCount, 1)
		wantPtr(t, "coverage", s.Coverage, 33.33)
	})

	t.Run("ErrCompleteRunEvaluatorsChanged", func(t *testing.T) {
		f := newFixture(t, open)
		d, e := f.datasetWithMetric()
		f.item(d.ID, "a", skip)
		if _, err := f.s.DetachEvaluator(f.ctx, f.actor, d.ID, 1); err != nil {
			t.Fatal(err)
		}
		f.attach(d.ID, f.evaluator("n", "bleu").ID, nil)
		_, err := f.complete(d.ID, "", []strata.RunSlotInput{{Slot: 1, Evaluator: e}}, func(int, int) string { return `{}` })
		wantCode(t, err, strata.ECONFLICT)
		if got := f.find(d.ID).CurrentVersionNumber; got != 1 {
			t.Fatalf("a refused run made version %d", got)
		}
		if runs := f.runs(d.ID, 20); len(runs) != 0 {
			t.Fatalf("a refused run was recorded: %v", runs)
		}
	})

	t.Run("AsyncRunLifecycle", func(t *testing.T) {
		f := newFixture(t, open)
		d, e := f.datasetWithMetric()
		f.item(d.ID, "a", skip)
		f.item(d.ID, "b", skip)
		run, err := f.s.CreateRun(f.ctx, f.actor, d.ID, strata.RunStart{TotalItems: 2})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "status", run.Status, strata.RunRunning)
		wantEq(t, "total items", run.TotalItems, 2)
		wantEq(t, "processed items", run.ProcessedItems, 0)
		wantNil(t, "version", run.VersionID)
		wantEq(t, "slots", len(run.Slots), 0)
		if err := f.s.ProgressRun(f.ctx, f.actor, d.ID, run.ID, 1); err != nil {
			t.Fatal(err)
		}
		got := f.run(d.ID, run.ID)
		wantEq(t, "processed items after progress", got.ProcessedItems, 1)
		wantEq(t, "status after progress", got.Status, strata.RunRunning)
		// A sweep that finds its heartbeat recent leaves it alone.
		n, err := f.s.FailStaleRuns(f.ctx, time.Now().Add(-time.Hour), "stale")
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "runs swept", n, 0)
		out, err := f.complete(d.ID, run.ID, []strata.RunSlotInput{{Slot: 1, Evaluator: e}}, func(int, int) string { return `{"passed":true}` })
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "completed run", out.Run.ID, run.ID)
		wantEq(t, "completed status", out.Run.Status, strata.RunCompleted)
		wantEq(t, "completed processed items", out.Run.ProcessedItems, 2)
		wantEq(t, "completed updated items", out.Run.UpdatedItemCount, 2)
		if out.Run.VersionNumber == nil {
			t.Fatal("completed run has no version")
		}
		if !out.Run.CreatedAt.Equal(run.CreatedAt) {
			t.Fatalf("completed createdAt = %v, want %v", out.Run.CreatedAt, run.CreatedAt)
		}
		if err := f.s.ProgressRun(f.ctx, f.actor, d.ID, run.ID, 2); strata.ErrorCode(err) != strata.ECONFLICT {
			t.Fatalf("progress of a completed run: %v", err)
		}

		failed, err := f.s.CreateRun(f.ctx, f.actor, d.ID, strata.RunStart{TotalItems: 2})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.FailRun(f.ctx, f.actor, d.ID, failed.ID, "boom"); err != nil {
			t.Fatal(err)
		}
		got = f.run(d.ID, failed.ID)
		wantEq(t, "failed status", got.Status, strata.RunFailed)
		wantPtr(t, "failed error", got.Error, "boom")
		version := f.find(d.ID).CurrentVersionNumber
		_, err = f.complete(d.ID, failed.ID, []strata.RunSlotInput{{Slot: 1, Evaluator: e}}, func(int, int) string { return `{}` })
		wantCode(t, err, strata.ECONFLICT)
		if got := f.find(d.ID).CurrentVersionNumber; got != version {
			t.Fatal("completing a failed run made a version")
		}
	})

	t.Run("FailStaleRuns", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		run, err := f.s.CreateRun(f.ctx, f.actor, d.ID, strata.RunStart{TotalItems: 1})
		if err != nil {
			t.Fatal(err)
		}
		done, err := f.s.CreateRun(f.ctx, f.actor, d.ID, strata.RunStart{TotalItems: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.FailRun(f.ctx, f.actor, d.ID, done.ID, "first"); err != nil {
			t.Fatal(err)
		}
		// Every heartbeat is older than an hour from now: the server is gone.
		n, err := f.s.FailStaleRuns(f.ctx, time.Now().Add(time.Hour), "interrupted")
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "runs swept", n, 1)
		got := f.run(d.ID, run.ID)
		wantEq(t, "swept status", got.Status, strata.RunFailed)
		wantPtr(t, "swept error", got.Error, "interrupted")
		// A failed run is not swept again.
		wantPtr(t, "error of the run failed before", f.run(d.ID, done.ID).Error, "first")
	})
}
