package api

import "io"
import "net/http"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"
import "github.com/strata-eval/strata/internal/rules"
import "github.com/strata-eval/strata/wire"

// Import options beyond Lunary's, in the query string of POST .../import
// whatever the body: map.input, map.groundTruth, map.output and inputFrom
// (importer.ParseMapping) choose how columns become fields; dryRun=true reads
// the whole file within the import limits and answers what the import would
// do, writing nothing. Every import answers the mapping it used.

// importOptions are the query parameters of an import.
type importOptions struct {
	mapping importer.Mapping
	dryRun  bool
}

func parseImportOptions(r *request) (importOptions, error) {
	m, err := importer.ParseMapping(r.URL.Query())
	if err != nil {
		return importOptions{}, err
	}
	dryRun, err := boolParam(r, "dryRun")
	if err != nil {
		return importOptions{}, err
	}
	return importOptions{mapping: m, dryRun: dryRun}, nil
}

// importFile is one file to import, from either form of the body.
type importFile struct {
	datasetID string
	format    string
	body      io.Reader
	// cause returns the failure of the body itself, if reading it failed,
	// else err: a raw body that is too large is reported as such whatever
	// the parser made of it.
	cause func(err error) error
}

// importFile imports f, or previews it when the options ask for a dry run.
func (s *Server) importFile(w http.ResponseWriter, r *request, f importFile, write strata.WriteOptions, o importOptions) error {
	cfg := importer.Config{Mapping: o.mapping}
	if o.dryRun {
		return s.previewImport(w, r, f, cfg, s.importLimits().Limit)
	}
	src, err := cfg.Open(f.format, f.body)
	if err != nil {
		return s.afterLookup(r, f.datasetID, f.cause(err))
	}
	n, err := rules.ImportItems(r.ctx(), s.Store, r.actor(), f.datasetID, src, write, s.importLimits())
	if err != nil {
		return f.cause(err)
	}
	return writeJSON(w, http.StatusOK, toImportResultJSON(n, src.Report()))
}

// previewImport reads the whole file and answers what importing it would
// do. Errors in the file (its content, its size) are part of the answer;
// a missing dataset, a timeout or a failure of the server are not.
func (s *Server) previewImport(w http.ResponseWriter, r *request, f importFile, cfg importer.Config, limit func(strata.ItemSource) strata.ItemSource) error {
	if _, err := s.Store.FindDataset(r.ctx(), r.principal.ProjectID, f.datasetID); err != nil {
		return err
	}
	p := cfg.Preview(f.format, f.body, limit)
	res := toImportResultJSON(0, p.Report)
	res.importPreviewJSON = &importPreviewJSON{
		DryRun: true, RecordCount: p.Records, Columns: nonNil(p.Report.Columns), Items: make([]wire.ItemContent, len(p.Items)),
	}
	for i, in := range p.Items {
		res.Items[i] = wire.ItemContent{Input: in.Input, GroundTruth: in.GroundTruth, Output: in.Output}
	}
	if p.Err != nil {
		err := f.cause(p.Err)
		if !importer.InFile(err) {
			return err
		}
		res.Error = &lineErrorJSON{Line: p.ErrLine, Status: rules.Status(r.ctx(), err), Message: strata.ErrorMessage(err)}
	}
	return writeJSON(w, http.StatusOK, res)
}

// importResultJSON is Lunary's import result with the mapping used, and
// with a preview's fields after a dry run.
type importResultJSON struct {
	InsertedCount int         `json:"insertedCount"`
	Mapping       mappingJSON `json:"mapping"`
	Unmapped      []string    `json:"unmapped"`
	*importPreviewJSON
}

type mappingJSON struct {
	Input       *string         `json:"input"`
	GroundTruth *string         `json:"groundTruth"`
	Output      *string         `json:"output"`
	InputFrom   *string         `json:"inputFrom"`
	Ambiguous   []ambiguityJSON `json:"ambiguous"`
}

type ambiguityJSON struct {
	Field   string   `json:"field"`
	Used    string   `json:"used"`
	Ignored []string `json:"ignored"`
}

type importPreviewJSON struct {
	DryRun      bool               `json:"dryRun"`
	RecordCount int                `json:"recordCount"`
	Columns     []string           `json:"columns"`
	Items       []wire.ItemContent `json:"items"` // as the import would store them
	Error       *lineErrorJSON     `json:"error"`
}

// lineErrorJSON is the first error in a file: its line, the status the
// import would answer, and the message.
type lineErrorJSON struct {
	Line    int    `json:"line"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}

func toImportResultJSON(n int, rep importer.Report) importResultJSON {
	orNull := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	m := mappingJSON{
		Input: orNull(rep.Input), GroundTruth: orNull(rep.GroundTruth), Output: orNull(rep.Output),
		InputFrom: orNull(rep.InputFrom), Ambiguous: []ambiguityJSON{},
	}
	for _, a := range rep.Ambiguous {
		m.Ambiguous = append(m.Ambiguous, ambiguityJSON{Field: a.Field, Used: a.Used, Ignored: a.Ignored})
	}
	return importResultJSON{InsertedCount: n, Mapping: m, Unmapped: nonNil(rep.Unmapped)}
}
