package api

import "bufio"
import "bytes"
import "encoding/json"
import "io"
import "net/http"
import "strings"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"
import "github.com/strata-eval/strata/internal/rules"
import "github.com/strata-eval/strata/wire"

// Sync and upsert (sync.go in the domain).
//
// PUT /v1/datasets-v2/{datasetId}/items makes the working set equal to the
// file in the body: JSONL (application/x-ndjson) or CSV (text/csv) streamed
// as a raw import is, a JSON array of item objects (application/json,
// streamed too), or Lunary's import object {"format", "content"}. Query:
// skipVersion, dryRun, and name and description for the version it makes.
// POST .../import?mode=upsert takes the same bodies as an import.
// Both answer the counts and the version made (null when nothing changed and
// the head held the file, or skipVersion); a dry run also lists the first
// changes.

// syncPattern is the route of a sync: it reads its own body.
const syncPattern = "PUT /v1/datasets-v2/{datasetId}/items"

// syncChangeLimit is how many changes a dry run lists.
const syncChangeLimit = 100

func toSyncResultJSON(res *strata.SyncResult, rep importer.Report, dry bool) wire.SyncResult {
	out := wire.SyncResult{Added: res.Added, Modified: res.Modified, Removed: res.Removed, Unchanged: res.Unchanged,
		Version: toVersion(res.Version), Mapping: toImportMapping(rep), Unmapped: nonNil(rep.Unmapped)}
	if dry {
		out.Changes = make([]wire.Change, len(res.Changes))
		for i, c := range res.Changes {
			out.Changes[i] = toChangeJSON(c)
		}
		out.More = &res.More
	}
	return out
}

func toChangeJSON(c *strata.Change) wire.Change {
	cj := wire.Change{ItemID: c.ItemID, Change: string(c.Kind)}
	if c.Before != nil {
		cj.Before = toItem(c.Before)
	}
	if c.After != nil {
		cj.After = toItem(c.After)
	}
	return cj
}

// syncOptions reads the query of a sync or upsert.
func syncOptions(r *request) (strata.SyncOptions, error) {
	w, err := writeOptions(r)
	if err != nil {
		return strata.SyncOptions{}, err
	}
	o := strata.SyncOptions{SkipVersion: w.SkipVersion, ChangeLimit: syncChangeLimit}
	if o.DryRun, err = boolParam(r, "dryRun"); err != nil {
		return o, err
	}
	var v validator
	qs := r.URL.Query()
	o.Name, _ = v.str("name", queryValue(qs, "name"), stringRule{optional: true, min: 1, max: strata.MaxNameLength})
	o.Description, _ = v.str("description", queryValue(qs, "description"), stringRule{optional: true, max: strata.MaxDescriptionLength})
	if err := v.err(); err != nil {
		return o, err
	}
	for field, p := range map[string]*string{"name": o.Name, "description": o.Description} {
		if p != nil {
			if err := strata.CheckText(field, *p); err != nil {
				return o, err
			}
		}
	}
	return o, nil
}

// PUT /v1/datasets-v2/{datasetId}/items
func (s *Server) syncItems(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	o, err := syncOptions(r)
	var m importer.Mapping
	if err == nil {
		m, err = importer.ParseMapping(r.URL.Query()) // import_map.go: map.FIELD=COLUMN, inputFrom
	}
	if err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	// A dataset that is not there is reported before the file is received.
	if _, err := s.Store.FindDataset(r.ctx(), r.principal.ProjectID, ids[0]); err != nil {
		return err
	}
	src, file, err := s.syncSource(w, r, s.importConfig(m))
	if err != nil {
		return err
	}
	if file != nil {
		defer file.Close()
	}
	return s.applySync(w, r, ids[0], src, o)
}

// upsertOptions are the sync options of an import with mode=upsert: a dry
// run writes nothing and answers what the upsert would do, as a sync's.
func upsertOptions(w strata.WriteOptions, o importOptions) strata.SyncOptions {
	return strata.SyncOptions{Upsert: true, SkipVersion: w.SkipVersion, DryRun: o.dryRun, ChangeLimit: syncChangeLimit}
}

