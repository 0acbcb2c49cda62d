package storetest

import (
	"fmt"
	"testing"

	"github.com/strata-eval/strata"
)

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
