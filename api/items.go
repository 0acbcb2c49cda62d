package api

import "encoding/json"
import "net/http"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/rules"

// itemFields validates the body of an item create or update:
// {input?: string, groundTruth?: string | null, output?: string | null}.
func itemFields(v *validator, b jsonBody) strata.ItemUpdate {
	var u strata.ItemUpdate
	obj, ok := v.object(b)
	if !ok {
		return u
	}
	if input, ok := v.str("input", obj["input"], stringRule{optional: true}); ok {
		u.Input = input
	}
	u.GroundTruth, u.SetGroundTruth = v.str("groundTruth", obj["groundTruth"], stringRule{nullable: true, optional: true})
	u.Output, u.SetOutput = v.str("output", obj["output"], stringRule{nullable: true, optional: true})
	strataFields(v, obj, &u)
	return u
}

// strataFields validates Strata's item fields of a body: metadata?: object,
// splits?: string[], externalId?: string | null. Their rules (names, sizes)
// are the domain's (itemfields.go).
func strataFields(v *validator, obj map[string]json.RawMessage, u *strata.ItemUpdate) {
	if raw := obj["metadata"]; raw != nil {
		if typeOf(raw) != "object" {
			v.invalidType("metadata", "object", raw)
		} else {
			u.Metadata = raw
		}
	}
	if raw := obj["splits"]; raw != nil {
		var splits []string
		if typeOf(raw) != "array" || json.Unmarshal(raw, &splits) != nil {
			v.add("splits", "Expected an array of strings")
		} else {
			u.Splits = nonNil(splits)
		}
	}
	u.ExternalID, u.SetExternalID = v.str("externalId", obj["externalId"], stringRule{nullable: true, optional: true})
}

// GET /v1/datasets-v2/{datasetId}/items, streamed in item order; a page
// of them with limit or cursor (paging.go).
func (s *Server) listItems(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	if paged(r) {
		return s.listItemsPage(w, r, ids[0])
	}
	p, err := pageQuery(r) // search
	if err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	st := newArrayStream(w, http.StatusOK, nil)
	q := strata.ItemQuery{ProjectID: r.principal.ProjectID, DatasetID: ids[0], Search: p.search, Filter: p.filter}
	err = s.Store.ScanItems(r.ctx(), q, func(it *strata.Item) error { return st.add(toItemJSON(it)) })
	if err != nil {
		return err
	}
	return st.finish("")
}

// POST /v1/datasets-v2/{datasetId}/items
func (s *Server) createItem(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	var v validator
	u := itemFields(&v, r.body)
	err = v.err()
	var opts strata.WriteOptions
	if err == nil {
		opts, err = writeOptions(r)
	}
	if err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	in := strata.ItemInput{GroundTruth: u.GroundTruth, Output: u.Output, Metadata: u.Metadata, Splits: u.Splits,
		ExternalID: u.ExternalID}
	if u.Input != nil {
		in.Input = *u.Input
	}
	if err := rules.CheckFieldSizes(in.Input, in.GroundTruth, in.Output, s.limits().MaxFieldBytes); err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	it, err := s.Store.CreateItem(r.ctx(), r.actor(), ids[0], in, opts)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toItemJSON(it))
}

// GET /v1/datasets-v2/{datasetId}/items/{itemId}
func (s *Server) getItem(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId", "itemId")
	if err != nil {
		return err
	}
	it, err := s.Store.FindItem(r.ctx(), r.principal.ProjectID, ids[0], ids[1])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toItemJSON(it))
}

// PATCH /v1/datasets-v2/{datasetId}/items/{itemId}
func (s *Server) updateItem(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId", "itemId")
	if err != nil {
		return err
	}
	var v validator
	u := itemFields(&v, r.body)
	err = v.err()
	if err == nil && u.Empty() {
		err = errNoFields
	}
	if err == nil {
		u.MetadataMerge, err = boolParam(r, "metadataMerge")
	}
	var opts strata.WriteOptions
	if err == nil {
		opts, err = writeOptions(r)
	}
	if err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	input := ""
	if u.Input != nil {
		input = *u.Input
	}
	if err := rules.CheckFieldSizes(input, u.GroundTruth, u.Output, s.limits().MaxFieldBytes); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	it, err := s.Store.UpdateItem(r.ctx(), r.actor(), ids[0], ids[1], u, opts)
	if err != nil {
		return err
	}
	// The dataset's ETag after the update, which the store recorded in the
	// request's condition, places the update for the page cache.
	s.pages.itemUpdated(ids[0], strata.ConditionOf(r.ctx()).ETag(), it)
	return writeJSON(w, http.StatusOK, toItemJSON(it))
}

// DELETE /v1/datasets-v2/{datasetId}/items/{itemId}
func (s *Server) deleteItem(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId", "itemId")
	if err != nil {
		return err
	}
	opts, err := writeOptions(r)
	if err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	if err := s.Store.DeleteItem(r.ctx(), r.actor(), ids[0], ids[1], opts); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
