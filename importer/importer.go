// Package importer owns the file formats of datasets: it turns an uploaded
// CSV or JSON Lines stream into strata.ItemInput values, one record at a
// time, so an import of millions of items never holds the file in memory; and
// it writes exports in a dialect of the same formats that it reads back
// exactly (exact.go, export.go).
//
// The rules follow Lunary's parseCsv and parseJsonl (header names, key
// fallbacks, trimming, "" -> null) with deliberate improvements: CSV is read
// as RFC 4180, so quoted fields may hold newlines; JSONL objects and arrays
// become their JSON text instead of "[object Object]"; and nothing in a file
// is dropped silently (mapping.go): a column no field reads is kept in the
// item's metadata, a cell beyond the header is refused. A file is read by
// Strata's rules unless Config.Lunary says it came in Lunary's import body.
package importer

import "io"
import "strings"
import "unicode"

import "github.com/strata-eval/strata"

// MaxRecordBytesFor is the record limit (Config.MaxRecordBytes) of a server
// whose input, ground truth and output hold at most maxFieldBytes each: the
// size of the longest record Strata can export of an item it accepted, so
// that every export imports again. The longest is a JSONL line of three
// fields of control characters, each escaped in six bytes (\u0001); then the
// metadata, at most strata.MaxMetadataBytes in its canonical JSON and twice
// that in a CSV cell, whose quotes are doubled; then the id, external id,
// splits and keys, well within recordSlack.
func MaxRecordBytesFor(maxFieldBytes int) int {
	return 3*maxEscapedBytes*maxFieldBytes + 2*strata.MaxMetadataBytes + recordSlack
}

const (
	// maxEscapedBytes is the most bytes JSON takes for one byte of text.
	maxEscapedBytes = 6
	recordSlack     = 64 << 10
)

// DefaultMaxRecordBytes is the limit used when Config.MaxRecordBytes is 0:
// MaxRecordBytesFor the server's default field limit of 1 MiB, 18.2 MiB.
// Beyond fitting every export, it keeps a file with no newlines (or an
// unterminated quote) from exhausting memory.
var DefaultMaxRecordBytes = MaxRecordBytesFor(1 << 20)

// Config tunes the parsers. The zero Config reads by Strata's rules with
// the defaults.
type Config struct {
	// MaxRecordBytes bounds one CSV record or one JSONL line, counting its
	// line ending (and, for CSV, any blank lines just before it). A longer one
	// fails the import with strata.ETOOLARGE.
	MaxRecordBytes int
	// Mapping chooses columns for fields (mapping.go); the zero Mapping
	// detects them.
	Mapping Mapping
	// Lunary reads a file sent in Lunary's import body {"format",
	// "content"} as Lunary does where Strata's rules would refuse it or say
	// more: a JSON line that names a key twice keeps the last value (as
	// JSON.parse does), and a line that is not JSON, or has no input, fails
	// with Lunary's message word for word, which names no line. Strata's own
	// imports and syncs refuse the key named twice, at any depth, and name
	// the line of every error.
	Lunary bool
}

func (c Config) maxRecordBytes() int {
	if c.MaxRecordBytes <= 0 {
		return DefaultMaxRecordBytes
	}
	return c.MaxRecordBytes
}

// New picks the parser by format, "csv" or "jsonl", as named in Lunary's
// import body.
func (c Config) New(format string, r io.Reader) (strata.ItemSource, error) {
	src, err := c.Open(format, r)
	if err != nil {
		return nil, err
	}
	return src, nil
}

// New picks the parser by format, "csv" or "jsonl", with the default Config.
func New(format string, r io.Reader) (strata.ItemSource, error) { return Config{}.New(format, r) }

// NewCSV returns a strata.ItemSource reading CSV from r, with the default
// Config. It reads the header row at once, so a file without an 'input'
// column fails here rather than on the first Next.
func NewCSV(r io.Reader) (strata.ItemSource, error) { return Config{}.NewCSV(r) }

// NewJSONL returns a strata.ItemSource reading JSON Lines from r, with the
// default Config.
func NewJSONL(r io.Reader) strata.ItemSource { return Config{}.NewJSONL(r) }

// trim removes what JavaScript's String.prototype.trim removes, so values
// match what Lunary stores.
func trim(s string) string { return strings.TrimFunc(s, isJSSpace) }

// isJSSpace differs from unicode.IsSpace in two runes: JS counts U+FEFF (a
// byte-order mark) as space, and not U+0085 (NEL).
func isJSSpace(r rune) bool { return r == '\uFEFF' || (r != '\u0085' && unicode.IsSpace(r)) }

// nilIfEmpty maps "" to nil: Lunary stores an empty ground truth or output
// as NULL.
func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
