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
// (importer/exact.go).
func (s *Server) exportVersion(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	var v validator
	format := v.enum("format", queryValue(r.URL.Query(), "format"), importer.ExportFormats, "jsonl")
	err = v.err()
	var filter strata.ItemFilter
	if err == nil {
		filter, err = itemFilter(r)
	}
	if err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	ver, err := s.Store.ResolveVersion(r.ctx(), r.principal.ProjectID, ids[0], r.PathValue("versionId"))
	if err != nil {
		return err
	}
	// Nothing is sent before the first write, so an error met before it is
	// still an error response.
	lw := &lazyWriter{w: w, header: func(h http.Header) {
		h.Set("Content-Type", importer.ExportContentTypes[format])
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-v%d.%s"`, ids[0], ver.Number, format))
	}}
	ex, err := importer.NewExporter(format, lw)
	if err != nil {
		return err
	}
	n := 0
	q := strata.ItemQuery{ProjectID: r.principal.ProjectID, DatasetID: ids[0], Version: ver.Number, Filter: filter}
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
