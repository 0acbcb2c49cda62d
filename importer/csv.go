package importer

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/strata-eval/strata"
)

// Header names Lunary accepts, in priority order: when a file has several,
// the first in this list wins whatever the column order.
var (
	groundTruthHeaders = []string{"ground_truth", "groundtruth", "expected_output", "expectedoutput"}
	outputHeaders      = []string{"output", "model_output", "prediction", "generated_output"}
)

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

	// lastLine is the line on which the previous record ended, so an
	// oversized record can be located when the csv package could not finish
	// reading it.
	lastLine int
	err      error // sticky: once failed, every Next returns it

	exact        bool // Strata's export dialect (exact.go)
	exactColumns int  // the number of columns of its header

	// Columns of Strata's item fields, -1 when absent (itemfields.go).
	fields fieldColumns
}

// NewCSV returns a strata.ItemSource reading CSV from r. It reads the header
// row at once, so a file without an 'input' column fails here rather than on
// the first Next.
func (c Config) NewCSV(r io.Reader) (strata.ItemSource, error) {
	s := &csvSource{max: c.maxRecordBytes()}
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
		return nil, err // the body failed; bufio would not report it again
	}

	s.cr = csv.NewReader(s.buf)
	s.cr.FieldsPerRecord = -1 // ragged rows are fine: missing cells are empty
	s.cr.ReuseRecord = true
	// Lunary trims every value, so space before an opening quote carries no
	// meaning; ignoring it accepts `a, "b, c"` as written by hand.
	s.cr.TrimLeadingSpace = true

	header, err := s.read()
	if err == io.EOF {
		return nil, errNoInputColumn
	} else if err != nil {
		return nil, err
	}
	if s.exact = isExactHeader(header); s.exact {
		s.exactColumns = len(header)
		return s, nil
	}
	names := make(map[string]int, len(header))
	for i, name := range header {
		name = strings.ToLower(trim(name))
		if _, dup := names[name]; !dup { // Lunary's indexOf: the first column of a name wins
			names[name] = i
		}
	}
	input, ok := names["input"]
	if !ok {
		return nil, errNoInputColumn
	}
	s.input = input
	s.groundTruth = firstColumn(names, groundTruthHeaders)
	s.output = firstColumn(names, outputHeaders)
	s.fields = fieldColumnsOf(names)
	return s, nil
}

var errNoInputColumn = strata.Errorf(strata.EINVALID, "CSV import requires a header row with at least an 'input' column")

func firstColumn(names map[string]int, candidates []string) int {
	for _, name := range candidates {
		if i, ok := names[name]; ok {
			return i
		}
	}
	return -1
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
	cell := func(i int) string {
		if i < 0 || i >= len(record) {
			return ""
		}
		return trim(record[i])
	}
	in := strata.ItemInput{
		Input:       cell(s.input),
		GroundTruth: nilIfEmpty(cell(s.groundTruth)),
		Output:      nilIfEmpty(cell(s.output)),
	}
	if err := s.fields.read(&in, cell); err != nil {
		s.err = err
		return strata.ItemInput{}, err
	}
	return in, nil
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
		if s.limiter.exceeded || s.consumed()-start > int64(s.max) {
			line := s.lastLine + 1
			if err == nil {
				line, _ = s.cr.FieldPos(0)
			}
			s.err = strata.Errorf(strata.ETOOLARGE, "CSV record on line %d is larger than the limit of %d bytes", line, s.max)
			return nil, s.err
		} else if err != nil {
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
}

func (l *recordLimiter) Read(p []byte) (int, error) {
	// At most one buffer's worth of what we have read is still unconsumed,
	// and limit allows for that, so only a record that really is over the
	// limit stops here.
	if l.n-l.start > l.limit {
		l.exceeded = true
		return 0, errRecordTooLarge
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}
