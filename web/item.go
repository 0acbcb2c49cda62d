package web

import "bytes"
import "encoding/json"
import "net/http"
import "slices"
import "strconv"
import "strings"
import "time"

import "github.com/strata-eval/strata"

// The item page: an item's fields in full, its evaluator results with their
// reasons, and its history, one revision per content it had, with the words
// that changed from the revision before marked and the versions that hold
// each revision.

// maxTimeline bounds the revisions the item page shows, newest first: each
// costs a word diff.
const maxTimeline = 20

// slotEvaluator is what a dataset's slot judges with.
type slotEvaluator struct {
	Slot   int
	Name   string // "" for an empty slot
	Config *strata.EvaluatorConfig
}

// slotEvaluators names the evaluators of a dataset's slots and parses their
// pass rules.
func (s *Server) slotEvaluators(ss *session, d *strata.Dataset) ([strata.MaxEvaluatorSlots]slotEvaluator, error) {
	var out [strata.MaxEvaluatorSlots]slotEvaluator
	labels, err := s.slotLabels(ss, d)
	if err != nil {
		return out, err
	}
	for i, e := range labels {
		out[i] = slotEvaluator{Slot: i + 1, Config: strata.ParseEvaluatorConfig(d.Config(i + 1))}
		if e != nil {
			out[i].Name = e.Name
		}
	}
	return out, nil
}

// runsRead bounds the runs a version page reads to find the run that gave
// its results: the newest, as many as the API lists at most.
const runsRead = 100

// restoresFollowed bounds the restores followed back to the run that gave a
// version's results: each costs a read.
const restoresFollowed = 2

// versionEvaluators are the evaluators that gave the results version n of
// a dataset holds, named and with pass rules as the run that gave them
// recorded them (resultsRun); the dataset's slots now when no run is found.
func (s *Server) versionEvaluators(ss *session, d *strata.Dataset, n int) ([strata.MaxEvaluatorSlots]slotEvaluator, error) {
	run, err := s.resultsRun(ss, d.ID, n)
	if err != nil {
		return [strata.MaxEvaluatorSlots]slotEvaluator{}, err
	} else if run == nil {
		return s.slotEvaluators(ss, d)
	}
	return runEvaluators(run)
}

// resultsRun finds the run whose results version n holds. A run writes its
// results and snapshots them as a version; later versions keep them, and a
// restore brings back those of the version it restores. So the run is the
// latest one at or before n, unless a restore came after it: then it is the
// run whose results the restored version holds. The reads are bounded: the
// newest runsRead runs, the newest page of the versions after a run, and
// at most restoresFollowed restores. Nil when no run read is at or before
// n.
func (s *Server) resultsRun(ss *session, datasetID string, n int) (*strata.Run, error) {
	ctx, project := ss.Context(), ss.principal.ProjectID
	runs, err := s.Store.ListRuns(ctx, project, datasetID, runsRead)
	if err != nil {
		return nil, err
	}
	for followed := 0; ; followed++ {
		var run *strata.Run
		for _, r := range runs {
			// Runs are listed as they started, not as they completed.
			if m := r.VersionNumber; m != nil && *m <= n && (run == nil || *m > *run.VersionNumber) {
				run = r
			}
		}
		if run == nil || *run.VersionNumber == n || followed == restoresFollowed {
			return run, nil
		}
		since, err := s.Store.ListVersions(ctx, project, datasetID, n+1, min(n-*run.VersionNumber, versionsPageSize))
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(since, func(v *strata.Version) bool { return v.RestoredFromNumber != nil })
		if i < 0 {
			return run, nil
		}
		n = *since[i].RestoredFromNumber
	}
}

// runEvaluators are the slots of a run as it recorded them.
func runEvaluators(run *strata.Run) ([strata.MaxEvaluatorSlots]slotEvaluator, error) {
	var out [strata.MaxEvaluatorSlots]slotEvaluator
	for i := range out {
		out[i].Slot = i + 1
	}
	for _, sl := range run.Slots {
		if sl.Slot < 1 || sl.Slot > strata.MaxEvaluatorSlots {
			return out, strata.Errorf(strata.EINTERNAL, "run %s has slot %d", run.ID, sl.Slot)
		}
		out[sl.Slot-1] = slotEvaluator{Slot: sl.Slot, Name: runSlotName(sl), Config: strata.ParseEvaluatorConfig(sl.Config)}
	}
	return out, nil
}

// runSlotName names the evaluator of a run's slot.
func runSlotName(sl *strata.RunSlot) string {
	if sl.EvaluatorName != nil {
		return *sl.EvaluatorName
	}
	return "slot " + strconv.Itoa(sl.Slot)
}

