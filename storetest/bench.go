package storetest

import "fmt"
import "math/rand/v2"
import "runtime"
import "testing"

import "github.com/strata-eval/strata"

// Bench runs the store benchmarks against stores made by open.
func Bench(b *testing.B, open Opener) {
	for _, size := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("Snapshot/items=%d", size), func(b *testing.B) {
			f := newFixture(b, open)
			d := f.dataset("bench")
			f.fill(d.ID, size)
			b.ResetTimer()
			for b.Loop() {
				f.snapshot(d.ID)
			}
		})
	}
	b.Run("Import/items=10000", func(b *testing.B) {
		f := newFixture(b, open)
		for b.Loop() {
			d := f.dataset(strata.NewID())
			f.fill(d.ID, 10_000)
		}
		b.ReportMetric(float64(10_000*b.N)/b.Elapsed().Seconds(), "items/s")
	})
	benchDiff(b, open)
	benchPage(b, open)
	b.Run("CreateItem/autoversion", func(b *testing.B) {
		f := newFixture(b, open)
		d := f.dataset("bench")
		for b.Loop() {
			f.item(d.ID, "a question", strata.WriteOptions{})
		}
	})
	b.Run("CreateItem/skipVersion", func(b *testing.B) {
		f := newFixture(b, open)
		d := f.dataset("bench")
		for b.Loop() {
			f.item(d.ID, "a question", skip)
		}
	})
	// An edit of the server's mixed load: a PATCH with skipVersion of an
	// item of 1,000, each edited twice in a row with a snapshot every 20
	// edits: half the edits close a revision a version holds and open a
	// new one, half rewrite the draft in place.
	b.Run("UpdateItem/skipVersion", func(b *testing.B) {
		f := newFixture(b, open)
		d := f.dataset("bench")
		f.fill(d.ID, 1_000)
		items := f.items(d.ID, 0)
		i := 0
		for b.Loop() {
			if i%20 == 0 {
				b.StopTimer()
				f.snapshot(d.ID)
				b.StartTimer()
			}
			f.update(d.ID, items[(i/2)%len(items)].ID, fmt.Sprintf("edit %d", i), skip)
			i++
		}
	})
	// Edits by 32 writers at once (16 per processor on two), of items of
	// 8 datasets of 100, as in the server's mixed load: writes queue for
	// the store's lock, or for the rows they change.
	b.Run("UpdateItem/parallel", func(b *testing.B) {
		f := newFixture(b, open)
		var items [][2]string // dataset, item
		for n := range 8 {
			d := f.dataset(fmt.Sprint("bench ", n))
			f.fill(d.ID, 100)
			for _, it := range f.items(d.ID, 0) {
				items = append(items, [2]string{d.ID, it.ID})
			}
		}
		b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				it := items[rand.IntN(len(items))]
				input := fmt.Sprint("edit ", i)
				if _, err := f.s.UpdateItem(f.ctx, f.actor, it[0], it[1], strata.ItemUpdate{Input: &input}, skip); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// fill imports n items into a dataset.
func (f *fixture) fill(datasetID string, n int) {
	f.tb.Helper()
	src := make(strata.ItemSlice, n)
	for i := range src {
		src[i] = strata.ItemInput{Input: fmt.Sprintf("question %d: what is the capital of country %d?", i, i), GroundTruth: str("Paris")}
	}
	if _, err := f.s.ImportItems(f.ctx, f.actor, datasetID, &src, skip); err != nil {
		f.tb.Fatal(err)
	}
}

// BenchSplitFilter measures a page of 100 items filtered by split, read
// from a version of n items of which one in ten is in the split, at a
// random place in the version (keyset paging).
func BenchSplitFilter(b *testing.B, open Opener, n int) {
	f := newFixture(b, open)
	d := f.dataset("bench")
	const batch = 100_000
	for start := 0; start < n; start += batch {
		src := make(strata.ItemSlice, min(batch, n-start))
		for i := range src {
			split := "train"
			if (start+i)%10 == 0 {
				split = "test"
			}
			src[i] = strata.ItemInput{Input: fmt.Sprintf("question %d: what is the capital of country %d?", start+i, start+i),
				GroundTruth: str("Paris"), Splits: []string{split}, Metadata: []byte(`{"lang":"en"}`)}
		}
		if _, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &src, skip); err != nil {
			b.Fatal(err)
		}
	}
	v := f.snapshot(d.ID)
	// Later edits, so that the version read is not the working set.
	f.item(d.ID, "after the version", skip)
	rnd := rand.New(rand.NewPCG(1, 1))
	b.ResetTimer()
	for b.Loop() {
		q := strata.ItemQuery{ProjectID: f.actor.ProjectID, DatasetID: d.ID, Version: v.Number,
			AfterSeq: rnd.Int64N(int64(n) - 2_000), Limit: 100, Filter: strata.ItemFilter{Splits: []string{"test"}}}
		got := 0
		if err := f.s.ScanItems(f.ctx, q, func(*strata.Item) error { got++; return nil }); err != nil {
			b.Fatal(err)
		}
		if got != 100 {
			b.Fatalf("page of %d items, want 100", got)
		}
	}
}
