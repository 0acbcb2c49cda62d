package strata_test

import "context"
import "testing"

import "github.com/strata-eval/strata"

func TestCondition(t *testing.T) {
	t.Run("None", func(t *testing.T) {
		c := strata.ConditionOf(context.Background())
		if c != nil {
			t.Fatalf("a context without a condition has %+v", c)
		}
		if !c.Holds(`"1"`) {
			t.Error("no condition refuses a write")
		}
		c.Committed(`"2"`) // no-op, no panic
		if got := c.ETag(); got != "" {
			t.Errorf("ETag of no condition = %q", got)
		}
	})

	t.Run("FirstWriteChecked", func(t *testing.T) {
		c := &strata.Condition{IfMatch: `"1"`}
		ctx := strata.WithCondition(context.Background(), c)
		if got := strata.ConditionOf(ctx); got != c {
			t.Fatalf("ConditionOf = %p, want %p", got, c)
		}
		if c.Holds(`"2"`) {
			t.Error(`If-Match "1" holds for "2"`)
		}
		if !c.Holds(`"1"`) {
			t.Error(`If-Match "1" fails for "1"`)
		}
		c.Committed(`"2"`)
		if got, want := c.ETag(), `"2"`; got != want {
			t.Errorf("ETag = %q, want %q", got, want)
		}
		if !c.Holds(`"2"`) {
			t.Error("a met condition refuses the request's next write")
		}
		c.Committed("") // the dataset was deleted: no ETag to send
		if got, want := c.ETag(), `"2"`; got != want {
			t.Errorf("ETag after a delete = %q, want %q", got, want)
		}
	})

	t.Run("NoIfMatch", func(t *testing.T) {
		c := &strata.Condition{}
		if !c.Holds(`"7"`) {
			t.Error("a condition without If-Match refuses a write")
		}
		if got := c.ETag(); got != "" {
			t.Errorf("ETag before any write = %q", got)
		}
	})
}
