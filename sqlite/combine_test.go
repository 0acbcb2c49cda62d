package sqlite_test

import "context"
import "errors"
import "fmt"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/testkit"

// Writes that queue for the lock commit in one transaction, each atomic on
// its own: one refused by its If-Match changes nothing, not even the ETag,
// and the others are all there.
func TestCombinedWritesEachAtomic(t *testing.T) {
	s, a := openWithActor(t)
	ctx := context.Background()
	d, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: "d"})
	if err != nil {
		t.Fatal(err)
	}
	var items []*strata.Item
	for i := range 6 {
		it, err := s.CreateItem(ctx, a, d.ID, strata.ItemInput{Input: fmt.Sprint("before ", i)}, strata.WriteOptions{SkipVersion: true})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	before, err := s.FindDataset(ctx, a.ProjectID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	transactions, writes := s.CombinedWrites()

	release := testkit.HoldWriteLock(t, s, a, d.ID)
	errs := make([]chan error, len(items))
	for i, it := range items {
		errs[i] = make(chan error, 1)
		wctx := ctx
		if i%2 == 1 { // a stale If-Match
			wctx = strata.WithCondition(ctx, &strata.Condition{IfMatch: `"1"`})
		}
		input := fmt.Sprint("after ", i)
		go func() {
			_, err := s.UpdateItem(wctx, a, d.ID, it.ID, strata.ItemUpdate{Input: &input}, strata.WriteOptions{SkipVersion: true})
			errs[i] <- err
		}()
		testkit.WaitQueuedWrites(t, s, i+1)
	}
	release()

	for i, it := range items {
		err := <-errs[i]
		want := fmt.Sprint("after ", i)
		if i%2 == 1 {
			want = fmt.Sprint("before ", i)
			if !errors.Is(err, strata.ErrPrecondition) {
				t.Errorf("write %d with a stale If-Match: %v, want the precondition error", i, err)
			}
		} else if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
		got, err := s.FindItem(ctx, a.ProjectID, d.ID, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Input != want {
			t.Errorf("item %d: input %q, want %q", i, got.Input, want)
		}
	}
	after, err := s.FindDataset(ctx, a.ProjectID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The held lock was an import, which counted one change of its own.
	if want := etagPlus(t, before.ETag, 1+3); after.ETag != want {
		t.Errorf("ETag %s after 3 writes and an import from %s, want %s", after.ETag, before.ETag, want)
	}
	t2, w2 := s.CombinedWrites()
	if t2-transactions != 1 || w2-writes != 3 {
		t.Errorf("combined: %d transactions of %d writes, want 1 of 3", t2-transactions, w2-writes)
	}
}

func etagPlus(t *testing.T, etag string, n int64) string {
	t.Helper()
	var v int64
	if _, err := fmt.Sscanf(etag, `"%d"`, &v); err != nil {
		t.Fatalf("ETag %s: %v", etag, err)
	}
	return strata.DatasetETag(v + n)
}