// applySync runs a sync or upsert, within the memory the limits give it, and
// answers its result.
func (s *Server) applySync(w http.ResponseWriter, r *request, datasetID string, src strata.ItemSource, o strata.SyncOptions) error {
	o.MaxBytes = s.limits().MaxSyncBytes
	res, err := s.Store.SyncItems(r.ctx(), r.actor(), datasetID, s.importLimits().Limit(src), o)
	if err != nil {
		return err
	}
	var rep importer.Report
	if src, ok := src.(importer.Source); ok {
		rep = src.Report()
	}
	return writeJSON(w, http.StatusOK, toSyncResultJSON(res, rep, o.DryRun))
}

// syncSource receives the body of a sync into a temporary file, as a raw
// import is (so that the sync's transaction never waits on the network),
// and opens it as a stream of records. The file, when there is one, is the
// caller's to close.
func (s *Server) syncSource(w http.ResponseWriter, r *request, cfg importer.Config) (strata.ItemSource, *rules.Upload, error) {
	l := s.limits()
	ct := r.Header.Get("Content-Type")
	format := rawImportFormat(ct)
	if format == "" && !jsonContentType(ct) {
		return nil, nil, strata.Errorf(strata.EUNSUPPORTED, "A sync body is JSONL (application/x-ndjson or application/jsonl), CSV (text/csv) or JSON (application/json)")
	}
	if r.ContentLength > l.MaxImportBytes {
		return nil, nil, errBodyTooLarge
	}
	if deadline, ok := r.Context().Deadline(); ok {
		http.NewResponseController(w).SetReadDeadline(deadline)
	}
	file, err := rules.Spool(rules.NewBodyReader(http.MaxBytesReader(w, r.Body, l.MaxImportBytes)), l.MaxImportBytes)
	if err != nil {
		return nil, nil, err
	}
	src, err := s.openSync(r, cfg, format, file)
	if err != nil {
		file.Close()
		return nil, nil, err
	}
	return src, file, nil
}

// openSync reads a received sync body: a file in format, or JSON.
func (s *Server) openSync(r *request, cfg importer.Config, format string, file io.Reader) (strata.ItemSource, error) {
	if format != "" {
		return cfg.New(format, file)
	}
	// JSON: an array of items, streamed, or Lunary's import object.
	br := bufio.NewReader(file)
	first, err := firstNonSpace(br)
	if err != nil || (first != '[' && first != '{') {
		return nil, strata.Errorf(strata.EINVALID, "A sync body is a file or a JSON array or object")
	}
	if first == '[' {
		return cfg.NewJSONArray(br), nil
	}
	// The import object is read whole, within the JSON body limit.
	max := s.maxBodyBytes()
	var buf bytes.Buffer
	if n, err := buf.ReadFrom(&limitReader{r: br, n: max + 1}); err != nil {
		return nil, err
	} else if n > max {
		return nil, errBodyTooLarge
	}
	var obj map[string]json.RawMessage
	if buf.Len() > 0 {
		var err error
		if obj, err = parseObject(buf.Bytes()); err != nil { // body.go: as every JSON body
			return nil, err
		}
	}
	r.body = jsonBody{object: obj}
	format, content, _, err := importInput(r)
	if err != nil {
		return nil, err
	}
	return cfg.New(format, content)
}

// firstNonSpace peeks at the first byte of br after white space.
func firstNonSpace(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if !strings.ContainsRune(" \t\r\n", rune(b)) {
			return b, br.UnreadByte()
		}
	}
}

// limitReader reads at most n bytes.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// importMode reads the mode of an import: "append" (the default) or
// "upsert".
func importMode(r *request) (upsert bool, err error) {
	var v validator
	mode := v.enum("mode", queryValue(r.URL.Query(), "mode"), []string{"append", "upsert"}, "append")
	return mode == "upsert", v.err()
}
