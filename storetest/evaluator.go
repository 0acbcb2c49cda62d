package storetest

import "encoding/json"
import "reflect"
import "slices"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

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

// evaluators lists the evaluators of the fixture's project of a kind ("":
// all).
func (f *fixture) evaluators(kind string) []*strata.Evaluator {
	f.tb.Helper()
	return mustCollect(f.tb, func(fn func(*strata.Evaluator) error) error {
		return f.s.ListEvaluators(f.ctx, f.actor.ProjectID, kind, fn)
	})
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

// testEvaluators runs the evaluator cases: the evaluators of a project, the
// slots of a dataset (slot.go) and runs (run.go).
func testEvaluators(t *testing.T, open Opener) {
	t.Run("CRUD", func(t *testing.T) { testEvaluatorCRUD(t, open) })
	t.Run("AttachDetach", func(t *testing.T) { testAttachDetach(t, open) })
	t.Run("Runs", func(t *testing.T) { testRuns(t, open) })
	t.Run("Labels", func(t *testing.T) { testEvaluatorLabels(t, open) })
}

func testEvaluatorCRUD(t *testing.T, open Opener) {
	t.Run("BuiltinsSeeded", func(t *testing.T) {
		f := newFixture(t, open)
		var types []string
		for _, e := range f.evaluators(strata.KindBuiltin) {
			types = append(types, e.Type)
			wantEq(t, e.Type+" kind", e.Kind, strata.KindBuiltin)
			wantEq(t, e.Type+" mode", e.Mode, "normal")
			wantEq(t, e.Type+" params", string(e.Params), "{}")
			wantEq(t, e.Type+" filters", string(e.Filters), `["AND"]`)
		}
		slices.Sort(types)
		if want := []string{"intent", "language", "pii", "topics", "toxicity"}; !slices.Equal(types, want) {
			t.Fatalf("builtin types = %v, want %v", types, want)
		}
		// A second key of the same project seeds nothing more.
		if _, _, err := f.s.CreateKey(f.ctx, strata.KeyCreate{ProjectName: "test", Role: strata.RoleViewer, UserName: "Vi"}); err != nil {
			t.Fatal(err)
		}
		wantEq(t, "evaluators", len(f.evaluators("")), 5)
		wantEq(t, "custom evaluators", len(f.evaluators(strata.KindCustom)), 0)
	})

	t.Run("CreateFindUpdateDelete", func(t *testing.T) {
		f := newFixture(t, open)
		desc := "judges tone"
		e, err := f.s.CreateEvaluator(f.ctx, f.actor, strata.EvaluatorCreate{Name: "Tone", Slug: "tone", Type: "model-labeler",
			Mode: "normal", Description: &desc, Params: json.RawMessage(`{ "labels": ["good", "bad"] }`), Filters: json.RawMessage(`[]`)})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "kind", e.Kind, strata.KindCustom)
		wantPtr(t, "owner", e.OwnerID, f.actor.UserID)
		wantEq(t, "project", e.ProjectID, f.actor.ProjectID)
		wantEq(t, "params", string(e.Params), `{"labels":["good","bad"]}`)
		got, err := f.s.FindEvaluator(f.ctx, f.actor.ProjectID, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "found name", got.Name, "Tone")
		wantPtr(t, "found description", got.Description, desc)
		if !got.CreatedAt.Equal(e.CreatedAt) {
			t.Fatalf("found createdAt = %v, want %v", got.CreatedAt, e.CreatedAt)
		}
		custom := f.evaluators(strata.KindCustom)
		wantEq(t, "custom evaluators", len(custom), 1)
		wantEq(t, "custom evaluator", custom[0].ID, e.ID)

		u, err := f.s.UpdateEvaluator(f.ctx, f.actor, e.ID, strata.EvaluatorUpdate{Name: "Tone 2", Type: "model-scorer", Mode: "x",
			Params: json.RawMessage(`{"minScore":1}`), Filters: json.RawMessage(`["AND"]`)})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "updated name", u.Name, "Tone 2")
		wantEq(t, "updated type", u.Type, "model-scorer")
		wantEq(t, "updated mode", u.Mode, "x")
		wantEq(t, "updated filters", string(u.Filters), `["AND"]`)
		wantPtr(t, "updated description", u.Description, desc)
		_, err = f.s.UpdateEvaluator(f.ctx, f.actor, e.ID, strata.EvaluatorUpdate{Name: "x", Type: "pii", Mode: "x",
			Params: json.RawMessage(`{}`), Filters: json.RawMessage(`[]`)})
		wantMessage(t, err, strata.EINVALID, "Cannot convert a custom evaluator into a builtin evaluator.")

		// Of a builtin evaluator, only name, description, mode and params change.
		builtin := f.evaluators(strata.KindBuiltin)[0]
		b, err := f.s.UpdateEvaluator(f.ctx, f.actor, builtin.ID, strata.EvaluatorUpdate{Name: "Renamed", Type: "bleu",
			Mode: "realtime", Params: json.RawMessage(`{"a":1}`), Filters: json.RawMessage(`[]`)})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "builtin name", b.Name, "Renamed")
		wantEq(t, "builtin type", b.Type, builtin.Type)
		wantEq(t, "builtin kind", b.Kind, strata.KindBuiltin)
		wantEq(t, "builtin mode", b.Mode, "realtime")
		wantEq(t, "builtin params", string(b.Params), `{"a":1}`)
		wantEq(t, "builtin filters", string(b.Filters), `["AND"]`)
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
		eve := f.otherProject()
		_, err := f.s.FindEvaluator(f.ctx, eve.ProjectID, e.ID)
		wantCode(t, err, strata.ENOTFOUND)
		_, err = f.s.UpdateEvaluator(f.ctx, eve, e.ID, strata.EvaluatorUpdate{Name: "x", Type: "bleu", Mode: "x",
			Params: json.RawMessage(`{}`), Filters: json.RawMessage(`[]`)})
		wantCode(t, err, strata.ENOTFOUND)
		wantCode(t, f.s.DeleteEvaluator(f.ctx, eve, e.ID), strata.ENOTFOUND)
		// Nor can it go into a dataset of the other project.
		d, err := f.s.CreateDataset(f.ctx, eve, strata.DatasetCreate{Name: "theirs"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.s.AttachEvaluator(f.ctx, eve, d.ID, strata.EvaluatorAttach{EvaluatorID: e.ID})
		wantMessage(t, err, strata.ENOTFOUND, "Evaluator not found")
	})
}

