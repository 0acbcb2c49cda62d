package strata

import "encoding/json"
import "math"
import "slices"
import "strconv"
import "strings"

// Outcome is what one result says of its item.
type Outcome int

const (
	OutcomeNone    Outcome = iota // no result
	OutcomeUnknown                // a result that neither passes nor fails
	OutcomePass
	OutcomeFail
)

// PassOutcome judges a result as Lunary does (computeEvaluatorPassOutcome):
// with a model-labeler config, the label (output, else primaryLabel, else the
// first match) passes if it is one of the pass labels; with a model-scorer
// config, the score (score, else output as a number) passes if it reaches
// the threshold. Without a config, a boolean "passed" (or "pass") in the
// result decides, where Lunary would say unknown.
func PassOutcome(c *EvaluatorConfig, result json.RawMessage) Outcome {
	if len(result) == 0 || string(result) == "null" {
		return OutcomeNone
	}
	var obj map[string]any
	if json.Unmarshal(result, &obj) != nil || obj == nil {
		return OutcomeUnknown
	}
	if _, failed := obj["error"]; failed {
		return OutcomeUnknown
	}
	judge := func(ok bool) Outcome {
		if ok {
			return OutcomePass
		}
		return OutcomeFail
	}
	switch {
	case c != nil && c.Type == TypeModelLabeler:
		label := resultLabel(obj)
		if label == "" {
			return OutcomeUnknown
		}
		return judge(slices.Contains(c.PassLabels, label))
	case c != nil && c.Type == TypeModelScorer && c.Threshold != nil:
		score, ok := resultScore(obj)
		if !ok {
			return OutcomeUnknown
		}
		return judge(score >= *c.Threshold)
	}
	for _, key := range []string{"passed", "pass"} {
		if b, ok := obj[key].(bool); ok {
			return judge(b)
		}
	}
	return OutcomeUnknown
}

func resultLabel(obj map[string]any) string {
	for _, key := range []string{"output", "primaryLabel"} {
		if s, ok := obj[key].(string); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	if matches, ok := obj["matches"].([]any); ok {
		for _, m := range matches {
			switch m := m.(type) {
			case string:
				if strings.TrimSpace(m) != "" {
					return strings.TrimSpace(m)
				}
			case map[string]any:
				if s, ok := m["label"].(string); ok && strings.TrimSpace(s) != "" {
					return strings.TrimSpace(s)
				}
			}
		}
	}
	return ""
}

func resultScore(obj map[string]any) (float64, bool) {
	if f, ok := obj["score"].(float64); ok {
		return f, true
	}
	if s, ok := obj["output"].(string); ok {
		// JavaScript's Number(): blank is 0, which Lunary then compares.
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f, true
		} else if strings.TrimSpace(s) == "" {
			return 0, true
		}
	}
	return 0, false
}

// Tally counts the outcomes of one slot over a run.
type Tally struct {
	Pass, Fail, Unknown int
}

// Add counts one outcome.
func (t *Tally) Add(o Outcome) {
	switch o {
	case OutcomePass:
		t.Pass++
	case OutcomeFail:
		t.Fail++
	case OutcomeUnknown:
		t.Unknown++
	}
}

// Slot returns the summary of a slot whose results were tallied over
// totalItems items, as Lunary computes it.
func (t Tally) Slot(in RunSlotInput, totalItems int) *RunSlot {
	rs := &RunSlot{
		SlotCounts: SlotCounts{
			Slot: in.Slot, PassCount: t.Pass, FailCount: t.Fail, UnknownCount: t.Unknown,
			EvaluatedCount: t.Pass + t.Fail,
		},
		Config: in.Config,
	}
	if ev := in.Evaluator; ev != nil {
		rs.EvaluatorID, rs.EvaluatorName, rs.EvaluatorKind, rs.EvaluatorType = &ev.ID, &ev.Name, &ev.Kind, &ev.Type
	}
	if rs.EvaluatedCount > 0 {
		rs.PassRate = percent(t.Pass, rs.EvaluatedCount)
	}
	if totalItems > 0 {
		rs.Coverage = percent(rs.EvaluatedCount+t.Unknown, totalItems)
	}
	return rs
}

// percent is 100*n/d rounded to 2 decimals, half up as JavaScript's
// Math.round.
func percent(n, d int) *float64 {
	p := math.Floor(float64(n)/float64(d)*100*100+0.5) / 100
	return &p
}

// AggregateRuns sums the slots of runs by evaluator (by slot for slots whose
// evaluator is unknown), taking names from the first run listed, in slot
// order.
func AggregateRuns(runs []*Run) []*RunAggregate {
	var (
		out   []*RunAggregate
		index = map[string]*RunAggregate{}
	)
	for _, r := range runs {
		for _, s := range r.Slots {
			key := "slot-" + strconv.Itoa(s.Slot)
			if s.EvaluatorID != nil {
				key = *s.EvaluatorID
			}
			a := index[key]
			if a == nil {
				a = &RunAggregate{SlotCounts: SlotCounts{Slot: s.Slot, EvaluatorID: s.EvaluatorID,
					EvaluatorName: s.EvaluatorName, EvaluatorKind: s.EvaluatorKind, EvaluatorType: s.EvaluatorType}}
				index[key] = a
				out = append(out, a)
			}
			a.PassCount += s.PassCount
			a.FailCount += s.FailCount
			a.UnknownCount += s.UnknownCount
			a.EvaluatedCount += s.EvaluatedCount
			a.RunCount++
		}
	}
	for _, a := range out {
		if a.EvaluatedCount > 0 {
			a.PassRate = percent(a.PassCount, a.EvaluatedCount)
		}
	}
	slices.SortStableFunc(out, func(a, b *RunAggregate) int { return a.Slot - b.Slot })
	if out == nil {
		out = []*RunAggregate{}
	}
	return out
}
