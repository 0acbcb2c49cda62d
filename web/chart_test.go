package web

import "testing"
import "time"

import "github.com/strata-eval/strata"

// TestRunChartMarks: each run of the chart is a strip of its own, oldest on
// the left, that together cover the chart without overlapping.
func TestRunChartMarks(t *testing.T) {
	now := time.Now()
	runs := []*strata.Run{{ID: "c", CreatedAt: now}, {ID: "b", CreatedAt: now}, {ID: "a", CreatedAt: now}} // newest first
	c := runChart(runs)
	if got, want := len(c.Marks), 3; got != want {
		t.Fatalf("%d marks, want %d", got, want)
	}
	if got := c.Marks[0].RunID; got != "a" {
		t.Fatalf("the leftmost mark is run %q, want the oldest", got)
	}
	edge := -2.0
	for _, m := range c.Marks {
		if m.X != edge {
			t.Fatalf("mark of run %s starts at %v, want %v", m.RunID, m.X, edge)
		}
		edge = m.X + m.W
	}
	if edge != 102 {
		t.Fatalf("the marks end at %v, want 102", edge)
	}
}

// TestRunChartOneRun: the line of a single run is a dot, a segment of no
// length that its round cap shows, where a polyline of one point draws
// nothing.
func TestRunChartOneRun(t *testing.T) {
	rate, name := 50.0, "Exact"
	c := runChart([]*strata.Run{{ID: "a", CreatedAt: time.Now(), Slots: []*strata.RunSlot{{SlotCounts: strata.SlotCounts{Slot: 1, EvaluatorName: &name}, PassRate: &rate}}}})
	if got, want := len(c.Lines), 1; got != want {
		t.Fatalf("%d lines, want %d", got, want)
	}
	if !c.Lines[0].Dot {
		t.Error("the line of one run is not drawn as a dot")
	}
	if got, want := c.Lines[0].Points, "50.0,20.0 50.0,20.0 "; got != want {
		t.Errorf("points = %q, want %q", got, want)
	}
}

// TestRunChartPerEvaluator: the chart has a line per evaluator, not per
// slot. An evaluator that takes the slot another left (detached, then
// deleted) starts a line of its own, and the line of the one that left
// keeps its name and its rate.
func TestRunChartPerEvaluator(t *testing.T) {
	now := time.Now()
	slot := func(id, name string, rate float64) *strata.RunSlot {
		return &strata.RunSlot{SlotCounts: strata.SlotCounts{Slot: 1, EvaluatorID: &id, EvaluatorName: &name}, PassRate: &rate}
	}
	c := runChart([]*strata.Run{ // newest first
		{ID: "c", CreatedAt: now, Slots: []*strata.RunSlot{slot("e2", "Tone", 20)}},
		{ID: "b", CreatedAt: now, Slots: []*strata.RunSlot{slot("e1", "Exact", 90)}},
		{ID: "a", CreatedAt: now, Slots: []*strata.RunSlot{slot("e1", "Exact", 80)}},
	})
	if got, want := len(c.Lines), 2; got != want {
		t.Fatalf("%d lines, want %d: %+v", got, want, c.Lines)
	}
	if l := c.Lines[0]; l.Label != "Exact" || l.Last != "90%" || l.n != 2 {
		t.Errorf("the first evaluator's line: %q, last %s, %d points", l.Label, l.Last, l.n)
	}
	if l := c.Lines[1]; l.Label != "Tone" || l.Last != "20%" || !l.Dot || l.Points != "100.0,32.0 100.0,32.0 " {
		t.Errorf("the second evaluator's line: %q, last %s, points %q", l.Label, l.Last, l.Points)
	}
	if c.Lines[0].Color == c.Lines[1].Color {
		t.Error("the two evaluators' lines have the same colour")
	}
}