// testEvaluatorLabels: labels name a project's evaluators by id, cut to
// MaxLabelChars characters, and leave out the ids they do not know.
func testEvaluatorLabels(t *testing.T, open Opener) {
	f := newFixture(t, open)
	e := f.evaluator("judge", "bleu")
	long := strings.Repeat("é", strata.MaxLabelChars+10)
	l, err := f.s.CreateEvaluator(f.ctx, f.actor, strata.EvaluatorCreate{Name: long, Slug: "long", Type: "rouge", Mode: "normal",
		Params: json.RawMessage(`{"reference":"` + strings.Repeat("x", 1<<20) + `"}`), Filters: json.RawMessage(`[]`)})
	if err != nil {
		t.Fatal(err)
	}
	other := f.otherProject()
	theirs, err := f.s.CreateEvaluator(f.ctx, other, strata.EvaluatorCreate{Name: "theirs", Slug: "theirs", Type: "bleu", Mode: "normal",
		Params: json.RawMessage(`{}`), Filters: json.RawMessage(`[]`)})
	if err != nil {
		t.Fatal(err)
	}
	labels, err := f.s.EvaluatorLabels(f.ctx, f.actor.ProjectID, []string{e.ID, l.ID, theirs.ID, strata.NewID(), "nope"})
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "labels", len(labels), 2)
	got := labels[e.ID]
	if got == nil || got.ID != e.ID || got.Name != "judge" || got.Type != "bleu" || got.Kind != e.Kind || got.Params != nil {
		t.Fatalf("label of %s = %+v", e.ID, got)
	}
	wantEq(t, "a long name's label", labels[l.ID].Name, strings.Repeat("é", strata.MaxLabelChars))
	if labels, err := f.s.EvaluatorLabels(f.ctx, f.actor.ProjectID, nil); err != nil || len(labels) != 0 {
		t.Fatalf("labels of no id: %v, %v", labels, err)
	}

	// Listed, the same labels, in creation order, of a kind.
	listed := mustCollect(t, func(fn func(*strata.Evaluator) error) error {
		return f.s.ListEvaluatorLabels(f.ctx, f.actor.ProjectID, strata.KindCustom, fn)
	})
	wantEq(t, "custom labels", len(listed), 2)
	for i, want := range []*strata.Evaluator{labels[e.ID], labels[l.ID]} {
		if got := listed[i]; !reflect.DeepEqual(got, want) {
			t.Fatalf("listed label %d = %+v, want %+v", i, got, want)
		}
	}
}
