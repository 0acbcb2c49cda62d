package sqlstore

import "errors"
import "fmt"
import "io"
import "runtime"
import "strings"
import "sync/atomic"
import "testing"
import "time"

import "github.com/strata-eval/strata"

// countingSource yields n items of size bytes, the one at bad (if any)
// with a NUL character, then fails with err; it counts the items it has
// yielded.
type countingSource struct {
	n, size, bad int
	err          error
	read         atomic.Int64
}

func (s *countingSource) Next() (strata.ItemInput, error) {
	i := int(s.read.Load())
	if i == s.n {
		return strata.ItemInput{}, s.err
	}
	s.read.Add(1)
	in := strata.ItemInput{Input: fmt.Sprintf("%d %s", i, strings.Repeat("x", s.size))}
	if i == s.bad {
		in.Input += "\x00"
	}
	return in, nil
}

// The revisions come in the source's order, numbered from the first
// sequence number given, their content hashes added up, then the error that
// ended the source, again at every call: io.EOF, the source's error, or
// the refusal of an item.
func TestReadAheadInOrder(t *testing.T) {
	fail := strata.Errorf(strata.EINVALID, "Invalid JSONL: could not parse one of the lines")
	for _, tc := range []struct {
		name    string
		src     *countingSource
		n       int
		err     error
		message string
	}{
		{"EOF", &countingSource{n: 5000, size: 10, bad: -1, err: io.EOF}, 5000, io.EOF, ""},
		{"Error", &countingSource{n: 3001, size: 10, bad: -1, err: fail}, 3001, fail, ""},
		{"Refused", &countingSource{n: 5000, size: 10, bad: 2500, err: io.EOF}, 2500, nil, "input contains a NUL character"},
		{"Empty", &countingSource{bad: -1, err: io.EOF}, 0, io.EOF, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const seq, first, now = 42, 7, 1_000
			var counted, want strata.ContentHash
			ahead := prepareAhead(tc.src, seq, first, now, &counted)
			defer ahead.close()
			n := 0
			var err error
			for {
				var r *revision
				if r, err = ahead.next(); err != nil {
					break
				}
				if want := fmt.Sprintf("%d ", n); !strings.HasPrefix(r.input, want) {
					t.Fatalf("revision %d is %.10q", n, r.input)
				}
				if r.seq != seq+int64(n) || r.firstVersion != first || r.createdAt != now {
					t.Fatalf("revision %d: seq %d, first version %d, created %d", n, r.seq, r.firstVersion, r.createdAt)
				}
				if !r.counted {
					t.Fatalf("revision %d is not counted in the hash", n)
				}
				r.addHash(&want)
				n++
			}
			if counted != want {
				t.Errorf("hash of the revisions yielded %s, want %s", counted.String(), want.String())
			}
			if n != tc.n {
				t.Errorf("read %d revisions, want %d", n, tc.n)
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("err = %v, want %v", err, tc.err)
			}
			if tc.message != "" && strata.ErrorMessage(err) != tc.message {
				t.Errorf("err = %v, want %q", err, tc.message)
			}
			if _, again := ahead.next(); again != err {
				t.Errorf("error %v, then %v: want it again", err, again)
			}
		})
	}
}

// What is prepared ahead is bounded by bytes, and the source is not read
// after close returns, whether the reader stopped early or not.
func TestReadAheadBoundedAndStops(t *testing.T) {
	const size = 64 << 10 // items of 64 KiB
	src := &countingSource{n: 10_000, size: size, bad: -1, err: io.EOF}
	ahead := prepareAhead(src, 1, 1, 0, new(strata.ContentHash))
	for range 10 {
		if _, err := ahead.next(); err != nil {
			t.Fatal(err)
		}
	}
	// Give the reader every chance to run ahead, then check how far it
	// went: no more than the chunks it may hold, and the one it fills.
	for range 100 {
		waitABit()
	}
	maxAhead := (aheadChunks+2)*(aheadBytes/size+1) + 10
	if got := int(src.read.Load()); got > maxAhead {
		t.Errorf("read %d items of %d KiB ahead of 10, want at most %d", got, size>>10, maxAhead)
	}
	ahead.close()
	after := src.read.Load()
	for range 100 {
		waitABit()
	}
	if got := src.read.Load(); got != after {
		t.Errorf("source read after close returned: %d items, then %d", after, got)
	}
}

// waitABit lets other goroutines run.
func waitABit() { runtime.Gosched(); time.Sleep(time.Millisecond) }

// The read-ahead holds more than a bulk load's batch (newBulkInserter), so
// that the next batch is ready when a COPY ends.
func TestReadAheadHoldsABulkBatch(t *testing.T) {
	if ahead, batch := aheadChunks*aheadBytes, insertBatchBytes/4; ahead <= batch {
		t.Fatalf("read-ahead %d bytes, a COPY batch %d: the database would wait for the parser", ahead, batch)
	}
}
