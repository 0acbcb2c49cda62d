package importer

import "encoding/json"
import "errors"
import "io"

import "github.com/strata-eval/strata"

// jsonArraySource reads a JSON array of item objects, one element at a time,
// each read as a JSONL line is, by Strata's rules: an array is no form of
// Lunary's.
type jsonArraySource struct {
	dec   *json.Decoder
	max   int
	n     int   // elements read, for messages
	err   error // sticky
	begun bool
	// elements are read as JSON lines are, by the same rules and mapping.
	elements *jsonlSource
}

// NewJSONArray returns a strata.ItemSource reading a JSON array of objects
// from r, streamed: [{"input": ...}, ...].
func (c Config) NewJSONArray(r io.Reader) strata.ItemSource { return c.openJSONArray(r) }

func (c Config) openJSONArray(r io.Reader) *jsonArraySource {
	c.Lunary = false
	return &jsonArraySource{dec: json.NewDecoder(r), max: c.maxRecordBytes(), elements: c.lineParser()}
}

// Line is the number of the element last read (an array's elements are its
// records, whatever lines they take).
func (s *jsonArraySource) Line() int { return max(s.n, 1) }

// Report says how the keys of the elements read so far were mapped.
func (s *jsonArraySource) Report() Report { return s.elements.Report() }

// Unmapped returns the values of the last element's unmapped keys.
func (s *jsonArraySource) Unmapped() map[string]json.RawMessage { return s.elements.Unmapped() }

var errNotJSONArray = strata.Errorf(strata.EINVALID, "Invalid JSON: expected an array of item objects")

func (s *jsonArraySource) Next() (strata.ItemInput, error) {
	if s.err != nil {
		return strata.ItemInput{}, s.err
	}
	in, err := s.next()
	if err != nil {
		s.err = err
	}
	return in, err
}

func (s *jsonArraySource) next() (strata.ItemInput, error) {
	if !s.begun {
		s.begun = true
		if t, err := s.dec.Token(); err != nil || t != json.Delim('[') {
			return strata.ItemInput{}, s.fail(err, errNotJSONArray)
		}
	}
	if !s.dec.More() {
		if t, err := s.dec.Token(); err != nil || t != json.Delim(']') {
			return strata.ItemInput{}, s.fail(err, errNotJSONArray)
		}
		if _, err := s.dec.Token(); err != io.EOF {
			return strata.ItemInput{}, s.fail(nil, strata.Errorf(strata.EINVALID, "Invalid JSON: data after the array"))
		}
		return strata.ItemInput{}, io.EOF
	}
	s.n++
	var raw json.RawMessage
	if err := s.dec.Decode(&raw); err != nil {
		return strata.ItemInput{}, s.fail(err, strata.Errorf(strata.EINVALID, "Invalid JSON: element %d could not be parsed", s.n))
	}
	if len(raw) > s.max {
		return strata.ItemInput{}, strata.Errorf(strata.ETOOLARGE, "element %d is larger than the limit of %d bytes", s.n, s.max)
	}
	in, err := s.elements.parseLine(raw)
	if err == errNoInput {
		return in, strata.Errorf(strata.EINVALID, "element %d: each item must be an object with at least an 'input' string", s.n)
	} else if err != nil {
		return in, strata.Errorf(strata.ErrorCode(err), "element %d: %s", s.n, strata.ErrorMessage(err))
	}
	return in, nil
}

// fail returns the body's own error when reading it failed (too large, too
// slow), else the parse error.
func (s *jsonArraySource) fail(err, parse error) error {
	var serr *json.SyntaxError
	if err == nil || err == io.EOF || errors.As(err, &serr) || errors.Is(err, io.ErrUnexpectedEOF) {
		return parse
	}
	return err
}
