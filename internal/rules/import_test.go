package rules

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/strata-eval/strata"
)

// countingSource yields n items of size bytes, then fails with err.
type countingSource struct {
	n, size int
	err     error
	read    int
}

func (s *countingSource) Next() (strata.ItemInput, error) {
	if s.read == s.n {
		return strata.ItemInput{}, s.err
	}
	s.read++
	return strata.ItemInput{Input: fmt.Sprintf("%d %s", s.read-1, strings.Repeat("x", s.size))}, nil
}

// importStore is the ImportItems of a store that reads its whole source.
type importStore struct{ strata.ItemStore }

func (importStore) ImportItems(_ context.Context, _ strata.Actor, _ string, src strata.ItemSource, _ strata.WriteOptions) (int, error) {
	n := 0
	for {
		if _, err := src.Next(); err != nil {
			return n, err
		}
		n++
	}
}

var noLimits = ImportLimits{MaxItems: 1 << 30, MaxFieldBytes: 1 << 30}

// The store sees what the source yields, then its error; an item over the
// limits ends the import there, with a 413 that names the limit.
func TestImportLimits(t *testing.T) {
	fail := strata.Errorf(strata.EINVALID, "Invalid JSONL: could not parse one of the lines")
	for _, tc := range []struct {
		name    string
		src     *countingSource
		l       ImportLimits
		n       int
		err     error
		message string
	}{
		{"EOF", &countingSource{n: 5000, size: 10, err: io.EOF}, noLimits, 5000, io.EOF, ""},
		{"Error", &countingSource{n: 3001, size: 10, err: fail}, noLimits, 3001, fail, ""},
		{"TooMany", &countingSource{n: 5000, size: 10, err: io.EOF}, ImportLimits{MaxItems: 2500, MaxFieldBytes: 100}, 2500, nil,
			"An import holds at most 2500 items"},
		{"FieldTooLarge", &countingSource{n: 5000, size: 10, err: io.EOF}, ImportLimits{MaxItems: 5000, MaxFieldBytes: 8}, 0, nil,
			"item 1: "},
		{"Empty", &countingSource{err: io.EOF}, noLimits, 0, io.EOF, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := ImportItems(t.Context(), importStore{}, strata.Actor{}, "d", tc.src, strata.WriteOptions{}, tc.l)
			if n != tc.n {
				t.Errorf("store read %d items, want %d", n, tc.n)
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("err = %v, want %v", err, tc.err)
			}
			if tc.message != "" {
				if strata.ErrorCode(err) != strata.ETOOLARGE {
					t.Errorf("err = %v, want a 413", err)
				}
				if !strings.HasPrefix(strata.ErrorMessage(err), tc.message) {
					t.Errorf("message %q, want it to start with %q", strata.ErrorMessage(err), tc.message)
				}
			}
		})
	}
}
