package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/importer"
)

// GET /v1/datasets-v2/{datasetId}/versions/{versionId}/export?format=jsonl|csv:
// the version's items (input, ground truth, output) in item order, streamed
// with constant memory, in the dialect the import reads back exactly
// (importer/exact.go). With safe=true (default: Server.SafeCSV), CSV cells
// that a spreadsheet would run as formulas are escaped, and the file no
// longer reads back exactly.
func (s *Server) exportVersion(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	var v validator
	format := v.enum("format", queryValue(r.URL.Query(), "format"), importer.ExportFormats, "jsonl")
	safeDefault := "false"
	if s.SafeCSV {
		safeDefault = "true"
	}
	safe := v.enum("safe", queryValue(r.URL.Query(), "safe"), []string{"true", "false"}, safeDefault) == "true"
	if err := v.err(); err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	ver, err := s.Store.ResolveVersion(r.ctx(), r.principal.ProjectID, ids[0], r.PathValue("versionId"))
	if err != nil {
		return err
	}
	if cacheVersion(w, r, ver) {
		return nil
	}
	// Nothing is sent before the first write, so an error met before it is
	// still an error response.
	lw := &lazyWriter{w: w, header: func(h http.Header) {
		h.Set("Content-Type", importer.ExportContentTypes[format])
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-v%d.%s"`, ids[0], ver.Number, format))
	}}
	ex, err := importer.NewExporterWith(format, lw, importer.ExportOptions{SafeCSV: safe})
	if err != nil {
		return err
	}
	n := 0
	q := strata.ItemQuery{ProjectID: r.principal.ProjectID, DatasetID: ids[0], Version: ver.Number}
	err = s.Store.ScanItems(r.ctx(), q, func(it *strata.Item) error {
		if err := ex.Write(it); err != nil {
			return err
		}
		if n++; n%flushEvery == 0 {
			return lw.flush(ex)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return lw.flush(ex)
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
