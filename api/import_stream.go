package api

import "io"
import "mime"
import "net/http"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/rules"

// Raw imports.
//
// POST .../import takes Lunary's JSON {format, content}, which must be read
// whole before it can be parsed, or the file itself as the body, sent as
// application/x-ndjson (or application/jsonl) or text/csv. A raw body is
// checked as UTF-8 as it arrives and received into a temporary file
// (rules.Spool), then parsed from it and its items inserted in batches, in
// the one transaction ImportItems runs, so an import of any size holds one
// record and one batch in memory, never the file, and its transaction never
// waits on the network. It has its own size limit, Limits.MaxImportBytes,
// far above the JSON body limit; the item and field limits apply as to any
// import.

// importPattern is the route that may read its own body.
const importPattern = "POST /v1/datasets-v2/{datasetId}/import"

// rawImportFormat returns the import format a Content-Type names, or "" when
// it names none (the body is then JSON, read by endpoint).
func rawImportFormat(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	switch mt {
	case "application/x-ndjson", "application/jsonl":
		return "jsonl"
	case "text/csv":
		return "csv"
	}
	return ""
}

// streamsBody reports whether the handler of r reads the body itself, as it
// arrives, rather than endpoint reading it whole first. An import body of a
// type the route does not take is the handler's too, to answer with the
// types it takes (unsupportedImport).
func streamsBody(r *http.Request) bool {
	return r.Pattern == syncPattern || (r.Pattern == importPattern && !jsonContentType(r.Header.Get("Content-Type")))
}

// importStream imports the request body, a file in the given format ("":
// a type the route does not take).
func (s *Server) importStream(w http.ResponseWriter, r *request, datasetID, format string) error {
	if format == "" {
		return s.unsupportedImport(r, datasetID)
	}
	opts, err := writeOptions(r)
	var upsert bool
	if err == nil {
		upsert, err = importMode(r)
	}
	if err != nil {
		return s.afterLookup(r, datasetID, err)
	}
	// A dataset that is not there is reported before the file is received.
	if _, err := s.Store.FindDataset(r.ctx(), r.principal.ProjectID, datasetID); err != nil {
		return err
	}
	l := s.limits()
	if r.ContentLength > l.MaxImportBytes {
		return errBodyTooLarge
	}
	// A client that trickles its file is cut off at the request's deadline.
	if deadline, ok := r.Context().Deadline(); ok {
		http.NewResponseController(w).SetReadDeadline(deadline)
	}
	o, err := parseImportOptions(r)
	if err != nil {
		return s.afterLookup(r, datasetID, err)
	}
	// The file is received whole before the import's transaction starts,
	// so that it never waits on the network while holding the write lock.
	file, err := rules.Spool(rules.NewBodyReader(http.MaxBytesReader(w, r.Body, l.MaxImportBytes)), l.MaxImportBytes)
	if err != nil {
		return err // the dataset was found above; a failed read may have ended the request's context
	}
	defer file.Close()
	if upsert {
		src, err := s.importConfig(o.mapping).New(format, file)
		if err != nil {
			return err
		}
		return s.applySync(w, r, datasetID, src, upsertOptions(opts, o))
	}
	f := importFile{datasetID: datasetID, format: format, body: file, raw: true, cause: func(err error) error { return err }}
	return s.importFile(w, r, f, opts, o)
}

// unsupportedImport answers an import body of a type the route does not
// take, as endpoint answers other routes' (readBody), but naming the types
// this one takes: 413 for a body announced larger than a JSON body may be,
// 415 for any other with something in it. An empty body is the empty
// object it is for every route, which Lunary's validation refuses.
func (s *Server) unsupportedImport(r *request, datasetID string) error {
	if r.ContentLength > s.maxBodyBytes() {
		return errBodyTooLarge
	}
	var first [1]byte
	if n, err := io.ReadFull(r.Body, first[:]); n == 0 && err == io.EOF {
		if _, _, _, err := importInput(r); err != nil {
			return s.afterLookup(r, datasetID, err)
		}
	}
	return strata.Errorf(strata.EUNSUPPORTED, "Unsupported Content-Type %q: an import body is JSON (application/json), "+
		"JSON Lines (application/x-ndjson or application/jsonl) or CSV (text/csv)", r.Header.Get("Content-Type"))
}
