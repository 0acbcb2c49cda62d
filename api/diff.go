package api

import (
	"net/http"

	"github.com/strata-eval/strata"
)

// changeJSON is one changed item of a diff.
type changeJSON struct {
	ItemID string    `json:"itemId"`
	Change string    `json:"change"`
	Before *itemJSON `json:"before"`
	After  *itemJSON `json:"after"`
}

type diffCountsJSON struct {
	Added     int `json:"added"`
	Removed   int `json:"removed"`
	Modified  int `json:"modified"`
	Unchanged int `json:"unchanged"`
}

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
	var after int64
	if raw := queryValue(qs, "cursor"); raw != nil {
		if c, ok := v.str("cursor", raw, stringRule{}); ok {
			var valid bool
			if after, _, valid = decodeCursor(*c); !valid {
				v.add("cursor", "Invalid cursor")
			}
		}
	}
	err = v.err()
	var filter strata.ItemFilter
	if err == nil {
		filter, err = itemFilter(r)
	}
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
	out := struct {
		From              *versionJSON   `json:"from"`
		To                *versionJSON   `json:"to"`
		FromVersionNumber int            `json:"fromVersionNumber"`
		ToVersionNumber   int            `json:"toVersionNumber"`
		Counts            diffCountsJSON `json:"counts"`
		Changes           []changeJSON   `json:"changes"`
		NextCursor        *string        `json:"nextCursor"`
	}{
		FromVersionNumber: d.FromNumber, ToVersionNumber: d.ToNumber,
		Counts:  diffCountsJSON{Added: d.Added, Removed: d.Removed, Modified: d.Modified, Unchanged: d.Unchanged},
		Changes: make([]changeJSON, len(d.Changes)),
	}
	if d.From != nil {
		v := toVersionJSON(d.From)
		out.From = &v
	}
	if d.To != nil {
		v := toVersionJSON(d.To)
		out.To = &v
	}
	for i, c := range d.Changes {
		cj := changeJSON{ItemID: c.ItemID, Change: string(c.Kind)}
		if c.Before != nil {
			it := toItemJSON(c.Before)
			cj.Before = &it
		}
		if c.After != nil {
			it := toItemJSON(c.After)
			cj.After = &it
		}
		out.Changes[i] = cj
	}
	if d.More {
		next := encodeCursor(d.Changes[len(d.Changes)-1].Seq, 0)
		out.NextCursor = &next
	}
	return writeJSON(w, http.StatusOK, out)
}
