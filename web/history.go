package web

import "errors"
import "fmt"
import "net/http"
import "strconv"
import "strings"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"
import "github.com/strata-eval/strata/internal/rules"

// export downloads a version as JSONL or CSV: the API's export
// (rules.Export), the same file under the same name.
func (s *Server) export(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	format, err := rules.ExportFormat(ss.FormValue("format"))
	if err != nil {
		return err
	}
	v, err := s.Store.ResolveVersion(ss.Context(), ss.principal.ProjectID, id, ss.PathValue("n"))
	if err != nil {
		return err
	}
	exportCaching(w, ss.PathValue("n"))
	if ss.Method == http.MethodHead {
		w = rules.HeadWriter(w)
	}
	started, err := rules.Export(ss.Context(), s.Store, w, ss.principal.ProjectID, v, strata.ItemFilter{}, format, importer.ExportOptions{SafeCSV: s.SafeCSV})
	if errors.Is(err, rules.ErrHeadAnswered) {
		return nil
	}
	if err != nil && started {
		return &abortError{err}
	}
	return err
}

func (s *Server) tag(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	back := versionsPageOf(ss, id)
	tag := strings.TrimSpace(ss.FormValue("tag"))
	// The API's rule and answer (422), after the dataset's 404 as there.
	if err := rules.CheckTag(tag); err != nil {
		if _, lerr := s.Store.FindDataset(ss.Context(), ss.principal.ProjectID, id); lerr != nil {
			return lerr
		}
		return err
	}
	v, moved, err := s.Store.TagVersion(ss.Context(), ss.principal.Actor(), id, ss.PathValue("n"), tag)
	if err != nil {
		return err
	}
	notice := fmt.Sprintf("Tagged version %d %q.", v.Number, tag)
	if moved != nil {
		notice += fmt.Sprintf(" The tag was moved from version %d.", *moved)
	}
	return redirect(w, ss, back, notice)
}

func (s *Server) untag(w http.ResponseWriter, ss *session) error {
	id, tag := ss.PathValue("id"), ss.PathValue("tag")
	back := versionsPageOf(ss, id)
	if err := s.Store.UntagVersion(ss.Context(), ss.principal.Actor(), id, ss.PathValue("n"), tag); err != nil {
		return err
	}
	return redirect(w, ss, back, fmt.Sprintf("Removed the tag %q.", tag))
}

// versionsPageOf is the page of the versions list that a form was sent
// from, as its before field says: the newest when it has none, or one the
// list would refuse.
func versionsPageOf(ss *session, datasetID string) string {
	path := "/datasets/" + datasetID + "/versions"
	if before, err := versionsBefore(ss); err == nil && before > 0 { // pages.go
		path += "?before=" + strconv.Itoa(before)
	}
	return path
}

// exportCaching sets an export's Cache-Control as the API sets it (a
// version named by its number or id never changes, one named by latest or
// a tag may name another next time), but private: the pages authenticate
// by cookie, and no shared cache may keep what one session read. Every
// other signed-in page is no-store (noStore).
func exportCaching(w http.ResponseWriter, ref string) {
	if r, _ := strata.ParseRef(ref); r.ID != "" || r.Number > 0 {
		w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "private, no-cache")
	}
}
