package importer

import "bytes"
import "encoding/binary"
import "encoding/json"
import "unicode/utf8"

import "github.com/strata-eval/strata"

// One pass over a JSONL line.
//
// A line is checked as JSON and, when it is an object, split into its keys
// and the raw text of their values in the same pass: what
// json.Unmarshal(line, &map[string]json.RawMessage{}) gives, without its
// second scan of every value, its copy of each value, or its reflection.
// The values are slices of the line, valid until the line's buffer is
// reused (the next Next): every use of them copies what it keeps.
//
// The grammar is encoding/json's: RFC 8259, strings may hold invalid UTF-8
// (decoding replaces it), nesting deeper than maxNesting is refused. A key
// that appears twice keeps its last value, as Unmarshal does, unless the
// scan looks for such keys (keySets): then the first one found ends it.

// maxNesting is encoding/json's limit of nested arrays and objects.
const maxNesting = 10000

// lineScan is the state of one line's scan.
type lineScan struct {
	b     []byte
	i     int
	depth int
	bad   bool
	// dups, when set, finds a key named twice; dup is the first found.
	dups *keySets
	dup  *string
	// tooMany: the top level has more than maxMembers members.
	tooMany bool
}

// maxMembers bounds the members of a line's object, as maxColumns bounds a
// CSV record's cells: a line of a few megabytes could otherwise hold
// millions of them, each an entry of the members map.
const maxMembers = 10_000

// keyCache keeps the keys of the lines read so far, so that the keys of a
// file's lines, usually the same on every line, are not allocated anew.
type keyCache map[string]string

// maxCachedKeys bounds a keyCache: a file whose lines have ever new keys
// allocates them.
const maxCachedKeys = 1024

// lineShape is what splitObject found in a line.
type lineShape struct {
	valid  bool // the line is one JSON value
	object bool // an object, whose members are in obj
	// dup is a key that an object of the line, at any depth, names twice:
	// looked for only with keySets, and the end of the scan (valid and
	// object then say nothing).
	dup *string
	// tooMany: the object has more than maxMembers members (the end of the
	// scan: the others say nothing).
	tooMany bool
}

// splitObject checks that line is one JSON value and, when it is an object,
// puts its members in obj (cleared first). With dups, it also looks for a
// key named twice.
func splitObject(line []byte, obj map[string]json.RawMessage, keys keyCache, dups *keySets) lineShape {
	s := lineScan{b: line, dups: dups}
	var shape lineShape
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == '{' {
		clear(obj)
		s.object(obj, keys)
		shape.object = true
	} else {
		s.value()
	}
	if s.dup != nil {
		return lineShape{dup: s.dup}
	}
	if s.tooMany {
		return lineShape{tooMany: true}
	}
	s.skipSpace()
	shape.valid = !s.bad && s.i == len(s.b)
	return shape
}

// keySets hold the keys of the nested objects a scan is in, to find one
// named twice (the top level's are the members map). They are reused from
// line to line, so that a file's lines allocate none once they have been
// as deep.
type keySets struct {
	open []keySet
}

// keySet is the keys of one object: compared one by one while they are
// few, then in a map.
type keySet struct {
	keys [][]byte // slices of the line, or decoded where escaped
	set  map[string]struct{}
}

// keySetMax is how many keys a keySet compares one by one.
const keySetMax = 16

// enter starts the keys of a nested object, and returns its index.
func (d *keySets) enter() int {
	if len(d.open) < cap(d.open) {
		d.open = d.open[:len(d.open)+1]
		ks := &d.open[len(d.open)-1]
		ks.keys, ks.set = ks.keys[:0], nil
	} else {
		d.open = append(d.open, keySet{})
	}
	return len(d.open) - 1
}

func (d *keySets) leave() { d.open = d.open[:len(d.open)-1] }

// add notes a key, and reports whether the object had it already.
func (ks *keySet) add(k []byte) bool {
	if ks.set != nil {
		if _, ok := ks.set[string(k)]; ok {
			return true
		}
		ks.set[string(k)] = struct{}{}
		return false
	}
	for _, seen := range ks.keys {
		if bytes.Equal(seen, k) {
			return true
		}
	}
	if ks.keys = append(ks.keys, k); len(ks.keys) > keySetMax {
		ks.set = make(map[string]struct{}, 2*keySetMax)
		for _, seen := range ks.keys {
			ks.set[string(seen)] = struct{}{}
		}
	}
	return false
}

// keyText is a key as Unmarshal decodes it, quotes included in raw: the key
// itself unless escaped or not valid UTF-8.
func keyText(raw []byte, escaped bool) []byte {
	text := raw[1 : len(raw)-1]
	if !escaped && utf8.Valid(text) {
		return text
	}
	var k string
	json.Unmarshal(raw, &k) // checked by the scan: cannot fail
	return []byte(k)
}

// DuplicateKey finds a key that an object of a JSON text, at any depth,
// names twice. It decodes keys only, and only where they are escaped: the
// text's long strings are skipped, not copied.
func DuplicateKey(text []byte) (string, bool) {
	s := lineScan{b: text, dups: &keySets{}}
	s.skipSpace()
	s.value()
	if s.dup == nil {
		return "", false
	}
	return *s.dup, true
}

// errDuplicateKey is an object that names a key twice: which value counts
// would be a guess (encoding/json and JSON.parse keep the last).
func errDuplicateKey(key string) error {
	return strata.Errorf(strata.EINVALID, "duplicate key %q: an object names each key once", key)
}

