package importer

import "bufio"
import "bytes"
import "encoding/json"
import "errors"
import "io"
import "slices"
import "unicode/utf8"

import "github.com/strata-eval/strata"

// Keys Lunary reads, in the order of its `a ?? b ?? c` chains.
var (
	groundTruthKeys = []string{"ground_truth", "groundTruth", "expected_output"}
	outputKeys      = []string{"output", "model_output", "prediction", "generated_output"}
)

// Lunary's messages, kept word for word for a file in Lunary's import body
// (Config.Lunary): clients may match on them.
var (
	errBadJSONLine = strata.Errorf(strata.EINVALID, "Invalid JSONL: could not parse one of the lines")
	errNoInputKey  = strata.Errorf(strata.EINVALID, "Each JSONL line must contain at least an 'input' field")
)

// The two failures of a line that have Lunary's messages, as parseLine
// returns them, before the caller says where they are (jsonlSource.locate).
var (
	errNotJSON = strata.Errorf(strata.EINVALID, "not JSON")
	errNoInput = strata.Errorf(strata.EINVALID, "no input")
)

type jsonlSource struct {
	sc   *bufio.Scanner
	max  int
	line int   // number of the line last read, for messages
	err  error // sticky: once failed, every Next returns it

	// lunary reads as Lunary does (Config.Lunary); otherwise dups finds a
	// key named twice.
	lunary bool
	dups   *keySets

	// Each line's keys are resolved to fields (mapping.go); lines with the
	// keys of the line before reuse its plan.
	mapping  Mapping
	plan     *plan
	keys     []string
	reporter reporter
	// obj holds the members of the line last read, slices of the
	// scanner's buffer: valid until the next Scan.
	obj      map[string]json.RawMessage
	keyCache keyCache
}

// NewJSONL returns a strata.ItemSource reading JSON Lines from r: one JSON
// object per line, blank lines skipped.
func (c Config) NewJSONL(r io.Reader) strata.ItemSource { return c.openJSONL(r) }

func (c Config) openJSONL(r io.Reader) *jsonlSource {
	s := c.lineParser()
	s.sc = bufio.NewScanner(r)
	// The buffer grows as long lines need it, up to the limit; a line that
	// does not fit fails with bufio.ErrTooLong.
	s.sc.Buffer(make([]byte, 0, min(64<<10, s.max)), s.max)
	return s
}

// lineParser is a jsonlSource without its reader: what parses a line.
func (c Config) lineParser() *jsonlSource {
	s := &jsonlSource{max: c.maxRecordBytes(), mapping: c.Mapping, lunary: c.Lunary}
	s.reporter.byRecord = true
	if !c.Lunary {
		s.dups = &keySets{}
	}
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
		in, err := s.parseLine(line)
		if err != nil {
			s.err = s.locate(err, line)
			return strata.ItemInput{}, s.err
		}
		return in, nil
	}
	switch err := s.sc.Err(); {
	case err == bufio.ErrTooLong:
		s.line++ // the line that did not fit
		s.err = strata.Errorf(strata.ETOOLARGE, "JSONL line %d is larger than the limit of %d bytes", s.line, s.max)
	case err != nil:
		s.err = err // the body failed: pass it on for the caller to recognise
	default:
		s.err = io.EOF
	}
	return strata.ItemInput{}, s.err
}

// locate says on which line an error of parseLine is: Lunary's two
// messages name none, for a file in Lunary's import body.
func (s *jsonlSource) locate(err error, line []byte) error {
	if t := bytes.TrimSpace(line); !s.lunary && (err == errNotJSON || err == errNoInput) && len(t) > 0 && t[0] == '[' {
		// A JSON array sent as JSON Lines, whole or pretty-printed.
		return strata.Errorf(strata.EINVALID, "JSONL line %d is a JSON array: JSON Lines hold one object per line (jq -c '.[]' turns an array into them)", s.line)
	}
	switch {
	case err == errNotJSON && s.lunary:
		return errBadJSONLine
	case err == errNotJSON:
		var v any
		jerr := json.Unmarshal(line, &v) // only to say what is wrong: the scan found it
		if jerr == nil {
			jerr = errors.New("not one JSON value")
		}
		return strata.Errorf(strata.EINVALID, "Invalid JSONL: line %d: %v", s.line, jerr)
	case err == errNoInput && s.lunary:
		return errNoInputKey
	case err == errNoInput:
		return strata.Errorf(strata.EINVALID, "JSONL line %d: each line must be a JSON object with at least an 'input' field", s.line)
	}
	return strata.Errorf(strata.ErrorCode(err), "JSONL line %d: %s", s.line, strata.ErrorMessage(err))
}

// errTooManyMembers is a line whose object has more than maxMembers keys.
var errTooManyMembers = strata.Errorf(strata.ETOOLARGE, "an object of more than %d keys", maxMembers)

