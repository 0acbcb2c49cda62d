package rules

import "context"
import "errors"
import "fmt"
import "net/http"
import "slices"
import "strings"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"

// flushEvery is how many items an export writes between flushes to the
// client.
const flushEvery = 256

// ExportFileName is the name a download of version v of a dataset is saved
// under.
func ExportFileName(datasetID string, v *strata.Version, format string) string {
	return fmt.Sprintf("%s-v%d.%s", datasetID, v.Number, format)
}

// Export streams the items of version v of a dataset that filter selects to w as a download in
// format ("jsonl", "csv" or "json"), in item order, with constant memory, in the
// dialect the import reads back exactly (importer/exact.go), unless
// opts.SafeCSV escapes the cells a spreadsheet would run as formulas.
//
// Nothing is sent before the first write, so an error met before it (the
// dataset deleted, the store failing) is still the caller's to answer with
// its status; started reports whether the response has begun, after which
// all a caller can do is cut it short.
func Export(ctx context.Context, store strata.ItemStore, w http.ResponseWriter, projectID string, v *strata.Version,
	filter strata.ItemFilter, format string, opts importer.ExportOptions) (started bool, err error) {
	lw := &lazyWriter{w: w, header: func(h http.Header) {
		h.Set("Content-Type", importer.ExportContentTypes[format])
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, ExportFileName(v.DatasetID, v, format)))
	}}
	ex, err := importer.NewExporterWith(format, lw, opts)
	if err != nil {
		return false, err
	}
	n := 0
	q := strata.ItemQuery{ProjectID: projectID, DatasetID: v.DatasetID, Version: v.Number, Filter: filter}
	err = store.ScanItems(ctx, q, func(it *strata.Item) error {
		if err := ex.Write(it); err != nil {
			return err
		}
		if n++; n%flushEvery == 0 {
			return lw.flush(ex)
		}
		return nil
	})
	if err == nil {
		err = ex.End()
	}
	if err == nil {
		err = lw.flush(ex)
	}
	return lw.started, err
}

// lazyWriter sends the status and headers on the first write.
type lazyWriter struct {
	w       http.ResponseWriter
	header  func(http.Header)
	started bool
}

func (l *lazyWriter) Write(b []byte) (int, error) {
	if !l.started {
		l.started = true
		l.header(l.w.Header())
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(b)
}

// flush sends what ex buffered on to the client.
func (l *lazyWriter) flush(ex importer.Exporter) error {
	if err := ex.Flush(); err != nil {
		return err
	}
	if !l.started { // an empty JSONL export: the status still goes out
		l.Write(nil)
	}
	if err := http.NewResponseController(l.w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// ExportFormat returns the export format a client named, "jsonl" when it
// named none, or the API's validation error for an unknown one.
func ExportFormat(format string) (string, error) {
	if format == "" {
		return "jsonl", nil
	}
	if slices.Contains(importer.ExportFormats, format) {
		return format, nil
	}
	quoted := make([]string, len(importer.ExportFormats))
	for i, f := range importer.ExportFormats {
		quoted[i] = "'" + f + "'"
	}
	return "", &strata.ValidationError{Issues: []strata.Issue{{Path: "format",
		Message: "Invalid enum value. Expected " + strings.Join(quoted, " | ") + ", received '" + format + "'"}}}
}
