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

// Import appends the items of a file, read from r as it is sent: the server
// parses and inserts it as it arrives, all or nothing. It returns the
// number of items inserted. It is retried only when r can be rewound (an
// io.Seeker whose Seek works, such as a regular file), and then from the
// offset r had when the call started.
func (c *Client) Import(ctx context.Context, datasetID, format string, r io.Reader, o WriteOptions) (int, error) {
	if format == FormatJSON {
		return 0, invalidf("an import takes %s or %s (Sync takes a JSON array too)", FormatJSONL, FormatCSV)
	}
	ct, err := contentType(format)
	if err != nil {
		return 0, err
	}
	var out struct {
		InsertedCount int `json:"insertedCount"`
	}
	req := &request{method: http.MethodPost, path: datasetPath(datasetID) + "/import", query: o.query(),
		header: http.Header{"Content-Type": {ct}}, body: r, want: http.StatusOK}
	err = c.call(ctx, req, &out)
	return out.InsertedCount, err
}

// SyncOptions control a sync.
type SyncOptions struct {
	// DryRun reports what the sync would change, and changes nothing.
	DryRun bool
	// SkipVersion leaves the changes in the working version.
	SkipVersion bool
	// Name and Description name the version the sync makes.
	Name, Description string
	// Map names the file's column of a field ("input", "groundTruth",
	// "output") where detection would not find it: map.FIELD=COLUMN.
	Map map[string]string
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
	for field, column := range o.Map {
		q.Set("map."+field, column)
	}
	var out SyncResult
	req := &request{method: http.MethodPut, path: datasetPath(datasetID) + "/items", query: q,
		header: http.Header{"Content-Type": {ct}}, body: r, want: http.StatusOK}
	err = c.call(ctx, req, &out)
	return &out, err
}

// Export writes the items of the version ref names to w, in format, as the
// server streams them, and returns the bytes written.
func (c *Client) Export(ctx context.Context, datasetID, ref, format string, w io.Writer) (int64, error) {
	if _, err := contentType(format); err != nil {
		return 0, err
	}
	req := &request{method: http.MethodGet, path: versionPath(datasetID, ref) + "/export",
		query: url.Values{"format": {format}}, want: http.StatusOK}
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
