package strata_test

import "encoding/json"
import "testing"

import "github.com/strata-eval/strata"

func TestPassOutcome(t *testing.T) {
	three := 3.0
	labeler := &strata.EvaluatorConfig{Type: strata.TypeModelLabeler, PassLabels: []string{"good", "fine"}}
	scorer := &strata.EvaluatorConfig{Type: strata.TypeModelScorer, Threshold: &three}
	for _, c := range []struct {
		config *strata.EvaluatorConfig
		result string
		want   strata.Outcome
	}{
		{nil, ``, strata.OutcomeNone},
		{nil, `null`, strata.OutcomeNone},
		{nil, `"text"`, strata.OutcomeUnknown},
		{nil, `{"score":0.9}`, strata.OutcomeUnknown},
		{nil, `{"score":0.9,"passed":true}`, strata.OutcomePass},
		{nil, `{"passed":false}`, strata.OutcomeFail},
		{nil, `{"pass":true}`, strata.OutcomePass},
		{nil, `{"error":"timeout","passed":true}`, strata.OutcomeUnknown},
		{labeler, `{"output":" good "}`, strata.OutcomePass},
		{labeler, `{"output":"Good"}`, strata.OutcomeFail},
		{labeler, `{"output":"","primaryLabel":"fine"}`, strata.OutcomePass},
		{labeler, `{"matches":[{"label":"bad"}]}`, strata.OutcomeFail},
		{labeler, `{"matches":["fine"],"passed":false}`, strata.OutcomePass},
		{labeler, `{"model":"m","output":null}`, strata.OutcomeUnknown},
		{scorer, `{"score":3}`, strata.OutcomePass},
		{scorer, `{"score":2.5,"pass":true}`, strata.OutcomeFail},
		{scorer, `{"output":"4"}`, strata.OutcomePass},
		{scorer, `{"output":"four"}`, strata.OutcomeUnknown},
	} {
		if got := strata.PassOutcome(c.config, json.RawMessage(c.result)); got != c.want {
			t.Errorf("%+v on %s = %d, want %d", c.config, c.result, got, c.want)
		}
	}
}

func TestTallySlot(t *testing.T) {
	var tl strata.Tally
	for _, o := range []strata.Outcome{strata.OutcomePass, strata.OutcomePass, strata.OutcomeFail, strata.OutcomeUnknown, strata.OutcomeNone} {
		tl.Add(o)
	}
	ev := &strata.Evaluator{ID: "e", Name: "n", Kind: "custom", Type: "bleu"}
	s := tl.Slot(strata.RunSlotInput{Slot: 2, Evaluator: ev}, 6)
	if s.PassCount != 2 || s.FailCount != 1 || s.UnknownCount != 1 || s.EvaluatedCount != 3 ||
		*s.PassRate != 66.67 || *s.Coverage != 66.67 || *s.EvaluatorID != "e" {
		t.Errorf("slot = %+v", s)
	}
	empty := strata.Tally{}.Slot(strata.RunSlotInput{Slot: 1}, 0)
	if empty.PassRate != nil || empty.Coverage != nil || empty.EvaluatorID != nil {
		t.Errorf("empty slot = %+v", empty)
	}
}
