package rules

import "context"

import "github.com/strata-eval/strata"

// ImportLimits bound one import, whichever face it comes through.
type ImportLimits struct {
	MaxItems      int // items in one import
	MaxFieldBytes int // bytes in one item's input, ground truth or output
}

// ImportItems appends the items src yields to a dataset, in one
// transaction, refusing the whole import (413) at the first item over the
// limits. The store reads src ahead while it writes, and not any more once
// ImportItems returns.
func ImportItems(ctx context.Context, store strata.ItemStore, a strata.Actor, datasetID string, src strata.ItemSource,
	opts strata.WriteOptions, l ImportLimits) (int, error) {
	return store.ImportItems(ctx, a, datasetID, l.Limit(src), opts)
}

// Limit returns src stopped (413) at the first item over the limits: what an
// import reads, and what a preview of one reads.
func (l ImportLimits) Limit(src strata.ItemSource) strata.ItemSource {
	return &limitedSource{src: src, maxItems: l.MaxItems, maxField: l.MaxFieldBytes}
}

// limitedSource stops an import at the item and field limits.
type limitedSource struct {
	src      strata.ItemSource
	n        int
	maxItems int
	maxField int
}

func (s *limitedSource) Next() (strata.ItemInput, error) {
	in, err := s.src.Next()
	if err != nil {
		return in, err
	}
	if s.n++; s.n > s.maxItems {
		return in, strata.Errorf(strata.ETOOLARGE, "An import holds at most %d items", s.maxItems)
	}
	if err := CheckFieldSizes(in.Input, in.GroundTruth, in.Output, s.maxField); err != nil {
		return in, strata.Errorf(strata.ETOOLARGE, "item %d: %s", s.n, strata.ErrorMessage(err))
	}
	return in, nil
}

// CheckFieldSizes refuses (413) an item field larger than max bytes.
func CheckFieldSizes(input string, groundTruth, output *string, max int) error {
	for _, f := range []struct {
		name string
		v    *string
	}{{"input", &input}, {"groundTruth", groundTruth}, {"output", output}} {
		if f.v != nil && len(*f.v) > max {
			return strata.Errorf(strata.ETOOLARGE, "%s is larger than %d bytes", f.name, max)
		}
	}
	return nil
}
