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
