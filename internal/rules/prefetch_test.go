package rules

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-eval/strata"
)

// countingSource yields n items of size bytes, then fails with err; it
// counts the items it has yielded.
type countingSource struct {
	n, size int
	err     error
	read    atomic.Int64
}

func (s *countingSource) Next() (strata.ItemInput, error) {
	i := int(s.read.Load())
	if i == s.n {
		return strata.ItemInput{}, s.err
	}
	s.read.Add(1)
	return strata.ItemInput{Input: fmt.Sprintf("%d %s", i, strings.Repeat("x", s.size))}, nil
}

// importStore is the ImportItems of a store, reading its source as told.
type importStore struct {
	strata.ItemStore
	importItems func(src strata.ItemSource) (int, error)
}

func (s importStore) ImportItems(_ context.Context, _ strata.Actor, _ string, src strata.ItemSource, _ strata.WriteOptions) (int, error) {
	return s.importItems(src)
}

var noLimits = ImportLimits{MaxItems: 1 << 30, MaxFieldBytes: 1 << 30}

// The store sees what the source yields, in order, then its error, and then
// that error again; an item over the limits ends the import where it did.
func TestImportReadsAheadInOrder(t *testing.T) {
	fail := strata.Errorf(strata.EINVALID, "Invalid JSONL: could not parse one of the lines")
	for _, tc := range []struct {
		name string
		src  *countingSource
		l    ImportLimits
		n    int
		err  error
	}{
		{"EOF", &countingSource{n: 5000, size: 10, err: io.EOF}, noLimits, 5000, io.EOF},
		{"Error", &countingSource{n: 3001, size: 10, err: fail}, noLimits, 3001, fail},
		{"TooMany", &countingSource{n: 5000, size: 10, err: io.EOF}, ImportLimits{MaxItems: 2500, MaxFieldBytes: 100}, 2500, nil},
		{"Empty", &countingSource{err: io.EOF}, noLimits, 0, io.EOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := importStore{importItems: func(src strata.ItemSource) (int, error) {
				n := 0
				for {
					in, err := src.Next()
					if err != nil {
						if _, again := src.Next(); again != err {
							t.Errorf("error then %v, want it again", again)
						}
						return n, err
					}
					if want := fmt.Sprintf("%d ", n); !strings.HasPrefix(in.Input, want) {
						t.Fatalf("item %d is %.10q", n, in.Input)
					}
					n++
				}
			}}
			n, err := ImportItems(t.Context(), store, strata.Actor{}, "d", tc.src, strata.WriteOptions{}, tc.l)
			if n != tc.n {
				t.Errorf("store read %d items, want %d", n, tc.n)
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("err = %v, want %v", err, tc.err)
			}
			if tc.name == "TooMany" && strata.ErrorCode(err) != strata.ETOOLARGE {
				t.Errorf("err = %v, want the item limit", err)
			}
		})
	}
}

// What is read ahead is bounded by bytes, and the source is not read
// after ImportItems returns, whether the store stopped early or not.
func TestImportReadsAheadBoundedAndStops(t *testing.T) {
	const size = 64 << 10 // items of 64 KiB
	src := &countingSource{n: 10_000, size: size, err: io.EOF}
	store := importStore{importItems: func(src2 strata.ItemSource) (int, error) {
		for i := range 10 {
			if _, err := src2.Next(); err != nil {
				return i, err
			}
		}
		// Give the reader every chance to run ahead, then check how far
		// it went: no more than the chunks it may hold, and the one the
		// store reads from.
		for range 100 {
			for range 1000 {
				if src.read.Load() > 200 {
					break
				}
			}
			waitABit()
		}
		maxAhead := (prefetchChunks+2)*(prefetchBytes/size+1) + 10
		if got := int(src.read.Load()); got > maxAhead {
			t.Errorf("read %d items of %d KiB ahead of 10, want at most %d", got, size>>10, maxAhead)
		}
		return 10, strata.Errorf(strata.EINVALID, "store failed")
	}}
	if _, err := ImportItems(t.Context(), store, strata.Actor{}, "d", src, strata.WriteOptions{}, noLimits); err == nil {
		t.Fatal("no error")
	}
	after := src.read.Load()
	for range 100 {
		waitABit()
	}
	if got := src.read.Load(); got != after {
		t.Errorf("source read after the import returned: %d items, then %d", after, got)
	}
}

// waitABit lets other goroutines run.
func waitABit() { runtime.Gosched(); time.Sleep(time.Millisecond) }
