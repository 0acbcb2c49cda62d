package web

import "errors"

import "github.com/strata-eval/strata"

// A page is rendered whole before it is sent, so the lists it shows are
// bounded: at most listedAtMost entries and about listedBytes of them. The
// datasets page says when it shows only the first, and its search finds
// the others.
const (
	listedAtMost = 500
	listedBytes  = 4 << 20
)

var errListed = errors.New("list cut")

// firstOf keeps what list calls back with, as keep reduces it to what the
// page shows and counts its bytes, until the bounds above are reached; more
// reports that the list went on.
func firstOf[T any](list func(fn func(T) error) error, keep func(T) (T, int)) (kept []T, more bool, err error) {
	held := 0
	err = list(func(v T) error {
		if len(kept) == listedAtMost || (len(kept) > 0 && held >= listedBytes) {
			more = true
			return errListed
		}
		v, n := keep(v)
		kept, held = append(kept, v), held+n
		return nil
	})
	if errors.Is(err, errListed) {
		err = nil
	}
	return kept, more, err
}

// datasetShown is a dataset as the datasets page shows it, and its bytes.
func datasetShown(d *strata.Dataset) (*strata.Dataset, int) {
	n := 256 + len(d.Name)
	if d.Description != nil {
		n += len(*d.Description)
	}
	return d, n
}

// evaluatorShown is an evaluator's label as a choice of evaluators shows
// it, and its bytes.
func evaluatorShown(e *strata.Evaluator) (*strata.Evaluator, int) {
	return e, 128 + len(e.Name) + len(e.Type)
}
