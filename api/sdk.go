package api

import "net/http"
import "strings"

import "github.com/google/uuid"

import "github.com/strata-eval/strata"

// Lunary's SDKs read a dataset with GET /v1/datasets/{slug}: the Python SDK
// (lunary.get_dataset) reads items[].input and items[].ideal_output from the
// decamelized body, the JavaScript SDK (lunary.getDataset) returns runs. This
// route serves that body for Strata's datasets, read-only:
//
//	{"id","slug","ownerId","projectId","items":[{"id","input","idealOutput"}],"runs":[...]}
//
// items and runs hold the same entries, in item order. {slug} is a slug or a
// dataset id, optionally with a version, slug@REF, or ?version=REF (any ref:
// a number, latest, a tag, an id). Without one it reads the working items,
// as Lunary does.

// sdkItemJSON is an item as Lunary's SDKs read it. idealOutput is the ground
// truth.
type sdkItemJSON struct {
	ID          string  `json:"id"`
	Input       string  `json:"input"`
	IdealOutput *string `json:"idealOutput"`
}

// sdkDatasetJSON is the head of the body; items and runs are streamed after.
type sdkDatasetJSON struct {
	ID        string  `json:"id"`
	Slug      string  `json:"slug"`
	OwnerID   *string `json:"ownerId"`
	ProjectID string  `json:"projectId"`
}

// GET /v1/datasets/{slug}
func (s *Server) sdkDataset(w http.ResponseWriter, r *request) error {
	if err := noItemFilter(r, "GET /v1/datasets/{slug}"); err != nil {
		return err
	}
	name, ref, hasRef := strings.Cut(r.PathValue("slug"), "@")
	if q, ok := r.URL.Query()["version"]; ok {
		if hasRef || len(q) != 1 {
			var v validator
			v.add("version", "Give the version once: slug@REF or ?version=REF")
			return v.err()
		}
		ref, hasRef = q[0], true
	}
	d, err := s.findDatasetBySlugOrID(r, name)
	if err != nil {
		return err
	}
	q := strata.ItemQuery{ProjectID: r.principal.ProjectID, DatasetID: d.ID}
	if hasRef && ref != strata.RefWorking {
		v, err := s.Store.ResolveVersion(r.ctx(), r.principal.ProjectID, d.ID, ref)
		if err != nil {
			return err
		}
		q.Version = v.Number
	}

	// One scan streams the same items twice, from one snapshot: the working
	// set may change meanwhile, the response does not.
	scan, err := s.Store.OpenItems(r.ctx(), q)
	if err != nil {
		return err
	}
	defer scan.Close()
	head, err := openWith(sdkDatasetJSON{ID: d.ID, Slug: d.Slug, OwnerID: d.OwnerID, ProjectID: d.ProjectID}, "items")
	if err != nil {
		return err
	}
	st := newArrayStream(w, http.StatusOK, head)
	if err := streamSDKItems(scan, st); err != nil {
		return err
	}
	if err := st.nextArray(`,"runs":`); err != nil {
		return err
	}
	if err := streamSDKItems(scan, st); err != nil {
		return err
	}
	return st.finish("}")
}

// streamSDKItems adds the items of scan to st.
func streamSDKItems(scan strata.ItemScan, st *arrayStream) error {
	for it, err := range scan.Items() {
		if err != nil {
			return err
		}
		if err := st.add(sdkItemJSON{ID: it.ID, Input: it.Input, IdealOutput: it.GroundTruth}); err != nil {
			return err
		}
	}
	return nil
}

// findDatasetBySlugOrID finds a dataset of the caller's project by its slug
// or its id.
func (s *Server) findDatasetBySlugOrID(r *request, name string) (*strata.Dataset, error) {
	if id, err := uuid.Parse(name); err == nil && len(name) == 36 {
		return s.Store.FindDataset(r.ctx(), r.principal.ProjectID, id.String())
	}
	return s.Store.FindDatasetBySlug(r.ctx(), r.principal.ProjectID, name)
}

// nextArray closes the array being written, writes sep, and opens another.
func (s *arrayStream) nextArray(sep string) error {
	if err := s.start(); err != nil {
		return err
	}
	s.buf.WriteString("]")
	s.buf.WriteString(sep)
	s.n = 0
	_, err := s.buf.WriteString("[")
	return err
}