// duplicate ends the scan at a key named twice.
func (s *lineScan) duplicate(key string) {
	s.dup, s.bad = &key, true
}

func (s *lineScan) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value scans one value starting at s.i.
func (s *lineScan) value() {
	if s.i >= len(s.b) {
		s.bad = true
		return
	}
	switch c := s.b[s.i]; {
	case c == '{':
		s.object(nil, nil)
	case c == '[':
		s.array()
	case c == '"':
		s.str()
	case c == '-' || (c >= '0' && c <= '9'):
		s.number()
	case c == 't':
		s.literal("true")
	case c == 'f':
		s.literal("false")
	case c == 'n':
		s.literal("null")
	default:
		s.bad = true
	}
}

func (s *lineScan) literal(lit string) {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		s.bad = true
		return
	}
	s.i += len(lit)
}

func (s *lineScan) digits() int {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

func (s *lineScan) number() {
	if s.b[s.i] == '-' {
		s.i++
	}
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if s.digits() == 0 {
		s.bad = true
		return
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			s.bad = true
			return
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			s.bad = true
		}
	}
}

// str scans a string starting at its opening quote, and reports whether it
// holds an escape.
func (s *lineScan) str() (escaped bool) {
	s.i++ // the opening quote
	for {
		// Eight bytes at a time while none is a quote, a backslash or a
		// control character: the bulk of a line.
		for s.i+8 <= len(s.b) {
			x := binary.LittleEndian.Uint64(s.b[s.i:])
			if special(x) != 0 {
				break
			}
			s.i += 8
		}
		if s.i >= len(s.b) {
			s.bad = true
			return
		}
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return
		case c == '\\':
			escaped = true
			s.i++
			if s.i >= len(s.b) {
				s.bad = true
				return
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				s.i++
				if len(s.b)-s.i < 4 {
					s.bad = true
					return
				}
				for _, h := range s.b[s.i : s.i+4] {
					if !isHex(h) {
						s.bad = true
						return
					}
				}
				s.i += 4
			default:
				s.bad = true
				return
			}
		case c < 0x20:
			s.bad = true
			return
		default:
			s.i++
		}
	}
}

const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special is non-zero when one of the eight bytes of x is '"', '\\' or
// below 0x20 (the bytes of a string that end the fast path). Bytes of 0x80
// and above (UTF-8) are ordinary.
func special(x uint64) uint64 {
	return (hasZero(x^(lows*'"')) | hasZero(x^(lows*'\\')) | ((x - lows*0x20) &^ x)) & highs
}

// hasZero has the high bit of each zero byte of x set (and may set it on a
// 0x01 byte above a zero byte: enough to leave the fast path).
func hasZero(x uint64) uint64 { return (x - lows) &^ x & highs }

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// open enters an array or object at its opening bracket; it reports whether
// it is empty, in which case its closing one is passed too.
func (s *lineScan) open(closer byte) (empty bool) {
	if s.depth++; s.depth > maxNesting {
		s.bad = true
		return true
	}
	s.i++
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == closer {
		s.i++
		s.depth--
		return true
	}
	return false
}

// next passes what follows an element: a comma (true: another element
// follows) or the closing bracket (false).
func (s *lineScan) next(closer byte) bool {
	s.skipSpace()
	if s.i >= len(s.b) {
		s.bad = true
		return false
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		s.skipSpace()
		return true
	case closer:
		s.i++
		s.depth--
		return false
	}
	s.bad = true
	return false
}

func (s *lineScan) array() {
	if s.open(']') {
		return
	}
	for !s.bad {
		s.value()
		if !s.next(']') {
			return
		}
	}
}

// object scans an object starting at its opening brace; when obj is not nil
// (the top level), its members are put in it.
func (s *lineScan) object(obj map[string]json.RawMessage, keys keyCache) {
	if s.open('}') {
		return
	}
	nested := -1 // the keySet of a nested object, when keys named twice are looked for
	if s.dups != nil && obj == nil {
		nested = s.dups.enter()
		defer s.dups.leave()
	}
	for !s.bad {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			s.bad = true
			return
		}
		kstart := s.i
		escaped := s.str()
		if s.bad {
			return
		}
		kend := s.i
		var key string // the top level's
		if obj != nil {
			key = keys.key(s.b[kstart:kend], escaped)
			if _, seen := obj[key]; seen && s.dups != nil {
				s.duplicate(key)
				return
			}
		} else if nested >= 0 {
			if k := keyText(s.b[kstart:kend], escaped); s.dups.open[nested].add(k) {
				s.duplicate(string(k))
				return
			}
		}
		s.skipSpace()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			s.bad = true
			return
		}
		s.i++
		s.skipSpace()
		vstart := s.i
		s.value()
		if s.bad {
			return
		}
		if obj != nil {
			if len(obj) >= maxMembers {
				s.tooMany, s.bad = true, true
				return
			}
			obj[key] = json.RawMessage(s.b[vstart:s.i:s.i])
		}
		if !s.next('}') {
			return
		}
	}
}

// key returns the text of a key, quotes included in raw, as Unmarshal
// decodes it.
func (c keyCache) key(raw []byte, escaped bool) string {
	text := raw[1 : len(raw)-1]
	if escaped || !utf8.Valid(text) {
		var k string
		json.Unmarshal(raw, &k) // checked above: cannot fail
		return k
	}
	if k, ok := c[string(text)]; ok {
		return k
	}
	k := string(text)
	if c != nil && len(c) < maxCachedKeys {
		c[k] = k
	}
	return k
}
