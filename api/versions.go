package api

import "math"
import "net/http"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/wire"

// GET /v1/datasets-v2/{datasetId}/versions
func (s *Server) listVersions(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	var v validator
	limit := v.integer("limit", queryValue(r.URL.Query(), "limit"), 1, 100, 50)
	// before pages back past the newest 100: the versions numbered below it.
	before := v.integer("before", queryValue(r.URL.Query(), "before"), 1, math.MaxInt32, 0)
	if err := v.err(); err != nil {
		return err
	}
	vs, err := s.Store.ListVersions(r.ctx(), r.principal.ProjectID, ids[0], before, limit)
	if err != nil {
		return err
	}
	out := wire.VersionList{Versions: make([]wire.Version, len(vs))}
	for i, v := range vs {
		out.Versions[i] = toVersionJSON(v)
	}
	return writeJSON(w, http.StatusOK, out)
}

// GET /v1/datasets-v2/{datasetId}/versions/{versionId}: the version and its
// items, streamed. A version never changes, so two reads see one content.
// versionId is any ref (refs.go).
func (s *Server) getVersion(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	filter, err := itemFilter(r, false)
	ver, err := s.pathVersion(r, ids[0], err)
	if err != nil {
		return err
	}
	if cacheVersion(w, r, ver, true) {
		return nil
	}
	prefix, err := openWith(map[string]wire.Version{"version": toVersionJSON(ver)}, "items")
	if err != nil {
		return err
	}
	st := newArrayStream(w, http.StatusOK, prefix)
	q := strata.ItemQuery{ProjectID: r.principal.ProjectID, DatasetID: ids[0], Version: ver.Number, Filter: filter}
	index := 0
	err = s.Store.ScanItems(r.ctx(), q, func(it *strata.Item) error {
		index++
		return st.add(toVersionItemJSON(ver, index, it))
	})
	if err != nil {
		return err
	}
	return st.finish("}")
}

// POST /v1/datasets-v2/{datasetId}/versions: snapshot the working version.
// The optional body {name?, description?} is Strata's; Lunary takes the
// dataset's own, as a missing or null one does here.
func (s *Server) createVersion(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	var v validator
	var c strata.VersionCreate
	if obj, ok := v.object(r.body); ok {
		c.Name, _ = v.str("name", obj["name"], stringRule{nullable: true, optional: true})
		c.Description, _ = v.str("description", obj["description"], stringRule{nullable: true, optional: true})
	}
	err = v.rules(c.Validate(), "name", "description")
	if verr := v.err(); verr != nil {
		err = verr
	}
	if err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	ver, d, err := s.Store.CreateVersion(r.ctx(), r.actor(), ids[0], c)
	if err != nil {
		return err
	}
	s.pages.itemUpdated(ids[0], d.ETag, nil) // a snapshot changes no item
	return writeJSON(w, http.StatusCreated, wire.VersionCreated{Version: toVersionJSON(ver), Dataset: toDatasetDetailJSON(d)})
}

// POST /v1/datasets-v2/{datasetId}/versions/{versionId}/restore: the
// dataset with the items of the snapshot the restore made. versionId is any
// ref (refs.go).
func (s *Server) restoreVersion(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	d, _, err := s.Store.RestoreVersion(r.ctx(), r.actor(), ids[0], r.PathValue("versionId"))
	if err != nil {
		return err
	}
	prefix, end, err := openDatasetWithItems(d)
	if err != nil {
		return err
	}
	st := newArrayStream(w, http.StatusOK, prefix)
	q := strata.ItemQuery{ProjectID: r.principal.ProjectID, DatasetID: ids[0], Version: d.CurrentVersionNumber}
	err = s.Store.ScanItems(r.ctx(), q, func(it *strata.Item) error { return st.add(toEmbeddedItemJSON(it)) })
	if err != nil {
		return err
	}
	return st.finish(end)
}
