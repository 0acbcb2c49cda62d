package rules

import (
	"sync"

	"github.com/strata-eval/strata"
)

// An import reads its file ahead, in a goroutine of its own: the parsing of
// the next records (JSON, CSV, the limits) runs while the store writes the
// ones before, on another core or while the store waits for its database,
// instead of each waiting for the other. What is read ahead is bounded by
// bytes: at most prefetchChunks chunks of about prefetchBytes each, on top
// of the chunk the store is reading.

const (
	prefetchBytes  = 256 << 10
	prefetchItems  = 1024
	prefetchChunks = 4
)

// prefetchChunk is a run of items read ahead, and the error that ended the
// source after them, if it ended.
type prefetchChunk struct {
	items []strata.ItemInput
	err   error
}

// prefetchSource is an ItemSource that yields what src yields, in order,
// read ahead by a goroutine. Close stops it; src is not read after Close
// returns.
type prefetchSource struct {
	chunks chan prefetchChunk
	stop   chan struct{}
	done   sync.WaitGroup
	once   sync.Once

	cur []strata.ItemInput
	err error // sticky, once the items before it are yielded
}

func prefetch(src strata.ItemSource) *prefetchSource {
	p := &prefetchSource{chunks: make(chan prefetchChunk, prefetchChunks), stop: make(chan struct{})}
	p.done.Add(1)
	go p.read(src)
	return p
}

// read reads src until it fails (io.EOF included) or Close is called.
func (p *prefetchSource) read(src strata.ItemSource) {
	defer p.done.Done()
	for {
		var c prefetchChunk
		bytes := 0
		for len(c.items) < prefetchItems && bytes < prefetchBytes {
			in, err := src.Next()
			if err != nil {
				c.err = err
				break
			}
			c.items = append(c.items, in)
			bytes += itemBytes(in)
		}
		select {
		case p.chunks <- c:
		case <-p.stop:
			return
		}
		if c.err != nil {
			return
		}
	}
}

// itemBytes is about the memory an item holds.
func itemBytes(in strata.ItemInput) int {
	n := 64 + len(in.ID) + len(in.Input) + len(in.Metadata)
	for _, p := range []*string{in.GroundTruth, in.Output, in.ExternalID} {
		if p != nil {
			n += len(*p)
		}
	}
	for _, s := range in.Splits {
		n += len(s)
	}
	return n
}

func (p *prefetchSource) Next() (strata.ItemInput, error) {
	for len(p.cur) == 0 {
		if p.err != nil {
			return strata.ItemInput{}, p.err
		}
		c := <-p.chunks
		p.cur, p.err = c.items, c.err
	}
	in := p.cur[0]
	p.cur[0] = strata.ItemInput{}
	p.cur = p.cur[1:]
	return in, nil
}

// Close stops the reading ahead and waits for it to end.
func (p *prefetchSource) Close() {
	p.once.Do(func() { close(p.stop) })
	p.done.Wait()
}
