package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/strata-eval/strata"
)

// The run page: a run's slots with their pass counts, then its items,
// failing and unknown ones first, each result with its reason.
//
// A completed run wrote its results into the version it created, so the
// page reads that version's items and judges each result with the slot's
// pass rule as the run recorded it (strata.PassOutcome, as the run's counts
// were computed). Items are read in order and in one stream from the page's
// cursor, stopping as soon as the page is full: a page of failures costs
// the items up to the last one shown, never the whole dataset held in
// memory.

// runShows are the views of a run's items, the first the default.
var runShows = []struct{ Value, Label string }{
	{"problems", "Failing or unknown"},
	{"passing", "Passing"},
	{"all", "All items"},
}

// runItem is an item with the run's verdicts on it.
type runItem struct {
	*strata.Item
	Results []resultView // one per slot of the run
	Fails   bool         // some slot failed it
	Unknown bool         // some slot could not judge it
}

// errPageFull stops a scan once a page is full.
var errPageFull = errors.New("page full")

func (s *Server) runPage(w http.ResponseWriter, ss *session) error {
	ctx, id, project := ss.Context(), ss.PathValue("id"), ss.principal.ProjectID
	d, err := s.Store.FindDataset(ctx, project, id)
	if err != nil {
		return err
	}
	run, err := s.Store.FindRun(ctx, project, id, ss.PathValue("runId"))
	if err != nil {
		return err
	}
	show := ss.FormValue("show")
	if show != "passing" && show != "all" {
		show = "problems"
	}
	size := pageSizeOf(ss)
	after, _ := strconv.ParseInt(ss.FormValue("after"), 10, 64)
	var (
		items []runItem
		next  int64
	)
	if run.VersionNumber != nil {
		configs := make([]*strata.EvaluatorConfig, len(run.Slots))
		for i, sl := range run.Slots {
			configs[i] = strata.ParseEvaluatorConfig(sl.Config)
		}
		q := strata.ItemQuery{ProjectID: project, DatasetID: id, Version: *run.VersionNumber, AfterSeq: after}
		err := s.Store.ScanItems(ctx, q, func(it *strata.Item) error {
			ri := judgeRun(run, configs, it)
			if !ri.shownIn(show) {
				return nil
			}
			if len(items) == size {
				next = items[size-1].Seq
				return errPageFull
			}
			items = append(items, ri)
			return nil
		})
		if err != nil && !errors.Is(err, errPageFull) {
			return err
		}
	}
	s.render(w, http.StatusOK, "run", s.data(ss, map[string]any{
		"Dataset": d, "Run": run, "Items": items, "Show": show, "Shows": runShows,
		"List": newListing(ss, size, len(items), -1, next), "First": after != 0, "Notice": ss.FormValue("notice"),
	}))
	return nil
}

// judgeRun reads an item's results in the run's slots.
func judgeRun(run *strata.Run, configs []*strata.EvaluatorConfig, it *strata.Item) runItem {
	raws := [strata.MaxEvaluatorSlots]json.RawMessage{it.EvaluatorResult1, it.EvaluatorResult2, it.EvaluatorResult3, it.EvaluatorResult4, it.EvaluatorResult5}
	ri := runItem{Item: it}
	for i, sl := range run.Slots {
		name := "slot " + strconv.Itoa(sl.Slot)
		if sl.EvaluatorName != nil {
			name = *sl.EvaluatorName
		}
		var raw json.RawMessage
		if sl.Slot >= 1 && sl.Slot <= strata.MaxEvaluatorSlots {
			raw = raws[sl.Slot-1]
		}
		v := judge(sl.Slot, name, configs[i], raw)
		ri.Fails = ri.Fails || v.Outcome == "fail"
		ri.Unknown = ri.Unknown || v.Outcome == "unknown"
		ri.Results = append(ri.Results, v)
	}
	return ri
}

// shownIn reports whether the view show lists the item.
func (ri runItem) shownIn(show string) bool {
	switch show {
	case "problems":
		return ri.Fails || ri.Unknown
	case "passing":
		if ri.Fails || ri.Unknown {
			return false
		}
		for _, r := range ri.Results {
			if r.Outcome == "pass" {
				return true
			}
		}
		return false
	}
	return true
}
