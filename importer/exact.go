package importer

import "encoding/json"
import "io"
import "slices"

import "github.com/strata-eval/strata"

// Strata's export dialect.
//
// What Strata exports (GET .../versions/{ref}/export) imports back to the
// same content, which Lunary's rules alone cannot do: they trim every value
// and turn an empty ground truth or output into null. So an export marks
// itself, and the importer then reads it exactly:
//
//   - CSV: the header is exactly ExactCSVHeader (or input,groundTruth,output,
//     as exports were before items had Strata's fields). Every value is
//     quoted and kept as is (spaces, CR and LF included); an unquoted empty
//     ground truth or output is null, a quoted one "" is the empty string.
//   - JSONL: every line has the key groundTruth (null or a string) and no
//     other key Lunary reads a ground truth or output from; on such a line
//     an empty string stays one.
//
// Any other file is read by Lunary's rules, as before.

// ExactCSVHeader is the header of an exported CSV file. Strata's item
// fields follow Lunary's: metadata as JSON text, splits comma-separated.
var ExactCSVHeader = []string{"id", "input", "groundTruth", "output", "externalId", "metadata", "splits"}

// lunaryExactCSVHeader is the header of exports made before items had
// Strata's fields; they import as they did.
var lunaryExactCSVHeader = []string{"input", "groundTruth", "output"}

func isExactHeader(h []string) bool {
	return slices.Equal(h, ExactCSVHeader) || slices.Equal(h, lunaryExactCSVHeader)
}

// isExactLine reports whether a JSONL object is in the export dialect.
func isExactLine(obj map[string]json.RawMessage) bool {
	if _, ok := obj["groundTruth"]; !ok {
		return false
	}
	for _, keys := range [][]string{groundTruthKeys, outputKeys} {
		for _, k := range keys {
			if _, ok := obj[k]; ok && k != "groundTruth" && k != "output" {
				return false
			}
		}
	}
	return true
}

// exactField is one CSV field and whether it was quoted.
type exactField struct {
	value  string
	quoted bool
}

// nextExact returns the next record of an exported CSV file as an item.
func (s *csvSource) nextExact() (strata.ItemInput, error) {
	if s.err != nil {
		return strata.ItemInput{}, s.err
	}
	record, err := s.readExact()
	if err != nil {
		s.err = err
		return strata.ItemInput{}, err
	}
	in, err := s.exactItem(record)
	if err != nil {
		s.err = s.locate(err)
		return strata.ItemInput{}, s.err
	}
	return in, nil
}

// exactItem reads a record of an exported file.
func (s *csvSource) exactItem(record []exactField) (strata.ItemInput, error) {
	cell := func(i int) *string {
		if i >= len(record) || (!record[i].quoted && record[i].value == "") {
			return nil
		}
		return &record[i].value
	}
	if err := checkBeyondHeader(len(record), s.exactColumns, func(i int) bool { return cell(i) != nil }); err != nil {
		return strata.ItemInput{}, err
	}
	if s.exactColumns == len(lunaryExactCSVHeader) {
		in := strata.ItemInput{GroundTruth: cell(1), Output: cell(2)}
		if p := cell(0); p != nil {
			in.Input = *p
		}
		return in, nil
	}
	in := strata.ItemInput{GroundTruth: cell(2), Output: cell(3), ExternalID: cell(4)}
	if p := cell(1); p != nil {
		in.Input = *p
	}
	err := readFieldCells(&in, cell(5), cell(6))
	if p := cell(0); p != nil && err == nil {
		if keptID(*p) {
			raw, _ := json.Marshal(*p)
			err = s.reporter.keep(&in, []string{"id"}, []json.RawMessage{raw})
		} else {
			in.ID = *p
		}
	}
	if err == nil {
		err = strata.NormalizeInput(&in)
	}
	return in, err
}

// readExact reads one RFC 4180 record, skipping blank lines, and reports
// which fields were quoted, which the csv package does not tell. Quoted
// fields keep CRLF as written.
func (s *csvSource) readExact() ([]exactField, error) {
	for {
		start := s.consumed()
		s.limiter.start = start
		s.lastLine++
		line := s.lastLine
		s.line = line
		var (
			record []exactField
			value  []byte
		)
		tooLarge := func() error {
			return strata.Errorf(strata.ETOOLARGE, "CSV record on line %d is larger than the limit of %d bytes", line, s.max)
		}
		readByte := func() (byte, error) {
			b, err := s.buf.ReadByte()
			if err != nil {
				if s.limiter.exceeded {
					return 0, tooLarge()
				}
				return 0, err
			}
			if s.consumed()-start > int64(s.max) {
				return 0, tooLarge()
			}
			return b, nil
		}
		for {
			b, err := readByte()
			if err == io.EOF && len(record) == 0 {
				return nil, io.EOF
			} else if err == io.EOF {
				return append(record, exactField{}), nil
			} else if err != nil {
				return nil, err
			}
			value = value[:0]
			if b != '"' {
				// Unquoted: up to the next comma or line end.
				for b != ',' && b != '\n' {
					value = append(value, b)
					if b, err = readByte(); err == io.EOF {
						b = '\n'
					} else if err != nil {
						return nil, err
					}
				}
				if b == '\n' && len(value) > 0 && value[len(value)-1] == '\r' {
					value = value[:len(value)-1]
				}
				record = append(record, exactField{value: string(value)})
				if b == '\n' {
					if len(record) == 1 && record[0].value == "" {
						break // a blank line
					}
					return record, nil
				}
				continue
			}
			// Quoted: up to a quote not doubled.
			for {
				if b, err = readByte(); err == io.EOF {
					return nil, strata.Errorf(strata.EINVALID, "Invalid CSV: line %d: extraneous or missing \" in quoted-field", line)
				} else if err != nil {
					return nil, err
				}
				if b == '"' {
					if b, err = readByte(); err == io.EOF {
						return append(record, exactField{value: string(value), quoted: true}), nil
					} else if err != nil {
						return nil, err
					}
					if b != '"' {
						break
					}
				} else if b == '\n' {
					s.lastLine++
				}
				value = append(value, b)
			}
			record = append(record, exactField{value: string(value), quoted: true})
			if b == '\r' {
				if b, err = readByte(); err == io.EOF {
					return record, nil
				} else if err != nil {
					return nil, err
				}
			}
			switch b {
			case ',':
				continue
			case '\n':
				return record, nil
			}
			return nil, strata.Errorf(strata.EINVALID, "Invalid CSV: line %d: extraneous or missing \" in quoted-field", s.lastLine)
		}
	}
}
