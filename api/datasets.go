package api

import "io"
import "net/http"

import "github.com/strata-eval/strata"

var datasetSorts = []string{
	string(strata.SortNewest), string(strata.SortAlphabetical), string(strata.SortItems), string(strata.SortUpdated),
}

// GET /v1/datasets-v2
func (s *Server) listDatasets(w http.ResponseWriter, r *request) error {
	var v validator
	q := r.URL.Query()
	search, _ := v.str("search", queryValue(q, "search"), stringRule{trim: true, min: 1, max: 255, optional: true})
	sort := v.enum("sort", queryValue(q, "sort"), datasetSorts, string(strata.SortNewest))
	if err := v.err(); err != nil {
		return err
	}
	f := strata.DatasetFilter{Sort: strata.DatasetSort(sort)}
	if search != nil {
		f.Search = *search
	}
	// Streamed, a dataset at a time: a project's list is never held whole.
	st := newArrayStream(w, http.StatusOK, nil)
	err := s.Store.ListDatasets(r.ctx(), r.principal.ProjectID, f, func(d *strata.Dataset) error {
		return st.add(toDatasetListJSON(d))
	})
	if err != nil {
		return err
	}
	return st.finish("")
}

// datasetInput validates Lunary's DatasetInputSchema, or its .partial() for
// an update.
func datasetInput(v *validator, b jsonBody, partial bool) (name, description *string, setName, setDescription bool) {
	obj, ok := v.object(b)
	if !ok {
		return nil, nil, false, false
	}
	name, setName = v.str("name", obj["name"], stringRule{trim: true, optional: partial})
	description, setDescription = v.str("description", obj["description"], stringRule{trim: true, nullable: true, optional: true})
	return name, description, setName, setDescription
}

// POST /v1/datasets-v2
func (s *Server) createDataset(w http.ResponseWriter, r *request) error {
	var v validator
	name, description, _, _ := datasetInput(&v, r.body, false)
	c := strata.DatasetCreate{Description: description}
	if name != nil {
		c.Name = *name
	}
	textErr := v.rules(c.Validate(), "name", "description")
	if err := v.err(); err != nil {
		return err
	}
	if textErr != nil {
		return textErr
	}
	d, err := s.Store.CreateDataset(r.ctx(), r.actor(), c)
	if err != nil {
		return err
	}
	setETag(w, d)
	return writeJSON(w, http.StatusCreated, toDatasetDetailJSON(d))
}

// GET /v1/datasets-v2/{datasetId}: the dataset and its items, read in one
// snapshot and streamed.
func (s *Server) getDataset(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	if err := noItemFilter(r, "GET /v1/datasets-v2/{datasetId}"); err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	ws := s.pages.workingSet(w) // pagecache.go
	if s.pages != nil {
		// The dataset alone is one statement; when the cache holds its
		// items at its ETag, no read transaction is needed.
		d, err := s.Store.FindDataset(r.ctx(), r.principal.ProjectID, ids[0])
		if err != nil {
			return err
		}
		if ws.read(d) {
			return sendKeptWorkingSet(w, ws, d)
		}
	}
	scan, err := s.Store.OpenItems(r.ctx(), strata.ItemQuery{ProjectID: r.principal.ProjectID, DatasetID: ids[0]})
	if err != nil {
		return err
	}
	defer scan.Close()
	d := scan.Dataset()
	if ws.read(d) { // changed since, to a state the cache holds
		return sendKeptWorkingSet(w, ws, d)
	}
	setETag(w, d)
	prefix, end, err := openDatasetWithItems(d)
	if err != nil {
		return err
	}
	st := newArrayStream(ws, http.StatusOK, prefix)
	for it, err := range scan.Items() {
		if err != nil {
			return err
		}
		if err := st.add(ws.add(it)); err != nil {
			return err
		}
	}
	if err := st.finish(end); err != nil {
		return err
	}
	ws.keep(prefix, end)
	return nil
}

// sendKeptWorkingSet answers with the object of d around the items the
// cache keeps for it (ws.read found them).
func sendKeptWorkingSet(w http.ResponseWriter, ws *workingSetRead, d *strata.Dataset) error {
	setETag(w, d)
	prefix, end, err := openDatasetWithItems(d)
	if err != nil {
		return err
	}
	return ws.send(prefix, end)
}

