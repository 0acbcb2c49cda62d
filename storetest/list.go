package storetest

import "errors"
import "slices"
import "testing"

import "github.com/strata-eval/strata"

// collect gathers what a list calls back with, in order; an empty list is
// an empty slice.
func collect[T any](list func(fn func(T) error) error) ([]T, error) {
	out := []T{}
	err := list(func(v T) error {
		out = append(out, v)
		return nil
	})
	return out, err
}

// mustCollect is collect, failing the test on an error.
func mustCollect[T any](tb testing.TB, list func(fn func(T) error) error) []T {
	tb.Helper()
	out, err := collect(list)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// datasets lists the datasets of a project that filter admits.
func (f *fixture) datasets(projectID string, filter strata.DatasetFilter) []*strata.Dataset {
	f.tb.Helper()
	return mustCollect(f.tb, func(fn func(*strata.Dataset) error) error {
		return f.s.ListDatasets(f.ctx, projectID, filter, fn)
	})
}

// tags lists the tags of a dataset of the fixture's project.
func (f *fixture) tags(datasetID string) []*strata.Tag {
	f.tb.Helper()
	return mustCollect(f.tb, func(fn func(*strata.Tag) error) error {
		return f.s.ListTags(f.ctx, f.actor.ProjectID, datasetID, fn)
	})
}

// testLists holds what every list of the store promises: it calls back a
// row at a time and stops where the caller stops.
func testLists(t *testing.T, open Opener) {
	t.Run("StopWhereTheCallerStops", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("a")
		for _, name := range []string{"b", "c"} {
			f.dataset(name)
		}
		for _, name := range []string{"e1", "e2", "e3"} {
			f.evaluator(name, "rouge")
		}
		for _, name := range []string{"t1", "t2", "t3"} {
			f.tag(d.ID, "1", name)
		}
		stop := errors.New("enough")
		for name, list := range map[string]func(calls *int) error{
			"datasets": func(calls *int) error {
				return f.s.ListDatasets(f.ctx, f.actor.ProjectID, strata.DatasetFilter{}, func(*strata.Dataset) error { *calls++; return stop })
			},
			"evaluators": func(calls *int) error {
				return f.s.ListEvaluators(f.ctx, f.actor.ProjectID, strata.KindCustom, func(*strata.Evaluator) error { *calls++; return stop })
			},
			"tags": func(calls *int) error {
				return f.s.ListTags(f.ctx, f.actor.ProjectID, d.ID, func(*strata.Tag) error { *calls++; return stop })
			},
		} {
			calls := 0
			if err := list(&calls); !errors.Is(err, stop) {
				t.Errorf("%s: error %v, want the caller's", name, err)
			}
			if calls != 1 {
				t.Errorf("%s: called back %d times after the caller stopped at the first", name, calls)
			}
		}
	})

	t.Run("TagsInByteOrder", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("a")
		names := []string{"b", "B", "_x", "-y", ".z", "9z", "a", "Z-1", "z.1"}
		for _, name := range names {
			f.tag(d.ID, "1", name)
		}
		var got []string
		for _, tag := range f.tags(d.ID) {
			got = append(got, tag.Name)
		}
		slices.Sort(names) // Go compares strings byte by byte
		if !slices.Equal(got, names) {
			t.Fatalf("tags listed %q, want %q", got, names)
		}
	})
}
