package sqlstore

import "runtime/debug"
import "sync"

import "github.com/strata-eval/strata"

// An import prepares its revisions ahead, in a goroutine of its own: reading
// the source (the parsing of JSON or CSV and the import's limits), checking
// each item and computing its content hash run while the transaction writes
// the revisions before them, on the other core or while the database works,
// instead of each waiting for the other. The transaction is left only what
// needs it: the external-id lookups and the inserts. What is prepared ahead
// is bounded by bytes: at most aheadChunks chunks of about aheadBytes each,
// on top of the chunk the transaction is writing. That is more than one
// batch of a bulk load (newBulkInserter): while PostgreSQL takes one COPY,
// the next batch is prepared, and the transaction sends it as soon as the
// first ends, instead of the database waiting for it to be parsed.

const (
	aheadBytes  = 256 << 10
	aheadItems  = 1024
	aheadChunks = 9
)

// preparedChunk is a run of revisions prepared ahead, the sum of their
// content hashes, and the error that ended the source after them, if it
// ended. (A revision's hash is 1 KiB: the chunk keeps their sum, not each.)
type preparedChunk struct {
	revisions []*revision
	hash      strata.ContentHash
	err       error
}

// readAhead yields the new revisions of the items a source yields, in
// order, prepared by a goroutine. close stops it; the source is not read
// after close returns.
type readAhead struct {
	chunks chan preparedChunk
	stop   chan struct{}
	done   sync.WaitGroup
	once   sync.Once

	hash *strata.ContentHash // what the hashes of the revisions yielded are added to
	cur  []*revision
	err  error // sticky, once the revisions before it are yielded
}

// prepareAhead starts preparing the items of src as new revisions of a
// dataset whose next item has sequence number seq, in its working version
// first, written at now. The content hash of each revision it yields is
// added to hash, and the revision marked counted.
func prepareAhead(src strata.ItemSource, seq int64, first int, now int64, hash *strata.ContentHash) *readAhead {
	p := &readAhead{chunks: make(chan preparedChunk, aheadChunks), stop: make(chan struct{}), hash: hash}
	p.done.Add(1)
	go p.prepare(src, seq, first, now)
	return p
}

// prepare reads src until it fails (io.EOF included), an item is refused,
// or close is called. A panic in it (in src, say) is the import's: it ends
// the source as a panicked error, which the import raises again in its own
// goroutine (repanic), where the request's handler recovers it; here it
// would end the process.
func (p *readAhead) prepare(src strata.ItemSource, seq int64, first int, now int64) {
	defer p.done.Done()
	defer func() {
		if v := recover(); v != nil {
			select {
			case p.chunks <- preparedChunk{err: &panicked{value: v, stack: debug.Stack()}}:
			case <-p.stop:
			}
		}
	}()
	for {
		var c preparedChunk
		bytes := 0
		for len(c.revisions) < aheadItems && bytes < aheadBytes {
			r, err := nextRevision(src, seq, first, now)
			if err != nil {
				c.err = err
				break
			}
			r.addHash(&c.hash)
			r.counted = true
			c.revisions = append(c.revisions, r)
			bytes += r.size()
			seq++
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

// nextRevision is the new revision of the next item of src.
func nextRevision(src strata.ItemSource, seq int64, first int, now int64) (*revision, error) {
	in, err := src.Next()
	if err != nil {
		return nil, err
	}
	return prepareRevision(in, seq, first, now)
}

// next returns the next revision, or the error that ended the source
// (io.EOF at its end), again at every call after it. The hashes of a
// chunk's revisions are counted when its first is yielded: a write that
// stops before the chunk's last fails whole, hash and all.
func (p *readAhead) next() (*revision, error) {
	for len(p.cur) == 0 {
		if p.err != nil {
			return nil, p.err
		}
		c := <-p.chunks
		p.cur, p.err = c.revisions, c.err
		p.hash.Add(&c.hash)
	}
	r := p.cur[0]
	p.cur[0] = nil
	p.cur = p.cur[1:]
	return r, nil
}

// close stops the preparing and waits for it to end.
func (p *readAhead) close() {
	p.once.Do(func() { close(p.stop) })
	p.done.Wait()
}
