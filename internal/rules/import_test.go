package rules

import "context"
import "errors"
import "fmt"
import "io"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

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

// An import within the limits reads its whole source; an item over them
// ends it there, with a 413 that names the limit.
func TestImportLimits(t *testing.T) {
	for _, tc := range []struct {
		name    string
		limits  ImportLimits
		read    int    // items the store reads
		message string // the start of the 413's message, "" for none
	}{
		{"Within", ImportLimits{MaxItems: 5000, MaxFieldBytes: 100}, 5000, ""},
		{"TooMany", ImportLimits{MaxItems: 2500, MaxFieldBytes: 100}, 2500, "An import holds at most 2500 items"},
		{"FieldTooLarge", ImportLimits{MaxItems: 5000, MaxFieldBytes: 8}, 0, "item 1: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &countingSource{n: 5000, size: 10, err: io.EOF}
			n, err := ImportItems(t.Context(), importStore{}, strata.Actor{}, "d", src, strata.WriteOptions{}, tc.limits)
			if n != tc.read {
				t.Errorf("store read %d items, want %d", n, tc.read)
			}
			if tc.message == "" {
				if !errors.Is(err, io.EOF) {
					t.Errorf("err = %v, want the source's end", err)
				}
				return
			}
			if strata.ErrorCode(err) != strata.ETOOLARGE {
				t.Errorf("err = %v, want a 413", err)
			}
			if !strings.HasPrefix(strata.ErrorMessage(err), tc.message) {
				t.Errorf("message %q, want it to start with %q", strata.ErrorMessage(err), tc.message)
			}
		})
	}
}
