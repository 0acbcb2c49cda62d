package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/strata-eval/strata"
)

// evaluator creates a custom evaluator of the fixture's project.
func (f *fixture) evaluator(name, typ string) *strata.Evaluator {
	f.tb.Helper()
	e, err := f.s.CreateEvaluator(f.ctx, f.actor, strata.EvaluatorCreate{Name: name, Slug: name, Type: typ, Mode: "normal",
		Params: json.RawMessage(`{}`), Filters: json.RawMessage(`[]`)})
	if err != nil {
		f.tb.Fatal(err)
	}
	return e
}

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

func wantMessage(tb testing.TB, err error, code, message string) {
	tb.Helper()
	if got := strata.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	if got := strata.ErrorMessage(err); got != message {
		tb.Fatalf("message = %q, want %q", got, message)
	}
}

func threshold(f float64) *float64 { return &f }

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

func result(it *strata.Item, slot int) string {
	return string([]json.RawMessage{it.EvaluatorResult1, it.EvaluatorResult2, it.EvaluatorResult3,
		it.EvaluatorResult4, it.EvaluatorResult5}[slot-1])
}

func testEvaluators(t *testing.T, open Opener) {
	t.Run("BuiltinsSeeded", func(t *testing.T) {
		f := newFixture(t, open)
		list, err := f.s.ListEvaluators(f.ctx, f.actor.ProjectID, strata.KindBuiltin)
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, e := range list {
			types = append(types, e.Type)
			if e.Kind != strata.KindBuiltin || e.Mode != "normal" || string(e.Params) != "{}" || string(e.Filters) != `["AND"]` {
				t.Errorf("builtin %+v", e)
			}
		}
		slices.Sort(types)
		if want := []string{"intent", "language", "pii", "topics", "toxicity"}; !slices.Equal(types, want) {
			t.Fatalf("builtin types = %v, want %v", types, want)
		}
		// A second key of the same project seeds nothing more.
		if _, _, err := f.s.CreateKey(f.ctx, strata.KeyCreate{ProjectName: "test", Role: strata.RoleViewer, UserName: "Vi"}); err != nil {
			t.Fatal(err)
		}
		all, err := f.s.ListEvaluators(f.ctx, f.actor.ProjectID, "")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(all), 5; got != want {
			t.Fatalf("%d evaluators, want %d", got, want)
		}
		custom, err := f.s.ListEvaluators(f.ctx, f.actor.ProjectID, strata.KindCustom)
		if err != nil || len(custom) != 0 {
			t.Fatalf("custom = %v, %v", custom, err)
		}
	})

	t.Run("CreateFindUpdateDelete", func(t *testing.T) {
		f := newFixture(t, open)
		desc := "judges tone"
		e, err := f.s.CreateEvaluator(f.ctx, f.actor, strata.EvaluatorCreate{Name: "Tone", Slug: "tone", Type: "model-labeler",
			Mode: "normal", Description: &desc, Params: json.RawMessage(`{ "labels": ["good", "bad"] }`), Filters: json.RawMessage(`[]`)})
		if err != nil {
			t.Fatal(err)
		}
		if e.Kind != strata.KindCustom || e.OwnerID == nil || *e.OwnerID != f.actor.UserID || e.ProjectID != f.actor.ProjectID ||
			string(e.Params) != `{"labels":["good","bad"]}` {
			t.Fatalf("created %+v", e)
		}
		got, err := f.s.FindEvaluator(f.ctx, f.actor.ProjectID, e.ID)
		if err != nil || got.Name != "Tone" || *got.Description != desc || !got.CreatedAt.Equal(e.CreatedAt) {
			t.Fatalf("found %+v, %v", got, err)
		}
		custom, _ := f.s.ListEvaluators(f.ctx, f.actor.ProjectID, strata.KindCustom)
		if len(custom) != 1 || custom[0].ID != e.ID {
			t.Fatalf("custom = %v", custom)
		}

		u, err := f.s.UpdateEvaluator(f.ctx, f.actor, e.ID, strata.EvaluatorUpdate{Name: "Tone 2", Type: "model-scorer", Mode: "x",
			Params: json.RawMessage(`{"minScore":1}`), Filters: json.RawMessage(`["AND"]`)})
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "Tone 2" || u.Type != "model-scorer" || u.Mode != "x" || string(u.Filters) != `["AND"]` ||
			u.Description == nil || *u.Description != desc {
			t.Fatalf("updated %+v", u)
		}
		_, err = f.s.UpdateEvaluator(f.ctx, f.actor, e.ID, strata.EvaluatorUpdate{Name: "x", Type: "pii", Mode: "x",
			Params: json.RawMessage(`{}`), Filters: json.RawMessage(`[]`)})
		wantMessage(t, err, strata.EINVALID, "Cannot convert a custom evaluator into a builtin evaluator.")

		// Of a builtin evaluator, only name, description, mode and params change.
		builtins, _ := f.s.ListEvaluators(f.ctx, f.actor.ProjectID, strata.KindBuiltin)
		b, err := f.s.UpdateEvaluator(f.ctx, f.actor, builtins[0].ID, strata.EvaluatorUpdate{Name: "Renamed", Type: "bleu",
			Mode: "realtime", Params: json.RawMessage(`{"a":1}`), Filters: json.RawMessage(`[]`)})
		if err != nil {
			t.Fatal(err)
		}
		if b.Name != "Renamed" || b.Type != builtins[0].Type || b.Kind != strata.KindBuiltin || b.Mode != "realtime" ||
			string(b.Params) != `{"a":1}` || string(b.Filters) != `["AND"]` {
			t.Fatalf("builtin updated to %+v", b)
		}
		wantMessage(t, f.s.DeleteEvaluator(f.ctx, f.actor, b.ID), strata.EINVALID, "Builtin evaluators cannot be deleted.")

		_, err = f.s.CreateEvaluator(f.ctx, f.actor, strata.EvaluatorCreate{Name: "t", Slug: "t", Type: "toxicity", Mode: "normal",
			Params: json.RawMessage(`{}`), Filters: json.RawMessage(`[]`)})
		wantMessage(t, err, strata.EINVALID, "Builtin evaluators cannot be created manually.")

		if err := f.s.DeleteEvaluator(f.ctx, f.actor, e.ID); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{e.ID, "00000000-0000-0000-0000-000000000000", "nope"} {
			_, err = f.s.FindEvaluator(f.ctx, f.actor.ProjectID, id)
			wantMessage(t, err, strata.ENOTFOUND, "Evaluator not found")
			wantMessage(t, f.s.DeleteEvaluator(f.ctx, f.actor, id), strata.ENOTFOUND, "Evaluator not found")
		}
	})

	t.Run("OtherProjectIsNotFound", func(t *testing.T) {
		f := newFixture(t, open)
		e := f.evaluator("mine", "bleu")
		_, secret, err := f.s.CreateKey(f.ctx, strata.KeyCreate{ProjectName: "other", Role: strata.RoleOwner, UserName: "Eve"})
		if err != nil {
			t.Fatal(err)
		}
		eve, _ := f.s.Authenticate(f.ctx, secret)
		_, err = f.s.FindEvaluator(f.ctx, eve.ProjectID, e.ID)
		wantCode(t, err, strata.ENOTFOUND)
		_, err = f.s.UpdateEvaluator(f.ctx, eve.Actor(), e.ID, strata.EvaluatorUpdate{Name: "x", Type: "bleu", Mode: "x",
			Params: json.RawMessage(`{}`), Filters: json.RawMessage(`[]`)})
		wantCode(t, err, strata.ENOTFOUND)
		wantCode(t, f.s.DeleteEvaluator(f.ctx, eve.Actor(), e.ID), strata.ENOTFOUND)
		// Nor can it go into a dataset of the other project.
		d, err := f.s.CreateDataset(f.ctx, eve.Actor(), strata.DatasetCreate{Name: "theirs"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.s.AttachEvaluator(f.ctx, eve.Actor(), d.ID, strata.EvaluatorAttach{EvaluatorID: e.ID})
		wantMessage(t, err, strata.ENOTFOUND, "Evaluator not found")
	})

	t.Run("AttachFillsFirstFreeSlot", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		var evs []*strata.Evaluator
		for i := range 6 {
			evs = append(evs, f.evaluator(fmt.Sprintf("e%d", i), "model-labeler"))
		}
		got := f.attach(d.ID, evs[0].ID, &strata.EvaluatorConfig{Type: "model-labeler", PassLabels: []string{"good"}})
		if got.EvaluatorSlot1ID == nil || *got.EvaluatorSlot1ID != evs[0].ID {
			t.Fatalf("slots = %v", slotIDs(got))
		}
		if got, want := string(got.EvaluatorConfigs["1"]), `{"type":"model-labeler","passLabels":["good"]}`; got != want {
			t.Fatalf("config = %s, want %s", got, want)
		}
		if got.CurrentVersionNumber != 1 {
			t.Fatal("attach made a version")
		}
		// Attaching it again changes nothing, not even the config.
		again := f.attach(d.ID, evs[0].ID, nil)
		if !slices.Equal(slotIDs(again), slotIDs(got)) || len(again.EvaluatorConfigs) != 1 {
			t.Fatalf("again: slots %v, configs %v", slotIDs(again), again.EvaluatorConfigs)
		}
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
		builtins, _ := f.s.ListEvaluators(f.ctx, f.actor.ProjectID, strata.KindBuiltin)
		for _, c := range []struct {
			at            strata.EvaluatorAttach
			code, message string
		}{
			{strata.EvaluatorAttach{EvaluatorID: "00000000-0000-0000-0000-000000000000"}, strata.ENOTFOUND, "Evaluator not found"},
			{strata.EvaluatorAttach{EvaluatorID: builtins[0].ID}, strata.EINVALID, "Builtin evaluators cannot be attached to datasets"},
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
		var evs []*strata.Evaluator
		for i := range 8 {
			evs = append(evs, f.evaluator(fmt.Sprintf("e%d", i), "bleu"))
		}
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
			if id == "" || seen[id] {
				t.Fatalf("slots = %v: an empty or repeated slot", got)
			}
			seen[id] = true
		}
		// 3 evaluators found no slot, each on one or both of its attaches.
		if full < 3 || full > 6 {
			t.Fatalf("%d attaches found the slots full", full)
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
		if after.EvaluatorSlot1ID != nil || *after.EvaluatorSlot2ID != e2.ID || after.CurrentVersionNumber != v.Number {
			t.Fatalf("after detach: slots %v, version %d", slotIDs(after), after.CurrentVersionNumber)
		}
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

	t.Run("DeleteEvaluatorEmptiesSlots", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		e := f.evaluator("s", "model-scorer")
		f.attach(d.ID, f.evaluator("keep", "bleu").ID, nil)
		f.attach(d.ID, e.ID, &strata.EvaluatorConfig{Type: "model-scorer", Threshold: threshold(5)})
		if err := f.s.DeleteEvaluator(f.ctx, f.actor, e.ID); err != nil {
			t.Fatal(err)
		}
		got := f.find(d.ID)
		if got.EvaluatorSlot1ID == nil || got.EvaluatorSlot2ID != nil || len(got.EvaluatorConfigs) != 0 {
			t.Fatalf("slots %v, configs %v", slotIDs(got), got.EvaluatorConfigs)
		}
	})

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
		if out.UpdatedItemCount != 4 || out.Version.Number != before.CurrentVersionNumber+1 || out.Version.ItemCount != 4 {
			t.Fatalf("outcome: %d items, version %+v", out.UpdatedItemCount, out.Version)
		}
		run := out.Run
		if run.Status != strata.RunCompleted || run.TotalItems != 4 || run.UpdatedItemCount != 4 || run.ProcessedItems != 4 ||
			run.VersionID == nil || *run.VersionID != out.Version.ID || run.VersionNumber == nil || *run.VersionNumber != out.Version.Number ||
			run.CreatedBy == nil || *run.CreatedBy != f.actor.UserID || run.CreatedByName == nil || *run.CreatedByName != "Ada" ||
			run.VersionCreatedAt == nil {
			t.Fatalf("run = %+v", run)
		}
		if len(run.Slots) != 2 {
			t.Fatalf("run slots = %v", run.Slots)
		}
		s1, s2 := run.Slots[0], run.Slots[1]
		// Slot 1: good passes, bad fails, an error is unknown, no result is nothing.
		if s1.Slot != 1 || *s1.EvaluatorID != labeler.ID || *s1.EvaluatorName != "judge" || *s1.EvaluatorKind != "custom" ||
			*s1.EvaluatorType != "model-labeler" || s1.PassCount != 1 || s1.FailCount != 1 || s1.UnknownCount != 1 ||
			s1.EvaluatedCount != 2 || *s1.PassRate != 50 || *s1.Coverage != 75 || string(s1.Config) != string(rawConfig) {
			t.Fatalf("slot 1 = %+v", s1)
		}
		if s2.PassCount != 2 || s2.FailCount != 2 || *s2.PassRate != 50 || *s2.Coverage != 100 || s2.Config != nil {
			t.Fatalf("slot 2 = %+v", s2)
		}
		items := f.items(d.ID, out.Version.Number)
		if got := result(items[0], 1); got != `{"output":"good"}` {
			t.Fatalf("item 0 result 1 = %s", got)
		}
		if got := result(items[3], 1); got != "" {
			t.Fatalf("item 3 result 1 = %s", got)
		}

		found, err := f.s.FindRun(f.ctx, f.actor.ProjectID, d.ID, run.ID)
		if err != nil || len(found.Slots) != 2 || found.Slots[0].PassCount != 1 {
			t.Fatalf("found %+v, %v", found, err)
		}
		name := "baseline"
		renamed, err := f.s.RenameRun(f.ctx, f.actor, d.ID, run.ID, &name)
		if err != nil || renamed.Name == nil || *renamed.Name != name {
			t.Fatalf("renamed %+v, %v", renamed, err)
		}
		if renamed, err = f.s.RenameRun(f.ctx, f.actor, d.ID, run.ID, nil); err != nil || renamed.Name != nil {
			t.Fatalf("cleared %+v, %v", renamed, err)
		}

		second, err := f.complete(d.ID, "", slots, func(i, slot int) string { return `{"output":"good","passed":true}` })
		if err != nil {
			t.Fatal(err)
		}
		runs, err := f.s.ListRuns(f.ctx, f.actor.ProjectID, d.ID, 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || runs[0].ID != second.Run.ID || runs[1].ID != run.ID || len(runs[1].Slots) != 2 {
			t.Fatalf("runs = %v", runs)
		}
		if one, _ := f.s.ListRuns(f.ctx, f.actor.ProjectID, d.ID, 1); len(one) != 1 {
			t.Fatalf("limit 1 gave %d runs", len(one))
		}
		agg := strata.AggregateRuns(runs)
		if len(agg) != 2 || agg[0].Slot != 1 || agg[0].RunCount != 2 || agg[0].PassCount != 5 || agg[0].FailCount != 1 ||
			*agg[0].PassRate != 83.33 {
			t.Fatalf("aggregate = %+v", agg[0])
		}

		for _, id := range []string{"00000000-0000-0000-0000-000000000000", "nope"} {
			_, err = f.s.FindRun(f.ctx, f.actor.ProjectID, d.ID, id)
			wantMessage(t, err, strata.ENOTFOUND, "Evaluator run not found")
			_, err = f.s.RenameRun(f.ctx, f.actor, d.ID, id, nil)
			wantMessage(t, err, strata.ENOTFOUND, "Evaluator run not found")
		}
		other := f.dataset("other")
		_, err = f.s.FindRun(f.ctx, f.actor.ProjectID, other.ID, run.ID)
		wantMessage(t, err, strata.ENOTFOUND, "Evaluator run not found")
	})

	t.Run("CompleteRunSkipsItemsChangedMeanwhile", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		e := f.evaluator("m", "bleu")
		f.attach(d.ID, e.ID, nil)
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
		if _, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, a.ID, strata.ItemUpdate{Input: str("a2")}, skip); err != nil {
			t.Fatal(err)
		}
		if err := f.s.DeleteItem(f.ctx, f.actor, d.ID, b.ID, skip); err != nil {
			t.Fatal(err)
		}
		f.item(d.ID, "d", skip)
		out, err := f.s.CompleteRun(f.ctx, f.actor, d.ID, c)
		if err != nil {
			t.Fatal(err)
		}
		if out.UpdatedItemCount != 1 || out.Run.UpdatedItemCount != 1 || out.Run.TotalItems != 3 {
			t.Fatalf("updated %d, run %+v", out.UpdatedItemCount, out.Run)
		}
		var with []string
		for _, it := range f.items(d.ID, out.Version.Number) {
			if result(it, 1) != "" {
				with = append(with, it.Input)
			}
		}
		if !slices.Equal(with, []string{"c"}) {
			t.Fatalf("items with results: %v", with)
		}
		if s := out.Run.Slots[0]; s.PassCount != 1 || *s.Coverage != 33.33 {
			t.Fatalf("slot = %+v", s)
		}
	})

	t.Run("ErrCompleteRunEvaluatorsChanged", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		e := f.evaluator("m", "bleu")
		f.attach(d.ID, e.ID, nil)
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
		if runs, _ := f.s.ListRuns(f.ctx, f.actor.ProjectID, d.ID, 20); len(runs) != 0 {
			t.Fatalf("a refused run was recorded: %v", runs)
		}
	})

	t.Run("AsyncRunLifecycle", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		e := f.evaluator("m", "bleu")
		f.attach(d.ID, e.ID, nil)
		f.item(d.ID, "a", skip)
		f.item(d.ID, "b", skip)
		run, err := f.s.CreateRun(f.ctx, f.actor, d.ID, 2)
		if err != nil {
			t.Fatal(err)
		}
		if run.Status != strata.RunRunning || run.TotalItems != 2 || run.ProcessedItems != 0 || run.VersionID != nil || len(run.Slots) != 0 {
			t.Fatalf("run = %+v", run)
		}
		if err := f.s.ProgressRun(f.ctx, f.actor, d.ID, run.ID, 1); err != nil {
			t.Fatal(err)
		}
		got, _ := f.s.FindRun(f.ctx, f.actor.ProjectID, d.ID, run.ID)
		if got.ProcessedItems != 1 || got.Status != strata.RunRunning {
			t.Fatalf("progressed run = %+v", got)
		}
		// A sweep that finds its heartbeat recent leaves it alone.
		if n, err := f.s.FailStaleRuns(f.ctx, time.Now().Add(-time.Hour), "stale"); err != nil || n != 0 {
			t.Fatalf("swept %d, %v", n, err)
		}
		out, err := f.complete(d.ID, run.ID, []strata.RunSlotInput{{Slot: 1, Evaluator: e}}, func(int, int) string { return `{"passed":true}` })
		if err != nil {
			t.Fatal(err)
		}
		if out.Run.ID != run.ID || out.Run.Status != strata.RunCompleted || out.Run.ProcessedItems != 2 || out.Run.UpdatedItemCount != 2 ||
			out.Run.VersionNumber == nil || !out.Run.CreatedAt.Equal(run.CreatedAt) {
			t.Fatalf("completed run = %+v", out.Run)
		}
		if err := f.s.ProgressRun(f.ctx, f.actor, d.ID, run.ID, 2); strata.ErrorCode(err) != strata.ECONFLICT {
			t.Fatalf("progress of a completed run: %v", err)
		}

		failed, err := f.s.CreateRun(f.ctx, f.actor, d.ID, 2)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.FailRun(f.ctx, f.actor, d.ID, failed.ID, "boom"); err != nil {
			t.Fatal(err)
		}
		got, _ = f.s.FindRun(f.ctx, f.actor.ProjectID, d.ID, failed.ID)
		if got.Status != strata.RunFailed || got.Error == nil || *got.Error != "boom" {
			t.Fatalf("failed run = %+v", got)
		}
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
		run, err := f.s.CreateRun(f.ctx, f.actor, d.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		done, err := f.s.CreateRun(f.ctx, f.actor, d.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.FailRun(f.ctx, f.actor, d.ID, done.ID, "first"); err != nil {
			t.Fatal(err)
		}
		// Every heartbeat is older than an hour from now: the server is gone.
		n, err := f.s.FailStaleRuns(f.ctx, time.Now().Add(time.Hour), "interrupted")
		if err != nil || n != 1 {
			t.Fatalf("swept %d, %v", n, err)
		}
		got, _ := f.s.FindRun(f.ctx, f.actor.ProjectID, d.ID, run.ID)
		if got.Status != strata.RunFailed || *got.Error != "interrupted" {
			t.Fatalf("swept run = %+v", got)
		}
		got, _ = f.s.FindRun(f.ctx, f.actor.ProjectID, d.ID, done.ID)
		if *got.Error != "first" {
			t.Fatalf("a failed run was swept again: %+v", got)
		}
	})
}
