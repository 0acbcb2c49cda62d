package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/importer"
)

// export streams a version as JSONL or CSV, in item order, the way the API's
// export does: what it writes imports back to the same items.
func (s *Server) export(w http.ResponseWriter, ss *session) error {
	id, format := ss.PathValue("id"), ss.FormValue("format")
	if format == "" {
		format = "jsonl"
	}
	v, err := s.Store.ResolveVersion(ss.Context(), ss.principal.ProjectID, id, ss.PathValue("n"))
	if err != nil {
		return err
	}
	ex, err := importer.NewExporterWith(format, w, importer.ExportOptions{SafeCSV: s.SafeCSV})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", importer.ExportContentTypes[format])
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="dataset-%s-v%d.%s"`, id, v.Number, format))
	q := strata.ItemQuery{ProjectID: ss.principal.ProjectID, DatasetID: id, Version: v.Number}
	if err := s.Store.ScanItems(ss.Context(), q, ex.Write); err != nil {
		// The download has started: all that is left is to cut it short.
		panic(http.ErrAbortHandler)
	}
	return ex.Flush()
}

func (s *Server) tag(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	tag := strings.TrimSpace(ss.FormValue("tag"))
	v, moved, err := s.Store.TagVersion(ss.Context(), ss.principal.Actor(), id, ss.PathValue("n"), tag)
	if err != nil {
		return err
	}
	notice := fmt.Sprintf("Tagged version %d %q.", v.Number, tag)
	if moved != nil {
		notice += fmt.Sprintf(" The tag was moved from version %d.", *moved)
	}
	return redirect(w, ss, "/datasets/"+id+"/versions", notice)
}

func (s *Server) untag(w http.ResponseWriter, ss *session) error {
	id, tag := ss.PathValue("id"), ss.PathValue("tag")
	if err := s.Store.UntagVersion(ss.Context(), ss.principal.Actor(), id, ss.PathValue("n"), tag); err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+id+"/versions", fmt.Sprintf("Removed the tag %q.", tag))
}
