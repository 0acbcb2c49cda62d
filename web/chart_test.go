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
