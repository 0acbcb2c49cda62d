package api

import "net/http"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/wire"

// GET /v1/datasets-v2/{datasetId}/diff?from={ref}&to={ref}: what changed
// from one version to another (either may be "working"; from may be the
// newer, which describes going back), counted in full and listed a page at a
// time (limit 1-1000, default 100; cursor). It costs O(changes).
func (s *Server) diffVersions(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	var v validator
	qs := r.URL.Query()
	from, _ := v.str("from", queryValue(qs, "from"), stringRule{min: 1})
	to, _ := v.str("to", queryValue(qs, "to"), stringRule{min: 1})
	limit := v.integer("limit", queryValue(qs, "limit"), 1, maxPageLimit, defaultPageLimit)
	after, _ := v.cursor(qs)
	filter, err := queryFilter(r, v.err(), false)
	if err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	d, err := s.Store.DiffVersions(r.ctx(), strata.DiffQuery{
		ProjectID: r.principal.ProjectID, DatasetID: ids[0], From: *from, To: *to, AfterSeq: after, Limit: limit,
		Filter: filter,
	})
	if err != nil {
		return err
	}
	out := wire.Diff{
		From: toVersion(d.From), To: toVersion(d.To), FromVersionNumber: d.FromNumber, ToVersionNumber: d.ToNumber,
		Counts:  wire.DiffCounts{Added: d.Added, Removed: d.Removed, Modified: d.Modified, Unchanged: d.Unchanged},
		Changes: make([]wire.Change, len(d.Changes)),
	}
	for i, c := range d.Changes {
		out.Changes[i] = toChangeJSON(c)
	}
	if d.More {
		next := encodeCursor(d.Changes[len(d.Changes)-1].Seq, 0)
		out.NextCursor = &next
	}
	return writeJSON(w, http.StatusOK, out)
}
