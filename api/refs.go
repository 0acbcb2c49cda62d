package api

import "net/http"
import "strconv"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/rules"
import "github.com/strata-eval/strata/wire"

// Version refs, tags and item histories, Strata's extensions. Wherever a
// path names a version ({versionId}), it takes a ref: the version's UUID, its
// number, "latest" or a tag (strata.ParseRef). A segment that is no ref at
// all names no version: 404, like an unknown one.

// checkTag validates the {tag} path parameter, with zod's wording.
func checkTag(r *request) error { return rules.CheckTag(r.PathValue("tag")) }

// PUT /v1/datasets-v2/{datasetId}/versions/{versionId}/tags/{tag}: point the
// tag at the version, creating it or moving it from another version.
func (s *Server) tagVersion(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	if err := checkTag(r); err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	v, moved, err := s.Store.TagVersion(r.ctx(), r.actor(), ids[0], r.PathValue("versionId"), r.PathValue("tag"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, wire.Tagged{Version: toVersionJSON(v), MovedFrom: moved})
}

// DELETE /v1/datasets-v2/{datasetId}/versions/{versionId}/tags/{tag}: remove
// the tag from the version it names (404 if it names another).
func (s *Server) untagVersion(w http.ResponseWriter, r *request) error {
	return s.untag(w, r, r.PathValue("versionId"))
}

// DELETE /v1/datasets-v2/{datasetId}/tags/{tag}: remove the tag.
func (s *Server) deleteTag(w http.ResponseWriter, r *request) error {
	return s.untag(w, r, "")
}

func (s *Server) untag(w http.ResponseWriter, r *request, ref string) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	if err := s.Store.UntagVersion(r.ctx(), r.actor(), ids[0], ref, r.PathValue("tag")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GET /v1/datasets-v2/{datasetId}/tags: the dataset's tags, by name.
func (s *Server) listTags(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	// Streamed, a tag at a time, as wire.TagList.
	st := newArrayStream(w, http.StatusOK, []byte(`{"tags":`))
	err = s.Store.ListTags(r.ctx(), r.principal.ProjectID, ids[0], func(t *strata.Tag) error {
		return st.add(wire.Tag{Name: t.Name, VersionID: t.VersionID, VersionNumber: t.VersionNumber, CreatedAt: timestamp(t.CreatedAt)})
	})
	if err != nil {
		return err
	}
	return st.finish("}")
}

// GET /v1/datasets-v2/{datasetId}/items/{itemId}/history: every content the
// item had and the versions that hold it, oldest first, also once deleted.
func (s *Server) itemHistory(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId", "itemId")
	if err != nil {
		return err
	}
	// Streamed, a revision at a time: an item edited ten thousand times is
	// sent without being held. Whether it is deleted is known at the end.
	prefix, err := openWith(map[string]string{"itemId": ids[1]}, "revisions")
	if err != nil {
		return err
	}
	st := newArrayStream(w, http.StatusOK, prefix)
	deleted := false
	err = s.Store.ItemHistory(r.ctx(), r.principal.ProjectID, ids[0], ids[1], func(rev *strata.Revision) error {
		deleted = rev.LastVersion != nil
		return st.add(wire.Revision{
			RevisionID: rev.RevisionID, FirstVersion: rev.FirstVersion, LastVersion: rev.LastVersion,
			ItemContent: toContent(&rev.Item),
			CreatedAt:   timestamp(rev.CreatedAt), UpdatedAt: timestamp(rev.UpdatedAt),
			EvaluatorResults: toResults(&rev.Item),
			ItemFields:       wire.ItemFields(toItemFieldsJSON(&rev.Item)),
		})
	})
	if err != nil {
		return err
	}
	return st.finish(`,"deleted":` + strconv.FormatBool(deleted) + `}`)
}
