package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"unicode/utf8"

	"github.com/strata-eval/strata"
)

// Keys Lunary reads, in the order of its `a ?? b ?? c` chains.
var (
	groundTruthKeys = []string{"ground_truth", "groundTruth", "expected_output"}
	outputKeys      = []string{"output", "model_output", "prediction", "generated_output"}
)

// Lunary's messages, kept word for word: clients may match on them.
var (
	errBadJSONLine = strata.Errorf(strata.EINVALID, "Invalid JSONL: could not parse one of the lines")
	errNoInputKey  = strata.Errorf(strata.EINVALID, "Each JSONL line must contain at least an 'input' field")
)

type jsonlSource struct {
	sc   *bufio.Scanner
	max  int
	line int   // number of the line last read, for messages
	err  error // sticky: once failed, every Next returns it
}

// NewJSONL returns a strata.ItemSource reading JSON Lines from r: one JSON
// object per line, blank lines skipped.
func (c Config) NewJSONL(r io.Reader) strata.ItemSource {
	s := &jsonlSource{sc: bufio.NewScanner(r), max: c.maxRecordBytes()}
	// The buffer grows as long lines need it, up to the limit; a line that
	// does not fit fails with bufio.ErrTooLong.
	s.sc.Buffer(make([]byte, 0, min(64<<10, s.max)), s.max)
	return s
}

// Next returns the next line as an item, or io.EOF after the last one.
func (s *jsonlSource) Next() (strata.ItemInput, error) {
	if s.err != nil {
		return strata.ItemInput{}, s.err
	}
	for s.sc.Scan() {
		s.line++
		// Lunary trims each line, which also strips a BOM.
		line := bytes.TrimFunc(s.sc.Bytes(), isJSSpace)
		if len(line) == 0 {
			continue
		}
		in, err := parseJSONLine(line)
		if err != nil {
			if err != errBadJSONLine && err != errNoInputKey {
				err = strata.Errorf(strata.ErrorCode(err), "JSONL line %d: %s", s.line, strata.ErrorMessage(err))
			}
			s.err = err
			return strata.ItemInput{}, err
		}
		return in, nil
	}
	switch err := s.sc.Err(); {
	case err == bufio.ErrTooLong:
		s.err = strata.Errorf(strata.ETOOLARGE, "JSONL line %d is larger than the limit of %d bytes", s.line+1, s.max)
	case err != nil:
		s.err = err // the body failed: pass it on for the caller to recognise
	default:
		s.err = io.EOF
	}
	return strata.ItemInput{}, s.err
}

func parseJSONLine(line []byte) (strata.ItemInput, error) {
	// "Not JSON" and "JSON but not an object with an input" give Lunary's
	// two different messages. Unmarshal checks the whole line before it
	// decodes any of it, so Valid is only asked when it fails.
	var obj map[string]json.RawMessage
	if line[0] != '{' || json.Unmarshal(line, &obj) != nil {
		if !json.Valid(line) {
			return strata.ItemInput{}, errBadJSONLine
		}
		return strata.ItemInput{}, errNoInputKey
	}
	var in strata.ItemInput
	raw, ok := obj["input"]
	if ok && raw[0] == '"' {
		in.Input, ok = jsonString(raw)
	}
	if !ok || raw[0] != '"' {
		return strata.ItemInput{}, errNoInputKey
	}
	exact := isExactLine(obj)
	in.GroundTruth = firstValue(obj, groundTruthKeys, exact)
	in.Output = firstValue(obj, outputKeys, exact)
	if err := readFieldKeys(&in, obj); err != nil {
		return strata.ItemInput{}, err
	}
	return in, nil
}

// firstValue is Lunary's `obj[k1] ?? obj[k2] ?? ...` followed by String(v)
// and "" -> null (unless keepEmpty): a missing or null key falls through, ""
// does not.
func firstValue(obj map[string]json.RawMessage, keys []string, keepEmpty bool) *string {
	for _, k := range keys {
		raw, ok := obj[k]
		if !ok || string(raw) == "null" {
			continue
		}
		v := stringify(raw)
		if keepEmpty {
			return &v
		}
		return nilIfEmpty(v)
	}
	return nil
}

// stringify renders a JSON value as text: strings as themselves, numbers and
// booleans as written (what JS String() gives for them, without float
// rounding), objects and arrays as compact JSON rather than Lunary's
// "[object Object]", which loses the data.
func stringify(raw json.RawMessage) string {
	if raw[0] == '"' {
		if s, ok := jsonString(raw); ok {
			return s
		}
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return string(raw) // cannot happen: the line was valid JSON
	}
	return buf.String()
}

// jsonString decodes a JSON string of a line already checked as JSON. The
// common string, without escapes and valid UTF-8, is its own bytes; any other
// is left to Unmarshal (which also replaces invalid UTF-8, as before).
func jsonString(raw json.RawMessage) (string, bool) {
	if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}