// PATCH /v1/datasets-v2/{datasetId}
func (s *Server) updateDataset(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	var v validator
	name, description, setName, setDescription := datasetInput(&v, r.body, true)
	slug := slugInput(&v, r.body)
	u := strata.DatasetUpdate{Name: name, Description: description, SetDescription: setDescription, Slug: slug}
	textErr := v.rules(u.Validate(), "name", "description")
	if err := v.err(); err != nil {
		return err
	}
	if !setName && !setDescription && slug == nil {
		return errNoFields
	}
	if textErr != nil {
		return s.afterLookup(r, ids[0], textErr)
	}
	opts, err := writeOptions(r)
	if err != nil {
		return err
	}
	d, err := s.Store.UpdateDataset(r.ctx(), r.actor(), ids[0], u, opts)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toDatasetDetailJSON(d))
}

// slugInput validates an update's optional slug (slug.go): 422 when it is
// not one.
func slugInput(v *validator, b jsonBody) *string {
	if b.array {
		return nil // datasetInput reported it
	}
	slug, set := v.str("slug", b.object["slug"], stringRule{optional: true})
	if !set || slug == nil {
		return nil
	}
	if !strata.ValidSlug(*slug) {
		v.add("slug", strata.ErrSlugMalformed.Message)
		return nil
	}
	return slug
}

var errNoFields = &strata.Error{Code: strata.EINVALID, Message: "No fields to update"}

// DELETE /v1/datasets-v2/{datasetId}
func (s *Server) deleteDataset(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	if err := s.Store.DeleteDataset(r.ctx(), r.actor(), ids[0]); err != nil {
		return err
	}
	s.pages.dropDataset(ids[0])
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// POST /v1/datasets-v2/{datasetId}/duplicate
func (s *Server) duplicateDataset(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	d, err := s.Store.DuplicateDataset(r.ctx(), r.actor(), ids[0])
	if err != nil {
		return err
	}
	setETag(w, d)
	return writeJSON(w, http.StatusCreated, toDatasetDetailJSON(d))
}

var importFormats = []string{"csv", "jsonl"}

// POST /v1/datasets-v2/{datasetId}/import
func (s *Server) importItems(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	if streamsBody(r.Request) { // the file itself: import_stream.go
		return s.importStream(w, r, ids[0], rawImportFormat(r.Header.Get("Content-Type")))
	}
	format, content, opts, err := importInput(r)
	var upsert bool
	if err == nil {
		upsert, err = importMode(r)
	}
	if err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	o, err := parseImportOptions(r)
	if err == nil && upsert {
		var src strata.ItemSource
		if src, err = s.importConfig(o.mapping).New(format, content); err == nil {
			return s.applySync(w, r, ids[0], src, upsertOptions(opts, o))
		}
	}
	if err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	f := importFile{datasetID: ids[0], format: format, body: content, cause: func(err error) error { return err }}
	return s.importFile(w, r, f, opts, o)
}

// importInput reads Lunary's import body {format, content}; the content is
// read from the body as the import goes (jsonstring.go).
func importInput(r *request) (format string, content io.Reader, opts strata.WriteOptions, err error) {
	var v validator
	if obj, ok := v.object(r.body); ok {
		format = v.enum("format", obj["format"], importFormats, "")
		content = v.strReader("content", obj["content"])
	}
	if err := v.err(); err != nil {
		return "", nil, strata.WriteOptions{}, err
	}
	opts, err = writeOptions(r)
	return format, content, opts, err
}

// afterLookup returns err, unless the dataset is not found: Lunary looks the
// dataset up before it validates a body, so a missing dataset is reported
// first. The lookup is only made when there is an error to report.
func (s *Server) afterLookup(r *request, datasetID string, err error) error {
	if _, lerr := s.Store.FindDataset(r.ctx(), r.principal.ProjectID, datasetID); lerr != nil {
		return lerr
	}
	return err
}

// writeOptions reads Lunary's auto-version flag: skipVersion, or else
// skipVersioning, skips when it is true, 1 or yes in any case. Lunary fails
// with a 500 on a repeated flag; here it is a 400.
func writeOptions(r *request) (strata.WriteOptions, error) {
	for _, key := range []string{"skipVersion", "skipVersioning"} {
		if r.URL.Query().Has(key) {
			skip, err := queryFlag(r, key)
			return strata.WriteOptions{SkipVersion: skip}, err
		}
	}
	return strata.WriteOptions{}, nil
}
