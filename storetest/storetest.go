// Package storetest is the conformance suite of strata.Store: what a store
// must do, written once and run against every implementation.
package storetest

import "context"
import "testing"

import "github.com/strata-eval/strata"

// Opener returns a new, empty store, closed when the test ends.
type Opener func(tb testing.TB) strata.Store

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open Opener) {
	t.Run("Datasets", func(t *testing.T) { testDatasets(t, open) })
	t.Run("Items", func(t *testing.T) { testItems(t, open) })
	t.Run("ItemScan", func(t *testing.T) { testItemScan(t, open) })
	t.Run("ItemFields", func(t *testing.T) { testItemFields(t, open) })
	t.Run("Sync", func(t *testing.T) { testSync(t, open) })
	t.Run("Versions", func(t *testing.T) { testVersions(t, open) })
	t.Run("Import", func(t *testing.T) { testImport(t, open) })
	t.Run("ImportBulk", func(t *testing.T) { testImportBulk(t, open) })
	t.Run("Keys", func(t *testing.T) { testKeys(t, open) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, open) })
	t.Run("Model", func(t *testing.T) { testModel(t, open) })
	t.Run("Refs", func(t *testing.T) { testRefs(t, open) })
	t.Run("Lists", func(t *testing.T) { testLists(t, open) })
	t.Run("Diff", func(t *testing.T) { testDiff(t, open) })
	t.Run("ContentHash", func(t *testing.T) { testContentHash(t, open) })
	t.Run("Idempotency", func(t *testing.T) { testIdempotency(t, open) })
	t.Run("IdempotencyMark", func(t *testing.T) { testIdempotencyMark(t, open) })
	t.Run("Evaluators", func(t *testing.T) { testEvaluators(t, open) })
	t.Run("Text", func(t *testing.T) { testText(t, open) })
	t.Run("Slugs", func(t *testing.T) { testSlugs(t, open) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open) })
}

// RunDiff runs the suite's diffs alone, for a store that reads them
// another way past some size.
func RunDiff(t *testing.T, open Opener) { testDiff(t, open) }

// fixture is a store with a project and an owner.
type fixture struct {
	tb    testing.TB
	ctx   context.Context
	s     strata.Store
	actor strata.Actor
}

func newFixture(tb testing.TB, open Opener) *fixture {
	s := open(tb)
	ctx := context.Background()
	_, secret, err := s.CreateKey(ctx, strata.KeyCreate{ProjectName: "test", Role: strata.RoleOwner, UserName: "Ada", UserEmail: "ada@example.com"})
	if err != nil {
		tb.Fatal(err)
	}
	p, err := s.Authenticate(ctx, secret)
	if err != nil {
		tb.Fatal(err)
	}
	return &fixture{tb: tb, ctx: ctx, s: s, actor: p.Actor()}
}

func (f *fixture) dataset(name string) *strata.Dataset {
	f.tb.Helper()
	d, err := f.s.CreateDataset(f.ctx, f.actor, strata.DatasetCreate{Name: name})
	if err != nil {
		f.tb.Fatal(err)
	}
	return d
}

func (f *fixture) item(datasetID, input string, w strata.WriteOptions) *strata.Item {
	f.tb.Helper()
	it, err := f.s.CreateItem(f.ctx, f.actor, datasetID, strata.ItemInput{Input: input}, w)
	if err != nil {
		f.tb.Fatal(err)
	}
	return it
}

func (f *fixture) snapshot(datasetID string) *strata.Version {
	f.tb.Helper()
	v, _, err := f.s.CreateVersion(f.ctx, f.actor, datasetID, strata.VersionCreate{})
	if err != nil {
		f.tb.Fatal(err)
	}
	return v
}

// items reads the items of a version (0: working) in order.
func (f *fixture) items(datasetID string, version int) []*strata.Item {
	f.tb.Helper()
	var list []*strata.Item
	err := f.s.ScanItems(f.ctx, strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: datasetID, Version: version},
		func(it *strata.Item) error { list = append(list, it); return nil })
	if err != nil {
		f.tb.Fatal(err)
	}
	return list
}

// filtered reads the items of a version (0: working) that filter keeps.
func (f *fixture) filtered(datasetID string, version int, filter strata.ItemFilter) []*strata.Item {
	f.tb.Helper()
	var list []*strata.Item
	err := f.s.ScanItems(f.ctx, strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: datasetID, Version: version, Filter: filter},
		func(it *strata.Item) error { list = append(list, it); return nil })
	if err != nil {
		f.tb.Fatal(err)
	}
	return list
}

// on returns the fixture reporting to tb: a subtest's own.
func (f *fixture) on(tb testing.TB) *fixture {
	g := *f
	g.tb = tb
	return &g
}

// update sets an item's input.
func (f *fixture) update(datasetID, itemID, input string, w strata.WriteOptions) *strata.Item {
	f.tb.Helper()
	it, err := f.s.UpdateItem(f.ctx, f.actor, datasetID, itemID, strata.ItemUpdate{Input: &input}, w)
	if err != nil {
		f.tb.Fatal(err)
	}
	return it
}

// remove deletes an item.
func (f *fixture) remove(datasetID, itemID string, w strata.WriteOptions) {
	f.tb.Helper()
	if err := f.s.DeleteItem(f.ctx, f.actor, datasetID, itemID, w); err != nil {
		f.tb.Fatal(err)
	}
}

func (f *fixture) find(id string) *strata.Dataset {
	f.tb.Helper()
	d, err := f.s.FindDataset(f.ctx, f.actor.ProjectID, id)
	if err != nil {
		f.tb.Fatal(err)
	}
	return d
}

func inputs(items []*strata.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Input
	}
	return out
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := strata.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func str(s string) *string { return &s }

// wantEq fails the test, saying what differs, unless got is want.
func wantEq[T comparable](tb testing.TB, what string, got, want T) {
	tb.Helper()
	if got != want {
		tb.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// wantPtr fails the test, saying what differs, unless got points to want.
func wantPtr[T comparable](tb testing.TB, what string, got *T, want T) {
	tb.Helper()
	if got == nil {
		tb.Fatalf("%s = nil, want %v", what, want)
	}
	wantEq(tb, what, *got, want)
}

// wantNil fails the test, saying what is set, unless got is nil.
func wantNil[T any](tb testing.TB, what string, got *T) {
	tb.Helper()
	if got != nil {
		tb.Fatalf("%s = %v, want nil", what, *got)
	}
}

var skip = strata.WriteOptions{SkipVersion: true}
