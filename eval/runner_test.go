package eval

import "context"
import "encoding/json"
import "fmt"
import "strings"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/testkit"

// TestRunPages: a run reads and scores its items a page at a time, pages
// bounded by bytes, and still scores and writes every item.
// jsonDataset makes a dataset of items whose input is size bytes, with a
// json evaluator attached.
func jsonDataset(t *testing.T, items, size int) (strata.Store, strata.Actor, *strata.Dataset) {
	t.Helper()
	ctx := context.Background()
	s := testkit.SQLite(t)
	a := testkit.Owner(t, s, "p")
	d := testkit.Dataset(t, s, a, "pages")
	for i := range items {
		out := fmt.Sprintf(`{"n":%d}`, i)
		in := strata.ItemInput{Input: strings.Repeat("x", size), Output: &out}
		if _, err := s.CreateItem(ctx, a, d.ID, in, strata.WriteOptions{SkipVersion: true}); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := s.CreateEvaluator(ctx, a, strata.EvaluatorCreate{Name: "shape", Slug: "shape", Type: "json", Mode: "normal",
		Params: json.RawMessage(`{}`), Filters: json.RawMessage(`[]`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachEvaluator(ctx, a, d.ID, strata.EvaluatorAttach{EvaluatorID: ev.ID}); err != nil {
		t.Fatal(err)
	}
	return s, a, d
}

// A run holds its results until it writes them, at most MaxResultBytes of
// them: past that, it fails with 413's code, having written nothing, and
// an asynchronous one is recorded failed with that message.
func TestRunResultsBounded(t *testing.T) {
	ctx := context.Background()
	s, a, d := jsonDataset(t, 40, 10)
	r := &Runner{Store: s, LLM: &Client{}, MaxResultBytes: 2_000}
	defer r.Close()
	before, err := s.FindDataset(ctx, a.ProjectID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Run(ctx, a, d.ID)
	if strata.ErrorCode(err) != strata.ETOOLARGE || !strings.Contains(strata.ErrorMessage(err), "STRATA_MAX_RUN_RESULT_BYTES") {
		t.Fatalf("run past its bytes: %v, want %s naming the setting", err, strata.ETOOLARGE)
	}
	after, err := s.FindDataset(ctx, a.ProjectID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.CurrentVersionNumber != before.CurrentVersionNumber || after.ETag != before.ETag {
		t.Errorf("the run that failed wrote: version %d, ETag %s, want %d and %s", after.CurrentVersionNumber, after.ETag, before.CurrentVersionNumber, before.ETag)
	}

	run, _, err := r.RunAsync(ctx, a, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	run = waitRun(t, s, a, run)
	if run.Status != strata.RunFailed || run.Error == nil || !strings.Contains(*run.Error, "STRATA_MAX_RUN_RESULT_BYTES") {
		t.Errorf("asynchronous run past its bytes: status %s, error %v", run.Status, run.Error)
	}

	r.MaxResultBytes = 0 // the default holds them
	if _, err := r.Run(ctx, a, d.ID); err != nil {
		t.Errorf("run within the default bound: %v", err)
	}
}

func TestRunPages(t *testing.T) {
	ctx := context.Background()
	const items, size, pageBytes = 40, 10 << 10, 64 << 10
	s, a, d := jsonDataset(t, items, size)

	var pages []int
	// The runner is given only what it uses of the store.
	r := &Runner{Store: struct{ Store }{s}, LLM: &Client{}, PageBytes: pageBytes, onPage: func(n int) { pages = append(pages, n) }}
	res, err := r.Run(ctx, a, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.UpdatedItemCount; got != items {
		t.Fatalf("updated %d items, want %d", got, items)
	}
	total, most := 0, 0
	for _, n := range pages {
		total, most = total+n, max(most, n)
	}
	// A page stops at the item that reaches its bytes.
	if want := pageBytes/size + 1; most > want {
		t.Fatalf("pages %v: one held %d items, want at most %d", pages, most, want)
	}
	if total != items {
		t.Fatalf("pages %v hold %d items, want %d", pages, total, items)
	}
}

// TestRunItemsOfItsStart: a run scores the items that existed when it
// started: one created while it computes is left for the next run, and a
// filtered asynchronous run's total is what its filter selects.
func TestRunItemsOfItsStart(t *testing.T) {
	ctx := context.Background()
	const items, size = 12, 1 << 10
	s, a, d := jsonDataset(t, items, size)
	var late *strata.Item
	r := &Runner{Store: s, LLM: &Client{}, PageBytes: 4 * size, onPage: func(int) {
		if late != nil {
			return
		}
		out := `{"late":true}`
		var err error
		if late, err = s.CreateItem(ctx, a, d.ID, strata.ItemInput{Input: "late", Output: &out}, strata.WriteOptions{SkipVersion: true}); err != nil {
			t.Error(err)
		}
	}}
	defer r.Close()
	res, err := r.Run(ctx, a, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.UpdatedItemCount != items || res.Run.TotalItems != items {
		t.Fatalf("run: %d items updated, total %d; want the %d of its start", res.UpdatedItemCount, res.Run.TotalItems, items)
	}
	it, err := s.FindItem(ctx, a.ProjectID, d.ID, late.ID)
	if err != nil {
		t.Fatal(err)
	}
	if it.EvaluatorResult1 != nil {
		t.Fatalf("the item created during the run was scored: %s", it.EvaluatorResult1)
	}

	// Three of the items are in split "test".
	var scan []*strata.Item
	if err := s.ScanItems(ctx, strata.ItemQuery{ProjectID: a.ProjectID, DatasetID: d.ID, Limit: 3}, func(it *strata.Item) error {
		scan = append(scan, it)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, it := range scan {
		if _, err := s.UpdateItem(ctx, a, d.ID, it.ID, strata.ItemUpdate{Splits: []string{"test"}}, strata.WriteOptions{SkipVersion: true}); err != nil {
			t.Fatal(err)
		}
	}
	r.onPage = nil
	run, _, err := r.RunAsyncFiltered(ctx, a, d.ID, strata.ItemFilter{Splits: []string{"test"}})
	if err != nil {
		t.Fatal(err)
	}
	if run.TotalItems != 3 {
		t.Fatalf("filtered asynchronous run: total %d at its start, want 3", run.TotalItems)
	}
	run = waitRun(t, s, a, run)
	if run.Status != strata.RunCompleted || run.TotalItems != 3 {
		t.Fatalf("filtered asynchronous run: %s, total %d; want completed, 3", run.Status, run.TotalItems)
	}
}

// waitRun waits for an asynchronous run to end, and returns it ended.
func waitRun(t *testing.T, s strata.Store, a strata.Actor, run *strata.Run) *strata.Run {
	t.Helper()
	deadline := time.Now().Add(time.Minute) // a watchdog, not a measure
	for run.Status == strata.RunRunning {
		if time.Now().After(deadline) {
			t.Fatal("the asynchronous run did not end")
		}
		time.Sleep(10 * time.Millisecond)
		var err error
		if run, err = s.FindRun(context.Background(), a.ProjectID, run.DatasetID, run.ID); err != nil {
			t.Fatal(err)
		}
	}
	return run
}

// failingCompletion is a store whose runs fail as they are written.
type failingCompletion struct{ strata.Store }

func (failingCompletion) CompleteRun(context.Context, strata.Actor, string, strata.RunCompletion) (*strata.RunOutcome, error) {
	return nil, strata.Errorf(strata.EINVALID, "the results could not be written")
}

// A run that fails after scoring its items says how many it scored, not
// what its last heartbeat said.
func TestFailedRunCountsItsItems(t *testing.T) {
	ctx := context.Background()
	s, a, d := jsonDataset(t, 30, 10)
	r := &Runner{Store: failingCompletion{s}, LLM: &Client{}, ProgressInterval: time.Hour}
	defer r.Close()
	run, _, err := r.RunAsync(ctx, a, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	run = waitRun(t, s, a, run)
	if run.Status != strata.RunFailed || run.ProcessedItems != 30 {
		t.Errorf("run that failed as it wrote: status %s, %d items processed; want failed, 30", run.Status, run.ProcessedItems)
	}
}
