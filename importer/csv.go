package importer

import "bufio"
import "encoding/csv"
import "encoding/json"
import "errors"
import "io"
import "strings"

import "github.com/strata-eval/strata"

// Header names are resolved to fields by mapping.go: Lunary's names (the
// lower-cased forms of its JSON keys) first, whatever the column order, then
// aliases.

// readBufSize is the size of the buffer under the CSV reader. The record
// limit is checked whenever it is refilled, so memory stays within about
// MaxRecordBytes plus this.
const readBufSize = 64 << 10

var errRecordTooLarge = errors.New("csv record too large")

type csvSource struct {
	cr      *csv.Reader
	buf     *bufio.Reader
	limiter *recordLimiter
	max     int

	// Column indexes; groundTruth and output are -1 when absent.
	input, groundTruth, output int

	plan      *plan // how the header maps to fields (mapping.go)
	columns   int   // the number of columns of the header
	inputFrom string
	reporter  reporter
	record    []string // the record last returned by Next
	line      int      // the line on which it begins

	// lastLine is the line on which the previous record ended, so an
	// oversized record can be located when the csv package could not finish
	// reading it.
	lastLine int
	err      error // sticky: once failed, every Next returns it

	lunary       bool // a file in Lunary's import body (Config.Lunary)
	exact        bool // Strata's export dialect (exact.go)
	exactColumns int  // the number of columns of its header

	// Columns of Strata's item fields, -1 when absent (itemfields.go).
	fields fieldColumns
}

// NewCSV returns a strata.ItemSource reading CSV from r. It reads the header
// row at once, so a file without an 'input' column fails here rather than on
// the first Next.
func (c Config) NewCSV(r io.Reader) (strata.ItemSource, error) {
	src, err := c.openCSV(r)
	if err != nil {
		return nil, err
	}
	return src, nil
}

// openCSV reads the header. On an error it returns the source all the same,
// to say on which line the header failed.
func (c Config) openCSV(r io.Reader) (*csvSource, error) {
	s := &csvSource{max: c.maxRecordBytes(), inputFrom: c.Mapping.InputFrom, lunary: c.Lunary}
	s.limiter = &recordLimiter{r: r, limit: int64(s.max) + readBufSize}
	// csv.NewReader uses a *bufio.Reader as is, so we can see how much of the
	// input it has consumed (for the record limit) and peek at the BOM.
	s.buf = bufio.NewReaderSize(s.limiter, readBufSize)
	// Spreadsheet programs write a BOM; left in, it would become part of the
	// first header name, or make a quoted first header a "bare quote" error.
	bom, err := s.buf.Peek(3)
	if string(bom) == "\uFEFF" {
		s.buf.Discard(3)
	} else if err != nil && err != io.EOF {
		return s, err // the body failed; bufio would not report it again
	}

	s.cr = csv.NewReader(s.buf)
	s.cr.FieldsPerRecord = -1 // ragged rows are fine: missing cells are empty
	s.cr.ReuseRecord = true
	// Lunary trims every value, so space before an opening quote carries no
	// meaning; ignoring it accepts `a, "b, c"` as written by hand.
	s.cr.TrimLeadingSpace = true

	header, err := s.read()
	if err == io.EOF {
		return s, errNoInputColumn
	} else if err != nil {
		return s, err
	}
	// An explicit mapping reads even an export by the common rules.
	if s.exact = isExactHeader(header) && c.Mapping.IsZero(); s.exact {
		s.exactColumns = len(header)
	}
	names := make([]string, len(header))
	for i, name := range header {
		names[i] = trim(name)
	}
	s.columns = len(names)
	cols := newColumns(names, true)
	s.plan, err = c.Mapping.resolve(cols)
	if err != nil {
		s.reporter.columns(cols.keys)
		return s, strata.Errorf(strata.EINVALID, "CSV line %d: %s", s.line, strata.ErrorMessage(err))
	}
	s.reporter.add(s.plan)
	first := func(f int) int {
		if len(s.plan.fields[f]) == 0 {
			return -1
		}
		return s.plan.fields[f][0] // a CSV column is chosen by name, even when its cell is empty
	}
	if s.input = first(fInput); s.input < 0 {
		return s, errNoInputColumn
	}
	s.groundTruth, s.output = first(fGroundTruth), first(fOutput)
	lower := make(map[string]int, len(names))
	for i, name := range names {
		if _, dup := lower[strings.ToLower(name)]; !dup { // the first column of a name wins
			lower[strings.ToLower(name)] = i
		}
	}
	s.fields = fieldColumnsOf(lower)
	s.fields.without(s.plan.mappedFields)
	return s, nil
}

