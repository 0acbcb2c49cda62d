package rules

import "unicode/utf8"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"

// The checks of a JSON text a client sends, the API as a request body and
// the pages as a form's JSON field (an item's metadata), with the same
// answers: a text that decoding would change silently is refused, not
// stored changed.

// CheckJSONChars refuses a JSON text that is not valid UTF-8 (ErrNotUTF8)
// or whose \u escapes name half of a UTF-16 pair alone: JSON takes it, but
// it is no character, and decoding would turn either into U+FFFD (two
// different names becoming one).
func CheckJSONChars(data []byte) error {
	if !utf8.Valid(data) {
		return ErrNotUTF8
	}
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' || i+1 >= len(data) {
			continue
		}
		i++ // the escaped byte: \\ is no escape of what follows
		if data[i] != 'u' {
			continue
		}
		r, ok := hexRune(data, i+1)
		switch {
		case !ok || r < 0xD800 || r > 0xDFFF:
			continue
		case r <= 0xDBFF:
			if low, ok := hexRune(data, i+7); ok && i+6 < len(data) && data[i+5] == '\\' && data[i+6] == 'u' && low >= 0xDC00 && low <= 0xDFFF {
				i += 10 // the pair
				continue
			}
		}
		return strata.Errorf(strata.EINVALID, "Invalid JSON body: \\u%04x is half of a UTF-16 surrogate pair, not a character", r)
	}
	return nil
}

// hexRune reads the four hex digits of a \u escape at data[i:].
func hexRune(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// CheckDuplicateKeys refuses a valid JSON text in which an object, at any
// depth, names a key twice: which one counts differs between parsers (Go's
// and JavaScript's keep the last), so its meaning would be a guess.
func CheckDuplicateKeys(data []byte) error {
	if key, dup := importer.DuplicateKey(data); dup {
		return strata.Errorf(strata.EINVALID, "Invalid JSON body: duplicate key %q", key)
	}
	return nil
}
