package client

import "context"
import "fmt"
import "io"
import "net/http"
import "net/url"

// Formats of files: JSON Lines, CSV, and a JSON array of item objects (the
// objects of the JSON Lines), which Sync and Export take but Import does not:
// the import's JSON body is Lunary's {format, content}.
const (
	FormatJSONL = "jsonl"
	FormatCSV   = "csv"
	FormatJSON  = "json"
)

// contentType is the Content-Type of a raw body of a format.
func contentType(format string) (string, error) {
	switch format {
	case FormatJSONL:
		return "application/x-ndjson", nil
	case FormatCSV:
		return "text/csv", nil
	case FormatJSON:
		return "application/json", nil
	}
	return "", invalidf("unknown format %q: want %s, %s or %s", format, FormatJSONL, FormatCSV, FormatJSON)
}

// InputFromLastUserMessage, as an InputFrom, reads each input from the
// content of the last "user" message of a chat (an array of {role, content},
// or an object holding one as "messages"), as OpenAI's evals files hold it.
const InputFromLastUserMessage = "lastUserMessage"

// mappingQuery adds the parameters of a mapping to q.
func mappingQuery(q url.Values, m map[string]string, inputFrom string) {
	for key, column := range m {
		q.Set("map."+key, column)
	}
	if inputFrom != "" {
		q.Set("inputFrom", inputFrom)
	}
}

// ImportOptions control an import or an upsert.
//
// A file's columns become item fields as the server detects them, unless
// Map says otherwise. Map holds the map.KEY=COLUMN query parameters by KEY:
// a field ("input", "groundTruth", "output": the column it is read from; ""
// reads none, except for the input), "metadata.KEY" (the column metadata key
// KEY is read from), "splits" (the column of the item's splits: a JSON array
// of names, or names separated by commas) or "ignore" (columns read into
// nothing, not even metadata: names separated by commas, or a JSON array of
// names). The server checks the keys: one it does not take is a 400. Every
// import, upsert and sync answers how it read the item fields (Mapping: the
// column of the input, ground truth and output, the inputFrom, and the
// fields several columns matched; not the metadata keys, splits or ignored
// columns Map gave) and the columns that neither a field nor Map took
// (Unmapped), whose values the items keep in their metadata.
type ImportOptions struct {
	// SkipVersion leaves the items in the working version instead of
	// snapshotting it.
	SkipVersion bool
	// DryRun reads the whole file and answers what the import (or upsert)
	// would do, and writes nothing.
	DryRun bool
	// Map chooses the columns of fields, as above:
	// Map{"input": "question", "metadata.lang": "language"}.
	Map map[string]string
	// InputFrom InputFromLastUserMessage reads the input from a chat; ""
	// takes the value as it is.
	InputFrom string
}

func (o ImportOptions) query() url.Values {
	q := WriteOptions{SkipVersion: o.SkipVersion}.query()
	if o.DryRun {
		q.Set("dryRun", "true")
	}
	mappingQuery(q, o.Map, o.InputFrom)
	return q
}

// rawImport is the request of an import of a file (JSONL or CSV) in the
// given mode.
func rawImport(datasetID, format, mode string, r io.Reader, o ImportOptions) (*request, error) {
	if format == FormatJSON {
		return nil, invalidf("an import takes %s or %s (Sync takes a JSON array too)", FormatJSONL, FormatCSV)
	}
	ct, err := contentType(format)
	if err != nil {
		return nil, err
	}
	q := o.query()
	if mode != "" {
		q.Set("mode", mode)
	}
	return &request{method: http.MethodPost, path: datasetPath(datasetID) + "/import", query: q,
		header: http.Header{"Content-Type": {ct}}, body: r, want: http.StatusOK}, nil
}

