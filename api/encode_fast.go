package api

import "bytes"
import "encoding/json"
import "strconv"
import "time"
import "unicode/utf8"

import "github.com/strata-eval/strata/wire"

// Item lists are most of what the API sends: a dataset or a page of a
// version is a hundred items or a million. encoding/json spends most of its
// time on them in reflection and in re-checking what each MarshalJSON
// returns (two timestamps and five results per item), so the item forms
// append themselves: the same bytes marshal gives, several times faster
// (encode_fast_test.go holds them to that).

// jsonAppender is a value that appends its own JSON.
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

// marshalElement encodes an element of a streamed list.
func marshalElement(v any) ([]byte, error) {
	return appendElement(make([]byte, 0, 512), v)
}

// appendElement appends the encoding of an element of a streamed list to b:
// a stream reuses one buffer for all its elements (arrayStream.add).
func appendElement(b []byte, v any) ([]byte, error) {
	if a, ok := v.(jsonAppender); ok {
		return a.appendJSON(b), nil
	}
	m, err := marshal(v)
	return append(b, m...), err
}

func (it itemJSON) appendJSON(b []byte) []byte {
	b = appendStringKey(b, `{"id":`, it.ID)
	b = appendTimestampKey(b, `,"createdAt":`, it.CreatedAt)
	b = appendTimestampKey(b, `,"updatedAt":`, it.UpdatedAt)
	b = appendStringKey(b, `,"datasetId":`, it.DatasetID)
	b = appendContent(b, it.ItemContent)
	return appendItemEnd(b, it.EvaluatorResults, it.itemFieldsJSON)
}

func (it embeddedItemJSON) appendJSON(b []byte) []byte {
	b = appendStringKey(b, `{"id":`, it.ID)
	b = appendStringKey(b, `,"datasetId":`, it.DatasetID)
	b = appendContent(b, it.ItemContent)
	b = appendTimestampKey(b, `,"createdAt":`, it.CreatedAt)
	b = appendTimestampKey(b, `,"updatedAt":`, it.UpdatedAt)
	return appendItemEnd(b, it.EvaluatorResults, it.itemFieldsJSON)
}

func (it versionItemJSON) appendJSON(b []byte) []byte {
	b = appendStringKey(b, `{"id":`, it.ID)
	b = appendStringKey(b, `,"versionId":`, it.VersionID)
	b = appendStringKey(b, `,"datasetId":`, it.DatasetID)
	b = appendKey(b, `,"itemIndex":`)
	b = strconv.AppendInt(b, int64(it.ItemIndex), 10)
	b = appendContent(b, it.ItemContent)
	b = appendStringKey(b, `,"sourceItemId":`, it.SourceItemID)
	b = appendTimestampKey(b, `,"sourceCreatedAt":`, it.SourceCreatedAt)
	b = appendTimestampKey(b, `,"sourceUpdatedAt":`, it.SourceUpdatedAt)
	return appendItemEnd(b, it.EvaluatorResults, it.itemFieldsJSON)
}

// appendContent appends an item's content as keys of the enclosing object.
func appendContent(b []byte, c wire.ItemContent) []byte {
	b = appendStringKey(b, `,"input":`, c.Input)
	b = appendKey(b, `,"groundTruth":`)
	b = appendStringPtr(b, c.GroundTruth)
	b = appendKey(b, `,"output":`)
	return appendStringPtr(b, c.Output)
}

// appendItemEnd appends the last keys of every item form, Lunary's
// evaluator results and Strata's fields, and closes the object.
func appendItemEnd(b []byte, r wire.EvaluatorResults, f itemFieldsJSON) []byte {
	b = appendResults(b, r.EvaluatorResult1, r.EvaluatorResult2, r.EvaluatorResult3, r.EvaluatorResult4, r.EvaluatorResult5)
	b = f.appendJSON(b)
	return append(b, '}')
}

// appendJSON appends the fields as keys of the enclosing object.
func (f itemFieldsJSON) appendJSON(b []byte) []byte {
	b = appendKey(b, `,"metadata":`)
	b = appendRaw(b, f.Metadata)
	b = appendKey(b, `,"splits":[`)
	for i, s := range f.Splits {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	b = appendKey(b, `],"externalId":`)
	return appendStringPtr(b, f.ExternalID)
}

func appendKey(b []byte, key string) []byte { return append(b, key...) }

// appendStringKey appends a key (with what precedes it) and its string
// value; appendTimestampKey a key and its timestamp.
func appendStringKey(b []byte, key, s string) []byte { return appendString(appendKey(b, key), s) }

func appendTimestampKey(b []byte, key string, t timestamp) []byte {
	return appendTimestamp(appendKey(b, key), t)
}

// appendTimestamp appends t as timestamp.MarshalJSON does.
func appendTimestamp(b []byte, t timestamp) []byte {
	u := time.Time(t).UTC()
	year, month, day := u.Date()
	if year < 0 || year > 9999 {
		b = append(b, '"')
		b = u.AppendFormat(b, timestampLayout)
		return append(b, '"')
	}
	hour, min, sec := u.Clock()
	b = append(b, '"')
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, min, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	b = append(b, '.')
	b = appendDigits(b, u.Nanosecond()/int(time.Millisecond), 3)
	return append(b, 'Z', '"')
}

// appendDigits appends the n last decimal digits of v, zero-padded.
func appendDigits(b []byte, v, n int) []byte {
	var d [4]byte
	for i := n - 1; i >= 0; i-- {
		d[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, d[:n]...)
}

func appendStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

// appendResults appends the five evaluator results, as marshal does a
// json.RawMessage: null when empty, else compacted.
func appendResults(b []byte, results ...json.RawMessage) []byte {
	for i, r := range results {
		b = append(b, `,"evaluatorResult`...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, `":`...)
		b = appendRaw(b, r)
	}
	return b
}

// appendRaw appends a json.RawMessage as marshal does: null when empty,
// else compacted.
func appendRaw(b []byte, r json.RawMessage) []byte {
	if len(r) == 0 {
		return append(b, "null"...)
	}
	if compact(r) {
		return append(b, r...) // as stored: no buffer to compact it into
	}
	var buf bytes.Buffer
	if json.Compact(&buf, r) != nil {
		return append(b, "null"...) // cannot happen: the store keeps valid JSON
	}
	return append(b, buf.Bytes()...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string exactly as encoding/json writes
// it without HTML escaping: \" \\ \b \f \n \r \t, other control characters
// as \u00XX, U+2028 and U+2029 escaped, invalid UTF-8 as \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// compact reports whether r is valid JSON that json.Compact leaves as it is:
// one without a space, tab or line break (inside strings or out).
func compact(r json.RawMessage) bool {
	return bytes.IndexAny(r, " \t\r\n") < 0 && json.Valid(r)
}