var errNoInputColumn = strata.Errorf(strata.EINVALID, "CSV import requires a header row with at least an 'input' column")

// Line is the line on which the last record read begins.
func (s *csvSource) Line() int { return s.line }

// Report says how the header was mapped.
func (s *csvSource) Report() Report { return s.reporter.report(s.inputFrom) }

// Unmapped returns the cells of the last record under unmapped columns.
func (s *csvSource) Unmapped() map[string]json.RawMessage {
	var out map[string]json.RawMessage
	for _, i := range s.plan.unmapped {
		if i >= len(s.record) {
			continue
		}
		v := trim(s.record[i])
		if v == "" {
			continue
		}
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[s.plan.cols.keys[i]], _ = json.Marshal(v)
	}
	return out
}

// Next returns the next row as an item, or io.EOF after the last one.
func (s *csvSource) Next() (strata.ItemInput, error) {
	if s.exact {
		return s.nextExact()
	}
	record, err := s.read()
	if err != nil {
		return strata.ItemInput{}, err
	}
	s.record = record
	in, err := s.item(record)
	if err != nil {
		s.err = s.locate(err)
		return strata.ItemInput{}, s.err
	}
	return in, nil
}

// locate says on which line the record of an error begins.
func (s *csvSource) locate(err error) error {
	return strata.Errorf(strata.ErrorCode(err), "CSV line %d: %s", s.line, strata.ErrorMessage(err))
}