// Import appends the items of a file, read from r as it is sent: the server
// parses and inserts it as it arrives, all or nothing. The result counts the
// items inserted and says how the columns were read. With DryRun, nothing
// is written and the result's ImportPreview is set: the records, the
// columns, the first items as they would be stored, and the first error in
// the file (an error in the file is part of the preview, not of err). It is
// retried only when r can be rewound (an io.Seeker whose Seek works, such as
// a regular file), and then from the offset r had when the call started.
func (c *Client) Import(ctx context.Context, datasetID, format string, r io.Reader, o ImportOptions) (*ImportResult, error) {
	var out ImportResult
	req, err := rawImport(datasetID, format, "", r, o)
	if err != nil {
		return &out, err
	}
	err = c.call(ctx, req, &out)
	return &out, err
}

// Upsert applies a file to the dataset's working items: a record whose id
// or external id names a live item updates it (with a revision only if
// something differs), the others are added, and no item is removed. It is
// written in one transaction, as a sync is, and answers as one (Removed is
// 0). With DryRun, nothing is written and the result lists the first
// changes. It is retried as Import is.
func (c *Client) Upsert(ctx context.Context, datasetID, format string, r io.Reader, o ImportOptions) (*SyncResult, error) {
	var out SyncResult
	req, err := rawImport(datasetID, format, "upsert", r, o)
	if err != nil {
		return &out, err
	}
	err = c.call(ctx, req, &out)
	return &out, err
}

// SyncOptions control a sync.
type SyncOptions struct {
	// DryRun reports what the sync would change, and changes nothing.
	DryRun bool
	// SkipVersion leaves the changes in the working version.
	SkipVersion bool
	// Name and Description name the version the sync makes.
	Name, Description string
	// Map and InputFrom choose the columns of the fields, as
	// ImportOptions' do.
	Map       map[string]string
	InputFrom string
}

// Sync makes the dataset's working items those of a file (JSONL, CSV or a
// JSON array, streamed all the same) read
// from r: items are matched by id, then external id, then content, and only
// the difference is written, in one transaction; a file equal to the items
// changes nothing and makes no version. A sync is retried (with one
// Idempotency-Key) when r can be rewound, as with Import.
func (c *Client) Sync(ctx context.Context, datasetID, format string, r io.Reader, o SyncOptions) (*SyncResult, error) {
	ct, err := contentType(format)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if o.DryRun {
		q.Set("dryRun", "true")
	}
	if o.SkipVersion {
		q.Set("skipVersion", "true")
	}
	if o.Name != "" {
		q.Set("name", o.Name)
	}
	if o.Description != "" {
		q.Set("description", o.Description)
	}
	mappingQuery(q, o.Map, o.InputFrom)
	var out SyncResult
	req := &request{method: http.MethodPut, path: datasetPath(datasetID) + "/items", query: q,
		header: http.Header{"Content-Type": {ct}}, body: r, want: http.StatusOK}
	err = c.call(ctx, req, &out)
	return &out, err
}

// ExportOptions narrow and shape an export.
type ExportOptions struct {
	// Filter keeps the items it matches.
	Filter ItemFilter
	// SafeCSV writes a CSV cell that a spreadsheet would read as a
	// formula with a leading quote (safe=true).
	SafeCSV bool
}

// Export writes the items of the version ref names to w, in format, as the
// server streams them, and returns the bytes written.
func (c *Client) Export(ctx context.Context, datasetID, ref, format string, w io.Writer, o ExportOptions) (int64, error) {
	if _, err := contentType(format); err != nil {
		return 0, err
	}
	q := url.Values{"format": {format}}
	o.Filter.addTo(q)
	if o.SafeCSV {
		q.Set("safe", "true")
	}
	req := &request{method: http.MethodGet, path: versionPath(datasetID, ref) + "/export",
		query: q, want: http.StatusOK}
	res, err := c.do(ctx, req)
	if err != nil {
		return 0, err
	}
	defer closeBody(res.Body)
	n, err := io.Copy(w, res.Body)
	if err != nil {
		return n, fmt.Errorf("export %s@%s: %w", datasetID, ref, err)
	}
	return n, nil
}
