package importer

import "bufio"
import "bytes"
import "encoding/json"
import "io"
import "strings"

import "github.com/strata-eval/strata"

// Exporter writes items in Strata's export dialect (exact.go), which New
// reads back to the same input, ground truth and output.
type Exporter interface {
	// Write writes one item.
	Write(it *strata.Item) error
	// Flush writes out what is buffered.
	Flush() error
	// End writes what closes the file, after the last item, and flushes.
	End() error
}

// ExportFormats are the formats NewExporter knows.
var ExportFormats = []string{"jsonl", "csv", "json"}

// ExportContentTypes are the Content-Types of the export formats.
var ExportContentTypes = map[string]string{
	"jsonl": "application/x-ndjson; charset=utf-8",
	"csv":   "text/csv; charset=utf-8",
	"json":  "application/json; charset=utf-8",
}

// NewExporter returns an Exporter writing format ("jsonl", "csv", or "json":
// an array of the objects of the JSONL lines) to w. A CSV exporter writes
// its header at once.
func NewExporter(format string, w io.Writer) (Exporter, error) {
	return NewExporterWith(format, w, ExportOptions{})
}

// ExportOptions change how an export is written.
type ExportOptions struct {
	// SafeCSV prefixes ' to every CSV cell that begins with =, +, -, @, a
	// tab or a carriage return, which a spreadsheet would run as a formula.
	// Such a file is for spreadsheets: the import reads the ' as part of the
	// value. JSONL is not changed.
	SafeCSV bool
}

// NewExporterWith is NewExporter with options.
func NewExporterWith(format string, w io.Writer, opts ExportOptions) (Exporter, error) {
	bw := bufio.NewWriterSize(w, 32<<10)
	switch format {
	case "jsonl":
		return &jsonlExporter{w: bw}, nil
	case "csv":
		bw.WriteString(strings.Join(ExactCSVHeader, ",") + "\r\n")
		return &csvExporter{w: bw, safe: opts.SafeCSV}, nil
	case "json":
		return &jsonArrayExporter{jsonlExporter: jsonlExporter{w: bw}}, nil
	}
	return nil, strata.Errorf(strata.EINVALID, "Unknown export format %q: expected \"jsonl\", \"csv\" or \"json\"", format)
}

type jsonlExporter struct{ w *bufio.Writer }

// exportLine is one JSONL line: the keys New reads, groundTruth always
// present (it marks the dialect).
type exportLine struct {
	ID          string          `json:"id"`
	Input       string          `json:"input"`
	GroundTruth *string         `json:"groundTruth"`
	Output      *string         `json:"output"`
	ExternalID  *string         `json:"externalId"`
	Metadata    json.RawMessage `json:"metadata"`
	Splits      []string        `json:"splits"`
}

func (e *jsonlExporter) Write(it *strata.Item) error { return writeLine(e.w, it) }

// writeLine writes it as a JSONL line, ending in a newline.
func writeLine(w io.Writer, it *strata.Item) error {
	enc := json.NewEncoder(w) // Encode ends the line
	enc.SetEscapeHTML(false)
	metadata, splits := it.Metadata, it.Splits
	if len(metadata) == 0 {
		metadata = strata.EmptyMetadata
	}
	if splits == nil {
		splits = []string{}
	}
	return enc.Encode(exportLine{ID: it.ID, Input: it.Input, GroundTruth: it.GroundTruth, Output: it.Output,
		ExternalID: it.ExternalID, Metadata: metadata, Splits: splits})
}

func (e *jsonlExporter) Flush() error { return e.w.Flush() }

func (e *jsonlExporter) End() error { return e.w.Flush() }

// jsonArrayExporter writes the JSONL lines as the elements of one array, an
// element a line: "[\n{...},\n{...}\n]\n", or "[]\n" when empty.
type jsonArrayExporter struct {
	jsonlExporter
	line bytes.Buffer
	n    int
}

func (e *jsonArrayExporter) Write(it *strata.Item) error {
	e.line.Reset()
	if err := writeLine(&e.line, it); err != nil {
		return err
	}
	if e.n == 0 {
		e.w.WriteString("[\n")
	} else {
		e.w.WriteString(",\n")
	}
	e.n++
	_, err := e.w.Write(bytes.TrimSuffix(e.line.Bytes(), []byte("\n")))
	return err
}

func (e *jsonArrayExporter) End() error {
	if e.n == 0 {
		e.w.WriteString("[]\n")
	} else {
		e.w.WriteString("\n]\n")
	}
	return e.w.Flush()
}

type csvExporter struct {
	w    *bufio.Writer
	safe bool
}

func (e *csvExporter) Write(it *strata.Item) error {
	metadata, splits := string(it.Metadata), strata.SplitsText(it.Splits)
	if metadata == "" {
		metadata = string(strata.EmptyMetadata)
	}
	for i, p := range []*string{&it.ID, &it.Input, it.GroundTruth, it.Output, it.ExternalID, &metadata, &splits} {
		if i > 0 {
			e.w.WriteByte(',')
		}
		e.field(p)
	}
	_, err := e.w.WriteString("\r\n")
	return err
}

// field writes a value quoted, or nothing for null.
func (e *csvExporter) field(s *string) {
	if s == nil {
		return
	}
	e.w.WriteByte('"')
	if e.safe && formulaLike(*s) {
		e.w.WriteByte('\'')
	}
	e.w.WriteString(strings.ReplaceAll(*s, `"`, `""`))
	e.w.WriteByte('"')
}

func (e *csvExporter) Flush() error { return e.w.Flush() }

func (e *csvExporter) End() error { return e.w.Flush() }

// formulaLike reports whether a spreadsheet would read a cell as a formula
// (OWASP's list of leading characters).
func formulaLike(s string) bool {
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}
