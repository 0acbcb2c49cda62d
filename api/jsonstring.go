package api

import "bytes"
import "encoding/json"
import "io"
import "unicode/utf16"
import "unicode/utf8"

// A JSON string read as a stream.
//
// Lunary's import body {format, content} carries a whole file in one JSON
// string. Decoded as a Go string it would be a second copy of the body (a
// third while encoding/json unquotes it); read through jsonStringReader it
// is decoded as the import reads it, from the body itself.

// jsonStringReader reads the value of a JSON string from its encoding, as
// encoding/json decodes it: an invalid surrogate escape becomes U+FFFD.
type jsonStringReader struct {
	s       []byte // the encoding, without its quotes
	pending []byte // the rest of a character that did not fit in a read
	buf     [utf8.UTFMax]byte
}

// newJSONStringReader reads raw, a valid JSON string of valid UTF-8 (a
// request body is checked for it before it is parsed).
func newJSONStringReader(raw json.RawMessage) *jsonStringReader {
	return &jsonStringReader{s: raw[1 : len(raw)-1]}
}

func (r *jsonStringReader) Read(p []byte) (int, error) {
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	for n < len(p) && len(r.s) > 0 {
		if r.s[0] != '\\' {
			run := bytes.IndexByte(r.s, '\\')
			if run < 0 {
				run = len(r.s)
			}
			k := copy(p[n:], r.s[:run])
			n, r.s = n+k, r.s[k:]
			continue
		}
		c := r.escape()
		k := copy(p[n:], c)
		n, r.pending = n+k, c[k:]
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// escape decodes the escape that starts r.s and returns its UTF-8 bytes.
func (r *jsonStringReader) escape() []byte {
	c := r.s[1]
	r.s = r.s[2:]
	switch c {
	case 'b':
		c = '\b'
	case 'f':
		c = '\f'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	}
	if c != 'u' { // '"', '\\' and '/' stand for themselves
		r.buf[0] = c
		return r.buf[:1]
	}
	rr := hex4(r.s)
	r.s = r.s[4:]
	if utf16.IsSurrogate(rr) {
		rr1 := rune(-1)
		if len(r.s) >= 6 && r.s[0] == '\\' && r.s[1] == 'u' {
			rr1 = hex4(r.s[2:])
		}
		if dec := utf16.DecodeRune(rr, rr1); dec != utf8.RuneError {
			r.s = r.s[6:]
			rr = dec
		} else {
			rr = utf8.RuneError
		}
	}
	return utf8.AppendRune(r.buf[:0], rr)
}

// hex4 is the value of the four hexadecimal digits that start b.
func hex4(b []byte) rune {
	var v rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		v = v<<4 | rune(c)
	}
	return v
}
