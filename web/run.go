package web

import "encoding/json"
import "errors"
import "net/http"
import "strconv"

import "github.com/strata-eval/strata"

// The run page: a run's slots with their pass counts, then its items,
// failing and unknown ones first, each result with its reason.
//
// A completed run wrote its results into the version it created, so the
// page reads that version's items and judges each result with the slot's
// pass rule as the run recorded it (strata.PassOutcome, as the run's counts
// were computed). Items are read in order and in one stream from the page's
// cursor, stopping as soon as the page is full: a page of failures costs
// the items up to the last one shown, never the whole dataset held in
// memory, and the read stops once it has met as many failing and unknown
// results as the run counted. A run over some items (its filter) counted
// only those: the read keeps to them too, as the version's other items may
// hold results of older runs.

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
	passes  bool         // some slot passed it

	problems, passCount int // outcomes: fail or unknown, pass
}

// count is the number of the item's outcomes of the kind show lists.
func (ri runItem) count(show string) int {
	switch show {
	case "problems":
		return ri.problems
	case "passing":
		return ri.passCount
	}
	return 0
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
		seen  int // outcomes of the kind listed, up to the last item shown
	)
	if run.VersionNumber != nil {
		slots, err := runEvaluators(run) // item.go
		if err != nil {
			return err
		}
		// The run counted the outcomes this view lists: once the items read
		// hold that many, no later item is listed, and the read stops. The
		// links carry how many the items before the cursor held.
		want := 0
		for _, sl := range run.Slots {
			switch show {
			case "problems":
				want += sl.FailCount + sl.UnknownCount
			case "passing":
				want += sl.PassCount
			}
		}
		filter, err := runFilter(run)
		if err != nil {
			return err
		}
		seen, _ = strconv.Atoi(ss.FormValue("seen"))
		q := strata.ItemQuery{ProjectID: project, DatasetID: id, Version: *run.VersionNumber, AfterSeq: after, Filter: filter}
		counted := seen
		err = s.Store.ScanItems(ctx, q, func(it *strata.Item) error {
			if show != "all" && counted >= want {
				return errPageFull
			}
			ri := judgeRun(run, slots, it)
			shown := ri.shownIn(show)
			if shown && len(items) == size {
				next = items[size-1].Seq
				return errPageFull
			}
			counted += ri.count(show)
			if shown {
				items = append(items, ri)
				seen = counted
			}
			return nil
		})
		if err != nil && !errors.Is(err, errPageFull) {
			return err
		}
		for i := range items {
			items[i].views(run, slots)
		}
	}
	s.render(w, http.StatusOK, "run", s.data(ss, map[string]any{
		"Dataset": d, "Run": run, "Items": items, "Show": show, "Shows": runShows,
		"List": newListing(ss, "run "+run.ID+"\x00"+show, after, size, len(items), -1, next), "First": after != 0, "Seen": seen, "Notice": ss.notice(),
	}))
	return nil
}

// runFilter is the filter a run recorded; the zero filter for a run over
// every item.
func runFilter(run *strata.Run) (strata.ItemFilter, error) {
	if run.Filter == nil {
		return strata.ItemFilter{}, nil
	}
	f, err := strata.ParseItemFilter(*run.Filter)
	if err != nil {
		return f, strata.Errorf(strata.EINTERNAL, "run %s: %v", run.ID, err)
	}
	return f, nil
}

// judgeRun reads an item's results in the run's slots. Only the outcomes
// are computed here, for every item read; the views of the results (their
// reasons, their JSON) only for the items shown.
func judgeRun(run *strata.Run, slots [strata.MaxEvaluatorSlots]slotEvaluator, it *strata.Item) runItem {
	raws := results(it)
	ri := runItem{Item: it}
	for _, sl := range run.Slots {
		switch strata.PassOutcome(slots[sl.Slot-1].Config, raws[sl.Slot-1]) {
		case strata.OutcomeFail:
			ri.Fails, ri.problems = true, ri.problems+1
		case strata.OutcomeUnknown:
			ri.Unknown, ri.problems = true, ri.problems+1
		case strata.OutcomePass:
			ri.passes, ri.passCount = true, ri.passCount+1
		}
	}
	return ri
}

// views fills in the results of an item that is shown.
func (ri *runItem) views(run *strata.Run, slots [strata.MaxEvaluatorSlots]slotEvaluator) {
	raws := results(ri.Item)
	for _, sl := range run.Slots {
		se := slots[sl.Slot-1]
		ri.Results = append(ri.Results, judge(sl.Slot, se.Name, se.Config, raws[sl.Slot-1]))
	}
}

// results are an item's results by slot.
func results(it *strata.Item) [strata.MaxEvaluatorSlots]json.RawMessage {
	return [strata.MaxEvaluatorSlots]json.RawMessage{it.EvaluatorResult1, it.EvaluatorResult2, it.EvaluatorResult3, it.EvaluatorResult4, it.EvaluatorResult5}
}

// shownIn reports whether the view show lists the item.
func (ri runItem) shownIn(show string) bool {
	switch show {
	case "problems":
		return ri.Fails || ri.Unknown
	case "passing":
		return ri.passes && !ri.Fails && !ri.Unknown
	}
	return true
}