// slotLabels labels the evaluator each slot of a dataset holds, nil for an
// empty slot, "(unavailable evaluator)" for one that is gone: names and
// types only, for an evaluator's params may hold megabytes.
func (s *Server) slotLabels(ss *session, d *strata.Dataset) ([strata.MaxEvaluatorSlots]*strata.Evaluator, error) {
	var out [strata.MaxEvaluatorSlots]*strata.Evaluator
	var ids []string
	for _, id := range d.Slots() {
		if id != nil {
			ids = append(ids, *id)
		}
	}
	labels, err := s.Store.EvaluatorLabels(ss.Context(), ss.principal.ProjectID, ids)
	if err != nil {
		return out, err
	}
	for i, id := range d.Slots() {
		if id != nil {
			if out[i] = labels[*id]; out[i] == nil {
				out[i] = &strata.Evaluator{ID: *id, Name: "(unavailable evaluator)"}
			}
		}
	}
	return out, nil
}

// resultView is one evaluator result, judged.
type resultView struct {
	Slot      int
	Evaluator string
	Outcome   string // "pass", "fail", "unknown" or "" for no result
	Value     string // the label or score the result gave
	Reason    string
	Raw       string // the result's JSON, indented
}

// outcomeNames are the words the pages use for outcomes.
var outcomeNames = map[strata.Outcome]string{
	strata.OutcomePass: "pass", strata.OutcomeFail: "fail", strata.OutcomeUnknown: "unknown",
}

// judge reads one result under a slot's pass rule, with strata.PassOutcome,
// the rule the runs' pass rates are computed with.
func judge(slot int, evaluator string, config *strata.EvaluatorConfig, raw json.RawMessage) resultView {
	v := resultView{Slot: slot, Evaluator: evaluator, Outcome: outcomeNames[strata.PassOutcome(config, raw)]}
	if v.Outcome == "" {
		return v
	}
	var buf bytes.Buffer
	if json.Indent(&buf, raw, "", "  ") == nil {
		v.Raw = buf.String()
	} else {
		v.Raw = string(raw)
	}
	var obj map[string]any
	if json.Unmarshal(raw, &obj) != nil {
		return v
	}
	v.Reason = resultReason(obj)
	switch score := obj["score"].(type) {
	case float64:
		v.Value = "score " + strconv.FormatFloat(score, 'g', 4, 64)
	default:
		for _, key := range []string{"output", "primaryLabel", "label"} {
			if s, ok := obj[key].(string); ok && strings.TrimSpace(s) != "" {
				v.Value = short(s, 80)
				break
			}
		}
	}
	return v
}

// resultReason finds why a result says what it says: the evaluators write
// "reason" (metrics), "reasoning" (LLM judges) or "error".
func resultReason(obj map[string]any) string {
	for _, key := range []string{"reason", "reasoning", "explanation", "error", "message"} {
		switch r := obj[key].(type) {
		case string:
			if strings.TrimSpace(r) != "" {
				return r
			}
		case map[string]any:
			if m, ok := r["message"].(string); ok && m != "" {
				return m
			}
		}
	}
	return ""
}

// itemResults judges an item's results under the dataset's slots.
func itemResults(slots [strata.MaxEvaluatorSlots]slotEvaluator, it *strata.Item) []resultView {
	raws := results(it)
	var out []resultView
	for i, se := range slots {
		v := judge(i+1, se.Name, se.Config, raws[i])
		if se.Name == "" && v.Outcome == "" {
			continue // an empty slot without a result
		}
		out = append(out, v)
	}
	return out
}

// revisionView is one revision on the item's timeline.
type revisionView struct {
	Number int // 1 for the item's first content
	*strata.Revision
	// The versions that hold it, From..To (none when From > To), and
	// whether it is (also) the working content.
	From, To int
	Working  bool
	// Removed: the item was deleted in version RemovedIn (the head + 1:
	// in the unsaved edits), after this revision: at its end, when no
	// revision follows or the next one starts later (a restore brought the
	// item back).
	Removed   bool
	RemovedIn int
	Fields    []fieldDiff
	// Same: the content is that of the revision before, and
	// ResultsChanged says whether its evaluator results differ.
	Same, ResultsChanged bool
	// Made is how the revision came to be, and Appeared when
	// (placeRevisions): "saved" or "restored" with the time of the version
	// that made it, or "added" or "edited" with the content's time for an
	// unsaved one. RestoredFrom is the version a restore brought it back from (0
	// when it was no restore).
	Made         string
	Appeared     time.Time
	RestoredFrom int
}

// sameResults reports whether two contents of an item have the same
// evaluator results.
func sameResults(a, b *strata.Item) bool {
	ra, rb := results(a), results(b)
	for i := range ra {
		if !bytes.Equal(ra[i], rb[i]) {
			return false
		}
	}
	return true
}

