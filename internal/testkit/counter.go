package testkit

import "context"
import "iter"
import "sync/atomic"

import "github.com/strata-eval/strata"

// ScanCounter is a store that counts the item scans asked of it and the
// items they yield: how a test sees that a cached or HEAD response read
// nothing.
type ScanCounter struct {
	strata.Store
	Scans, Items atomic.Int64
}

func (s *ScanCounter) ScanItems(ctx context.Context, q strata.ItemQuery, fn func(*strata.Item) error) error {
	s.Scans.Add(1)
	return s.Store.ScanItems(ctx, q, func(it *strata.Item) error {
		s.Items.Add(1)
		return fn(it)
	})
}

func (s *ScanCounter) OpenItems(ctx context.Context, q strata.ItemQuery) (strata.ItemScan, error) {
	scan, err := s.Store.OpenItems(ctx, q)
	if err != nil {
		return nil, err
	}
	s.Scans.Add(1)
	return countedScan{scan, &s.Items}, nil
}

// countedScan counts the items ranged over.
type countedScan struct {
	strata.ItemScan
	items *atomic.Int64
}

func (sc countedScan) Items() iter.Seq2[*strata.Item, error] {
	return func(yield func(*strata.Item, error) bool) {
		for it, err := range sc.ItemScan.Items() {
			if err == nil {
				sc.items.Add(1)
			}
			if !yield(it, err) {
				return
			}
		}
	}
}
