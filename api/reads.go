package api

import "context"
import "fmt"
import "net/http"
import "runtime"
import "sync"
import "time"

// Read slots.
//
// Reads are CPU-bound: a page of items is a scan and an encoding, with no
// wait in between. Served all at once on a server of a few processors, they
// share them with the writes, and SQLite's single writer, descheduled while
// it holds the write lock, holds up every write behind it (BENCHMARKS.md,
// "Read slots"). So the reads of the API and the pages (GET and HEAD) take a
// slot first: at most Limits.MaxConcurrentReads run at once, by default one
// fewer than the processors, which leaves one to the writes. A read keeps
// its slot at most Server.ReadSlice (DefaultReadSlice), then goes on
// without it: a long read (a large dataset, an export, a slow client)
// holds up the others for no longer than that, and is not stopped.

// DefaultReadSlice is how long a read keeps its slot at most.
const DefaultReadSlice = 10 * time.Millisecond

// defaultMaxConcurrentReads is the default of Limits.MaxConcurrentReads:
// one fewer than the processors, at least one.
func defaultMaxConcurrentReads() int { return max(1, runtime.GOMAXPROCS(0)-1) }

// readSlots are the slots of the reads in progress.
type readSlots struct {
	once  sync.Once
	slots chan struct{}
}

// AdmitRead waits for a read slot if r only reads (GET, HEAD), or for r's
// context to end; release gives the slot back, at once if the read's slice
// has not done so already. Every API request takes it after Admit, and so
// do the pages.
func (s *Server) AdmitRead(r *http.Request) (release func(), err error) {
	n := s.limits().MaxConcurrentReads
	if n < 0 || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return func() {}, nil
	}
	ctx := r.Context()
	s.reads.once.Do(func() { s.reads.slots = make(chan struct{}, n) })
	select {
	case s.reads.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for a read slot: %w", context.Cause(ctx))
	}
	free := sync.OnceFunc(func() { <-s.reads.slots })
	slice := s.ReadSlice
	if slice <= 0 {
		slice = DefaultReadSlice
	}
	t := time.AfterFunc(slice, free)
	return func() {
		t.Stop()
		free()
	}, nil
}