func (s *Server) itemPage(w http.ResponseWriter, ss *session) error {
	ctx, id, project := ss.Context(), ss.PathValue("id"), ss.principal.ProjectID
	d, err := s.Store.FindDataset(ctx, project, id)
	if err != nil {
		return err
	}
	// The newest revisions the page shows, and the one before them that the
	// oldest shown is compared with, however long the history.
	revs, total, err := s.Store.ItemHistoryTail(ctx, project, id, ss.PathValue("itemId"), maxTimeline+1)
	if err != nil {
		return err
	}
	current := revs[len(revs)-1]
	// A deleted item is shown as the last version that held it has it,
	// its results as that version's page shows them.
	var slots [strata.MaxEvaluatorSlots]slotEvaluator
	if current.LastVersion != nil {
		slots, err = s.versionEvaluators(ss, d, *current.LastVersion-1)
	} else {
		slots, err = s.slotEvaluators(ss, d)
	}
	if err != nil {
		return err
	}
	timeline := itemTimeline(revs, total-len(revs), d.CurrentVersionNumber)
	if err := s.placeRevisions(ss, d, timeline); err != nil {
		return err
	}
	s.render(w, http.StatusOK, "item", s.data(ss, map[string]any{
		"Dataset": d, "Item": &current.Item, "Deleted": current.LastVersion != nil, "Latest": timeline[0],
		"Results": itemResults(slots, &current.Item), "Timeline": timeline, "Revisions": total,
		"Cut": total > maxTimeline, "Notice": ss.notice(),
	}))
	return nil
}

// itemTimeline lays out an item's newest revisions (oldest first, as the
// store gives them, after skipped older ones) newest first, each compared
// with the one before it; head is the dataset's newest version number.
func itemTimeline(revs []*strata.Revision, skipped, head int) []revisionView {
	var out []revisionView
	// A revision is shown with the one before it: the oldest one given is
	// shown only when it is the first of all (or the only one given).
	for i := len(revs) - 1; i >= 0 && len(out) < maxTimeline && (i > 0 || skipped == 0 || len(out) == 0); i-- {
		r := revs[i]
		v := revisionView{Number: skipped + i + 1, Revision: r, From: r.FirstVersion, To: head}
		if r.LastVersion != nil {
			v.To = *r.LastVersion - 1
			// Closed with nothing after it, or with a gap before the
			// next: the item was deleted.
			v.Removed, v.RemovedIn = i == len(revs)-1 || revs[i+1].FirstVersion > *r.LastVersion, *r.LastVersion
		} else {
			v.Working = true
		}
		c := &strata.Change{After: &r.Item, Kind: strata.ChangeAdded}
		if i > 0 {
			c.Before, c.Kind = &revs[i-1].Item, strata.ChangeModified
		}
		v.Fields = fieldDiffs(c)
		if i > 0 {
			v.Same = true
			for _, f := range v.Fields {
				v.Same = v.Same && !f.Changed
			}
			v.ResultsChanged = !sameResults(&revs[i-1].Item, &r.Item)
		}
		out = append(out, v)
	}
	return out
}

// placeRevisions says when and how each revision of a timeline appeared.
// A revision's UpdatedAt is its content's, which a restore copies from the
// version it restores: dated by it, a restored revision would seem older
// than the one before. So a revision is dated by the version that made it
// (its first version), which also tells whether that was a restore; an
// unsaved edit, in no version yet, by its content's time, the edit's. One
// read per version, at most maxTimeline.
func (s *Server) placeRevisions(ss *session, d *strata.Dataset, timeline []revisionView) error {
	made := map[int]*strata.Version{}
	for i := range timeline {
		r := &timeline[i]
		r.Made, r.Appeared = "edited", r.UpdatedAt
		if r.Number == 1 {
			r.Made = "added"
		}
		if r.FirstVersion > d.CurrentVersionNumber {
			continue
		}
		v, ok := made[r.FirstVersion]
		if !ok {
			list, err := s.Store.ListVersions(ss.Context(), ss.principal.ProjectID, d.ID, r.FirstVersion+1, 1)
			if err != nil {
				return err
			}
			if len(list) == 1 && list[0].Number == r.FirstVersion {
				v = list[0]
			}
			made[r.FirstVersion] = v
		}
		if v == nil { // no version has that number: say what the date is
			r.Made = "content dated"
			continue
		}
		r.Made, r.Appeared = "saved", v.CreatedAt
		if v.RestoredFromVersionID != nil {
			r.Made = "restored"
			if v.RestoredFromNumber != nil {
				r.RestoredFrom = *v.RestoredFromNumber
			}
		}
	}
	return nil
}