// parseLine reads one line (or a JSON array's element) as an item. Its
// errors say what is wrong but not where: the caller adds that.
func (s *jsonlSource) parseLine(line []byte) (strata.ItemInput, error) {
	// "Not JSON" and "JSON but not an object with an input" give Lunary's
	// two different messages; one pass over the line tells them apart and
	// splits an object into its members (jsonscan.go).
	if s.obj == nil {
		s.obj, s.keyCache = map[string]json.RawMessage{}, keyCache{}
	}
	obj := s.obj
	switch shape := splitObject(line, obj, s.keyCache, s.dups); {
	case shape.dup != nil:
		return strata.ItemInput{}, errDuplicateKey(*shape.dup)
	case shape.tooMany:
		return strata.ItemInput{}, errTooManyMembers
	case !shape.valid:
		return strata.ItemInput{}, errNotJSON
	case !shape.object:
		return strata.ItemInput{}, errNoInput
	}
	p, err := s.planFor(obj)
	if err != nil {
		return strata.ItemInput{}, err
	}

	var in strata.ItemInput
	input := firstRaw(obj, p.keys[fInput])
	if input == nil && p.explicit[fInput] {
		return strata.ItemInput{}, strata.Errorf(strata.EINVALID, "column %q (map.input) is null", *s.mapping.Input)
	} else if input == nil {
		return strata.ItemInput{}, errNoInput
	}
	switch {
	case input[0] == '"':
		in.Input, _ = jsonString(input)
	case s.mapping.InputFrom == InputFromLastUserMessage:
		v, ok := lastUserMessage(input)
		if !ok {
			return strata.ItemInput{}, errNoUserMessage
		}
		in.Input = v
	default:
		in.Input = stringify(input) // an object or array as its JSON text
	}
	s.reporter.read(p, obj)
	exact := s.mapping.IsZero() && isExactLine(obj)
	in.GroundTruth = firstValue(obj, p.keys[fGroundTruth], exact)
	in.Output = firstValue(obj, p.keys[fOutput], exact)
	kept, err := readFieldKeys(&in, obj, p.mappedFields, s.lunary)
	if err == nil && len(kept) > 0 {
		values := make([]json.RawMessage, len(kept))
		for i, key := range kept {
			values[i] = obj[key]
		}
		err = s.reporter.keep(&in, kept, values)
	}
	if err == nil {
		err = p.readMapped(&in, func(i int) json.RawMessage {
			if raw := obj[p.cols.names[i]]; raw != nil && string(raw) != "null" {
				return raw
			}
			return nil
		})
	}
	if err == nil {
		err = withUnmapped(&in, s.Unmapped())
	}
	if err == nil {
		err = strata.NormalizeInput(&in)
	}
	if err != nil {
		return strata.ItemInput{}, err
	}
	return in, nil
}

// planFor resolves the keys of a line, reusing the plan of the line before
// when the keys are the same.
func (s *jsonlSource) planFor(obj map[string]json.RawMessage) (*plan, error) {
	keys := sortedKeys(obj, s.keys)
	if s.plan != nil && slices.Equal(keys, s.plan.cols.names) {
		s.keys = keys
		return s.plan, nil
	}
	names := slices.Clone(keys)
	s.keys = keys
	p, err := s.mapping.resolve(newColumns(names, false))
	if err != nil {
		s.reporter.columns(names)
		return nil, err
	}
	s.plan = p
	s.reporter.add(p)
	return p, nil
}

// Line is the number of the line last read.
func (s *jsonlSource) Line() int { return s.line }

// Report says how the keys of the lines read so far were mapped.
func (s *jsonlSource) Report() Report { return s.reporter.report(s.mapping.InputFrom) }

// Unmapped returns the values of the last line's unmapped keys, but for a
// key passed over for a field (mapping.go) whose value the field fell
// through to, as Lunary's ?? does when the keys before it are null: that
// value is the field's.
func (s *jsonlSource) Unmapped() map[string]json.RawMessage {
	if s.plan == nil || len(s.plan.unmapped) == 0 {
		return nil
	}
	var out map[string]json.RawMessage
	for _, i := range s.plan.unmapped {
		if s.plan.fellThrough(i, s.obj) {
			continue
		}
		if out == nil {
			out = make(map[string]json.RawMessage, len(s.plan.unmapped))
		}
		k := s.plan.cols.names[i]
		out[k] = s.obj[k]
	}
	return out
}

// firstRaw is Lunary's `obj[k1] ?? obj[k2] ?? ...`: the first value that is
// present and not null, or nil.
func firstRaw(obj map[string]json.RawMessage, keys []string) json.RawMessage {
	_, raw := firstKey(obj, keys)
	return raw
}

// firstKey is firstRaw with the key it was found under ("" when none).
func firstKey(obj map[string]json.RawMessage, keys []string) (string, json.RawMessage) {
	for _, k := range keys {
		if raw, ok := obj[k]; ok && string(raw) != "null" {
			return k, raw
		}
	}
	return "", nil
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
