package api

import "net/http"
import "strconv"

import "github.com/strata-eval/strata/importer"
import "github.com/strata-eval/strata/internal/rules"

// GET /v1/datasets-v2/{datasetId}/versions/{versionId}/export?format=jsonl|csv:
// the version's items (input, ground truth, output) in item order, streamed
// with constant memory, in the dialect the import reads back exactly
// (importer/exact.go). With safe=true (default: Server.SafeCSV), CSV cells
// that a spreadsheet would run as formulas are escaped, and the file no
// longer reads back exactly. The pages' download is the same export
// (rules.Export).
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
	filter, err := queryFilter(r, v.err(), false)
	ver, err := s.pathVersion(r, ids[0], err)
	if err != nil {
		return err
	}
	if cacheVersion(w, r, ver, false, format, strconv.FormatBool(safe)) {
		return nil
	}
	// An error after the download started is cut short by endpoint.
	_, err = rules.Export(r.ctx(), s.Store, w, r.principal.ProjectID, ver, filter, format, importer.ExportOptions{SafeCSV: safe})
	return err
}
