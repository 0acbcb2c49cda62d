package api

import "context"
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
	// raw is set when the file is the request body itself
	// (import_stream.go), read by Strata's rules; else it came in Lunary's
	// import body, read as Lunary reads it (importer.Config.Lunary).
	raw bool
	// cause returns the failure of the body itself, if reading it failed,
	// else err: a raw body that is too large is reported as such whatever
	// the parser made of it.
	cause func(err error) error
}

// importConfig is how the server reads a file of an import, upsert or
// sync: by Strata's rules, with the mapping asked for, and a record limit
// that any item the server accepts and exports fits in
// (importer.MaxRecordBytesFor), so that an export always imports again.
func (s *Server) importConfig(m importer.Mapping) importer.Config {
	return importer.Config{Mapping: m, MaxRecordBytes: importer.MaxRecordBytesFor(s.limits().MaxFieldBytes)}
}

// importFile imports f, or previews it when the options ask for a dry run.
func (s *Server) importFile(w http.ResponseWriter, r *request, f importFile, write strata.WriteOptions, o importOptions) error {
	cfg := s.importConfig(o.mapping)
	cfg.Lunary = !f.raw
	if o.dryRun {
		limit := func(src strata.ItemSource) strata.ItemSource {
			return s.checkExternalIDs(r.ctx(), r.principal.ProjectID, f.datasetID, s.importLimits().Limit(src))
		}
		return s.previewImport(w, r, f, cfg, limit)
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
	d, err := s.Store.FindDataset(r.ctx(), r.principal.ProjectID, f.datasetID)
	if err != nil {
		return err
	}
	// Nothing is written: the ETag is the dataset's as the preview read
	// it, which the import it previews may send as If-Match (as a sync's
	// dry run answers).
	setETag(w, d)
	p := cfg.Preview(f.format, f.body, limit)
	res := toImportResultJSON(0, p.Report)
	res.ImportPreview = &wire.ImportPreview{
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
		res.Error = &wire.ImportLineError{Line: p.ErrLine, Status: rules.Status(r.ctx(), err), Message: strata.ErrorMessage(err)}
	}
	return writeJSON(w, http.StatusOK, res)
}

// externalIDCheck stops a preview where the import would stop on what only
// the store sees: an externalId that an earlier record of the file gave
// (400), or that a live item of the dataset has (409). The import finds
// both through the store's unique index of live external ids as it writes
// (sqlstore's checkExternalIDFreeFrom); a preview writes nothing, so it
// remembers the file's ids and asks the store for the owner of each, by the
// same index (an ItemFilter on externalId).
type externalIDCheck struct {
	src strata.ItemSource
	// owner finds the live item of an id; nil when the dataset had none
	// as the preview began, which spares a query per record.
	owner func(externalID string) (itemID string, err error)
	err   error // of reading the dataset, for the first Next
	seen  map[string]bool
	// budget is what seen may hold, counted as a sync counts its items
	// (its ids and a few dozen bytes each), within the sync's memory limit:
	// past it, later duplicates within the file go unseen (the import
	// still refuses them). Negative: no limit.
	budget int64
}

// seenIDBytes is what remembering one id costs beyond its bytes.
const seenIDBytes = 64

// checkExternalIDs returns src checked as the import would check its
// external ids in a dataset.
func (s *Server) checkExternalIDs(ctx context.Context, projectID, datasetID string, src strata.ItemSource) strata.ItemSource {
	c := &externalIDCheck{src: src, seen: map[string]bool{}, budget: s.limits().MaxSyncBytes}
	d, err := s.Store.FindDataset(ctx, projectID, datasetID)
	if err != nil || d.ItemCount == 0 {
		c.err = err
		return c
	}
	c.owner = func(externalID string) (string, error) {
		var itemID string
		q := strata.ItemQuery{ProjectID: projectID, DatasetID: datasetID, Limit: 1, Filter: strata.ItemFilter{ExternalID: &externalID}}
		err := s.Store.ScanItems(ctx, q, func(it *strata.Item) error {
			itemID = it.ID
			return nil
		})
		return itemID, err
	}
	return c
}

func (c *externalIDCheck) Next() (strata.ItemInput, error) {
	if c.err != nil {
		return strata.ItemInput{}, c.err
	}
	in, err := c.src.Next()
	if err != nil || in.ExternalID == nil {
		return in, err
	}
	id := *in.ExternalID
	if c.seen[id] {
		// The store's words (sqlstore's errDuplicateRecord).
		return in, strata.Errorf(strata.EINVALID, "externalId %q is in two records: a file names each item once", id)
	}
	if c.owner != nil {
		owner, err := c.owner(id)
		if err != nil {
			return in, err
		} else if owner != "" {
			return in, strata.ErrExternalIDTaken(id, owner)
		}
	}
	if cost := int64(len(id) + seenIDBytes); c.budget < 0 || cost <= c.budget {
		c.seen[id] = true
		if c.budget >= 0 {
			c.budget -= cost
		}
	}
	return in, nil
}

func toImportResultJSON(n int, rep importer.Report) wire.ImportResult {
	return wire.ImportResult{InsertedCount: n, Mapping: toImportMapping(rep), Unmapped: nonNil(rep.Unmapped)}
}

// toImportMapping is the mapping a report says a file was read with.
func toImportMapping(rep importer.Report) wire.ImportMapping {
	orNull := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	m := wire.ImportMapping{
		Input: orNull(rep.Input), GroundTruth: orNull(rep.GroundTruth), Output: orNull(rep.Output),
		InputFrom: orNull(rep.InputFrom), Ambiguous: []wire.ImportAmbiguity{},
	}
	for _, a := range rep.Ambiguous {
		m.Ambiguous = append(m.Ambiguous, wire.ImportAmbiguity{Field: a.Field, Used: a.Used, Ignored: a.Ignored})
	}
	return m
}
