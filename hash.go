package strata

import "crypto/sha256"
import "encoding/binary"
import "encoding/hex"
import "fmt"
import "math/rand/v2"
import "sync"

// Content hashes.
//
// Every version carries a hash of its content: the set of its items, each
// one its id, input, ground truth, output and evaluator results. Two versions
// with the same items have the same hash, whatever the edits, imports and
// restores that led to them; any other difference changes it.
//
// The hash is an LtHash (Bellare-Micciancio's additive multiset hash, as
// Lewi et al. use it for Facebook's ledger): each item maps to a vector of
// ContentLanes 64-bit lanes, and a set hashes to the lane-wise sum of its
// items' vectors, mod 2^64. Adding an item adds its vector; removing it
// subtracts it. So the store keeps the working set's hash on the dataset,
// updates it as each revision is opened or closed, and copies it into the
// version row at a snapshot: no snapshot reads an item, and no write
// recomputes a hash from the whole set (only a migration and strata check
// do, from the revisions).
//
// An item's vector is its canonical encoding (length-prefixed, with null and
// "" told apart) digested by SHA-256 and expanded by chacha8rand keyed with
// the digest. The state (1 KiB) is what the store keeps; clients see the
// SHA-256 of it, in hex.

// ContentLanes is the number of 64-bit lanes of a ContentHash.
const ContentLanes = 128

// ContentHash is the LtHash state of a multiset of items. The zero value is
// the hash of the empty set.
type ContentHash [ContentLanes]uint64

// contentDomain separates this use of SHA-256 from any other.
const contentDomain = "strata.item.v1\x00"

// ItemContentHash returns the vector of one item: its id and content.
func ItemContentHash(it *Item) *ContentHash {
	var h ContentHash
	h.AddItem(it)
	return &h
}

// AddItem adds one item to h: h.Add(ItemContentHash(it)), without the
// vector in between.
func (h *ContentHash) AddItem(it *Item) {
	x := newItemStream(it)
	for i := range h {
		h[i] += x.rng.Uint64()
	}
	x.release()
}

// SubItem removes one item from h.
func (h *ContentHash) SubItem(it *Item) {
	x := newItemStream(it)
	for i := range h {
		h[i] -= x.rng.Uint64()
	}
	x.release()
}

// itemStream is the stream of an item's vector: chacha8rand
// (c2sp.org/chacha8rand) keyed by the digest of its encoding, which expands
// it into a specified, stable, cryptographically strong stream. An import
// hashes every item it writes, so streams are pooled, with the buffer the
// encoding is built in: hashing an item allocates nothing.
type itemStream struct {
	buf []byte
	rng rand.ChaCha8
}

var itemStreams = sync.Pool{New: func() any { return new(itemStream) }}

// maxPooledEncoding bounds the buffer a pooled stream keeps: a large
// item's is left to the garbage collector.
const maxPooledEncoding = 64 << 10

func newItemStream(it *Item) *itemStream {
	x := itemStreams.Get().(*itemStream)
	x.buf = appendItemEncoding(x.buf[:0], it)
	x.rng.Seed(sha256.Sum256(x.buf))
	return x
}

func (x *itemStream) release() {
	if cap(x.buf) > maxPooledEncoding {
		x.buf = nil
	}
	itemStreams.Put(x)
}

// appendItemEncoding appends the canonical encoding of an item.
func appendItemEncoding(buf []byte, it *Item) []byte {
	results := [...][]byte{it.EvaluatorResult1, it.EvaluatorResult2, it.EvaluatorResult3, it.EvaluatorResult4, it.EvaluatorResult5}
	buf = append(buf, contentDomain...)
	buf = appendText(buf, []byte(nil), &it.ID, true)
	buf = appendText(buf, []byte(nil), &it.Input, true)
	buf = appendText(buf, []byte(nil), it.GroundTruth, it.GroundTruth != nil)
	buf = appendText(buf, []byte(nil), it.Output, it.Output != nil)
	for _, r := range results {
		buf = appendText(buf, r, nil, r != nil)
	}
	// Metadata, splits and the external id follow only when one is set, so
	// that an item without them hashes as it did before they existed (and
	// stored hashes stay valid). The encoding above is prefix-free, so the
	// extension is unambiguous.
	if extended := it.ExternalID != nil || len(it.Splits) > 0 || (len(it.Metadata) > 0 && string(it.Metadata) != "{}"); extended {
		metadata, splits := []byte(it.Metadata), SplitsText(it.Splits)
		if len(metadata) == 0 {
			metadata = EmptyMetadata
		}
		buf = append(buf, 2)
		buf = appendText(buf, metadata, nil, true)
		buf = appendText(buf, nil, &splits, true)
		buf = appendText(buf, nil, it.ExternalID, it.ExternalID != nil)
	}
	return buf
}

// appendText appends a nullable text unambiguously: a null marker, or a
// present marker, the length and the bytes (of b, or else of *s).
func appendText(buf, b []byte, s *string, present bool) []byte {
	if !present {
		return append(buf, 0)
	}
	if s != nil {
		buf = binary.BigEndian.AppendUint64(append(buf, 1), uint64(len(*s)))
		return append(buf, *s...)
	}
	buf = binary.BigEndian.AppendUint64(append(buf, 1), uint64(len(b)))
	return append(buf, b...)
}

// Add adds the items of x to h.
func (h *ContentHash) Add(x *ContentHash) {
	for i := range h {
		h[i] += x[i]
	}
}

// Sub removes the items of x from h.
func (h *ContentHash) Sub(x *ContentHash) {
	for i := range h {
		h[i] -= x[i]
	}
}

// String is the hash as clients see it: the SHA-256 of the state, in hex.
func (h *ContentHash) String() string {
	sum := sha256.Sum256(h.MarshalBinary())
	return hex.EncodeToString(sum[:])
}

// MarshalBinary returns the state as stored: the lanes, little-endian.
func (h *ContentHash) MarshalBinary() []byte {
	b := make([]byte, ContentLanes*8)
	for i, l := range h {
		binary.LittleEndian.PutUint64(b[i*8:], l)
	}
	return b
}

// ParseContentHash reads a stored state. An empty one (the column's default,
// which a new dataset starts with) is the empty set's.
func ParseContentHash(b []byte) (ContentHash, error) {
	var h ContentHash
	if len(b) == 0 {
		return h, nil
	}
	if len(b) != ContentLanes*8 {
		return h, fmt.Errorf("content hash: %d bytes, want %d", len(b), ContentLanes*8)
	}
	for i := range h {
		h[i] = binary.LittleEndian.Uint64(b[i*8:])
	}
	return h, nil
}