// item reads a record by the plan.
func (s *csvSource) item(record []string) (strata.ItemInput, error) {
	cell := func(i int) string {
		if i < 0 || i >= len(record) {
			return ""
		}
		return trim(record[i])
	}
	if err := checkBeyondHeader(len(record), s.columns, func(i int) bool { return cell(i) != "" }); err != nil {
		return strata.ItemInput{}, err
	}
	in := strata.ItemInput{
		Input:       cell(s.input),
		GroundTruth: nilIfEmpty(cell(s.groundTruth)),
		Output:      nilIfEmpty(cell(s.output)),
	}
	if s.inputFrom == InputFromLastUserMessage {
		var err error
		if in.Input, err = fromChat(in.Input); err != nil {
			return strata.ItemInput{}, err
		}
	}
	kept, err := s.fields.read(&in, cell, s.lunary)
	if err == nil && len(kept) > 0 {
		names, values := make([]string, len(kept)), make([]json.RawMessage, len(kept))
		for i, col := range kept {
			names[i] = s.plan.cols.keys[col]
			values[i], _ = json.Marshal(cell(col))
		}
		err = s.reporter.keep(&in, names, values)
	}
	if err == nil {
		err = s.plan.readMapped(&in, func(i int) json.RawMessage {
			if v := cell(i); v != "" {
				b, _ := json.Marshal(v)
				return b
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
	return in, err
}

// checkBeyondHeader refuses a record with a value in a cell past the last
// column of the header: it has no name to be kept under, and most often a
// value's unquoted comma split it, so the cells before it are not what the
// file meant either. Empty cells there (a trailing comma) hold nothing.
func checkBeyondHeader(cells, columns int, hasValue func(int) bool) error {
	for i := columns; i < cells; i++ {
		if hasValue(i) {
			return strata.Errorf(strata.EINVALID, "a value in column %d, beyond the %d columns of the header (a value holding a comma must be quoted)", i+1, columns)
		}
	}
	return nil
}

// fromChat reads the input from a cell holding a chat as JSON; a cell that
// is not JSON stays as it is.
func fromChat(cell string) (string, error) {
	if cell == "" || (cell[0] != '[' && cell[0] != '{') || !json.Valid([]byte(cell)) {
		return cell, nil
	}
	if v, ok := lastUserMessage([]byte(cell)); ok {
		return v, nil
	}
	return "", errNoUserMessage
}

// read returns the next non-blank record, enforcing the size limit and
// turning csv errors into client errors.
func (s *csvSource) read() ([]string, error) {
	if s.err != nil {
		return nil, s.err
	}
	for {
		start := s.consumed()
		s.limiter.start = start
		record, err := s.cr.Read()
		// Check the size whatever Read returned: a record cut short by the
		// limiter may also look malformed, and the answer must not depend on
		// how the body happened to arrive in chunks.
		if errors.Is(err, errTooManyColumns) {
			s.line = s.lastLine + 1
			s.err = strata.Errorf(strata.ETOOLARGE, "CSV record on line %d has more than %d columns", s.line, maxColumns)
			return nil, s.err
		} else if s.limiter.exceeded || s.consumed()-start > int64(s.max) {
			line := s.lastLine + 1
			if err == nil {
				line, _ = s.cr.FieldPos(0)
			}
			s.line = line
			s.err = strata.Errorf(strata.ETOOLARGE, "CSV record on line %d is larger than the limit of %d bytes", line, s.max)
			return nil, s.err
		} else if err != nil {
			s.line = s.lastLine + 1
			if pe, ok := errors.AsType[*csv.ParseError](err); ok {
				s.line = pe.StartLine
			}
			s.err = csvError(err)
			return nil, s.err
		}

		last := len(record) - 1
		lastLine, _ := s.cr.FieldPos(last)
		// A quoted field keeps its newlines (the csv package turns CRLF into
		// LF), so they tell how many lines the record spans.
		s.lastLine = lastLine + strings.Count(record[last], "\n")

		// The csv package skips empty lines but not lines of spaces; Lunary
		// trims every line and drops the empty ones.
		if len(record) == 1 && trim(record[0]) == "" {
			continue
		}
		s.line, _ = s.cr.FieldPos(0)
		return record, nil
	}
}

// consumed is how many bytes of the input the csv reader has taken: what
// the limiter passed up minus what still waits in the buffer.
func (s *csvSource) consumed() int64 { return s.limiter.n - int64(s.buf.Buffered()) }

// csvError turns an error of the csv package into a client error naming the
// line. Other errors (the request body failing) pass through unchanged, so
// the caller can still recognise them, e.g. *http.MaxBytesError.
func csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	// For an unterminated quote the error is found at the end of the file;
	// where the record began is what the user needs to look at.
	if pe.StartLine != pe.Line {
		return strata.Errorf(strata.EINVALID, "Invalid CSV: line %d (in the record starting on line %d): %v", pe.Line, pe.StartLine, pe.Err)
	}
	return strata.Errorf(strata.EINVALID, "Invalid CSV: line %d: %v", pe.Line, pe.Err)
}

// recordLimiter sits under the CSV reader's buffer and refuses to read more
// once the current record has pulled in more than limit bytes. Without it a
// file with no newlines, or an unterminated quote, would be buffered whole.
type recordLimiter struct {
	r        io.Reader
	n        int64 // bytes read from r so far
	start    int64 // n when the current record began
	limit    int64
	exceeded bool

	// The columns of the record being read, counted in the bytes as they
	// pass: a record of millions of empty cells is a few megabytes, but the
	// csv package would hold a string and an index for each.
	quoted      bool // within a quoted cell
	columns     int
	manyColumns bool
}

// maxColumns bounds the cells of a CSV record.
const maxColumns = 10_000

func (l *recordLimiter) Read(p []byte) (int, error) {
	// At most one buffer's worth of what we have read is still unconsumed,
	// and limit allows for that, so only a record that really is over the
	// limit stops here.
	if l.n-l.start > l.limit {
		l.exceeded = true
		return 0, errRecordTooLarge
	}
	if l.manyColumns {
		return 0, errTooManyColumns
	}
	n, err := l.r.Read(p)
	for i, c := range p[:n] {
		switch {
		case c == '"':
			l.quoted = !l.quoted // a doubled quote within a cell flips twice
		case l.quoted:
		case c == ',':
			if l.columns++; l.columns >= maxColumns {
				// The records before this one are read; this one fails
				// at the next read.
				l.manyColumns = true
				l.n += int64(i)
				return i, nil
			}
		case c == '\n':
			l.columns = 0
		}
	}
	l.n += int64(n)
	return n, err
}

var errTooManyColumns = errors.New("csv record has too many columns")
