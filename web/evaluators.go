package web

import "context"
import "errors"
import "fmt"
import "net/http"
import "strconv"
import "strings"

import "github.com/strata-eval/strata"

// slotView is one of a dataset's five evaluator slots.
type slotView struct {
	Slot      int
	Evaluator *strata.Evaluator // nil when the slot is empty
	Config    string
}

// chart is the pass rate of each evaluator over the runs, drawn as SVG
// polylines in a 100 x 40 box, oldest run on the left.
type chart struct {
	Lines []chartLine
	Runs  int
	Marks []chartMark // one link per run, to its page
}

// chartMark is the strip of the chart around one run: a link to its page.
type chartMark struct {
	RunID string
	X, W  float64
	Label string
}

type chartLine struct {
	Label  string
	Points string // "x,y x,y ..."
	Last   string // the latest pass rate, as text
	Color  string
	// Dot: the line has a single point (one run), which a line of width
	// 1 would not show: it is drawn as a zero-length segment with a wide
	// round cap, a dot.
	Dot bool
	n   int // points
}

var chartColors = []string{"#2456c8", "#b42318", "#1a7f37", "#9a6700", "#8250df"}

// runChart draws runs (newest first, as the store lists them): one line per
// evaluator, as each run recorded which evaluator filled which slot, so
// that an evaluator that takes the slot another left starts a line of its
// own. A line is labelled with its evaluator's name as the newest run that
// has it recorded it: a detached or deleted evaluator keeps its name.
func runChart(runs []*strata.Run) chart {
	c := chart{Runs: len(runs)}
	byKey := map[string]*chartLine{}
	var order []string
	for i := len(runs) - 1; i >= 0; i-- {
		x, w := 50.0, 100.0
		if len(runs) > 1 {
			x = float64(len(runs)-1-i) * 100 / float64(len(runs)-1)
			w = 100 / float64(len(runs)-1)
		}
		left, right := max(x-w/2, -2), min(x+w/2, 102)
		c.Marks = append(c.Marks, chartMark{RunID: runs[i].ID, X: left, W: right - left, Label: "Run of " + runs[i].CreatedAt.UTC().Format("2006-01-02 15:04")})
		seen := map[string]int{} // an evaluator in two slots of a run is two lines
		for _, s := range runs[i].Slots {
			if s.PassRate == nil {
				continue
			}
			key := seriesKey(s)
			seen[key]++
			key += "#" + strconv.Itoa(seen[key])
			l := byKey[key]
			if l == nil {
				l = &chartLine{Color: chartColors[len(order)%len(chartColors)]}
				byKey[key] = l
				order = append(order, key)
			}
			l.Label = runSlotName(s) // item.go; the newest run's name wins
			y := 40 - *s.PassRate*40/100
			l.Points += fmt.Sprintf("%.1f,%.1f ", x, y)
			l.n++
			l.Last = strconv.FormatFloat(*s.PassRate, 'f', -1, 64) + "%"
		}
	}
	for _, key := range order {
		l := byKey[key]
		if l.n == 1 {
			l.Dot, l.Points = true, l.Points+l.Points
		}
		c.Lines = append(c.Lines, *l)
	}
	return c
}

// seriesKey names the evaluator a run's slot held: its id as the run
// recorded it; for a run that recorded none, its name; else only the slot.
func seriesKey(s *strata.RunSlot) string {
	switch {
	case s.EvaluatorID != nil:
		return "id:" + *s.EvaluatorID
	case s.EvaluatorName != nil:
		return "name:" + *s.EvaluatorName
	}
	return "slot:" + strconv.Itoa(s.Slot)
}

func (s *Server) evaluatorsPage(w http.ResponseWriter, ss *session) error {
	ctx, id, project := ss.Context(), ss.PathValue("id"), ss.principal.ProjectID
	d, err := s.Store.FindDataset(ctx, project, id)
	if err != nil {
		return err
	}
	choice, moreChoice, err := firstOf(func(fn func(*strata.Evaluator) error) error {
		return s.Store.ListEvaluatorLabels(ctx, project, "custom", fn)
	}, evaluatorShown) // lists.go
	if err != nil {
		return err
	}
	labels, err := s.slotLabels(ss, d) // item.go
	if err != nil {
		return err
	}
	var slots []slotView
	for i, e := range labels {
		v := slotView{Slot: i + 1, Evaluator: e}
		if c, ok := d.EvaluatorConfigs[strconv.Itoa(i+1)]; ok {
			v.Config = string(c)
		}
		slots = append(slots, v)
	}
	runs, err := s.Store.ListRuns(ctx, project, id, 20)
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "evaluators", s.data(ss, map[string]any{
		"Dataset": d, "Slots": slots, "Evaluators": choice, "MoreEvaluators": moreChoice, "Runs": runs, "Chart": runChart(runs),
		"Notice": ss.notice(), "CanRun": s.Runner != nil,
	}))
	return nil
}

func (s *Server) attachEvaluator(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	at := strata.EvaluatorAttach{EvaluatorID: ss.FormValue("evaluatorId")}
	switch ss.FormValue("configType") {
	case strata.TypeModelLabeler:
		var labels []string
		for _, l := range strings.Split(ss.FormValue("passLabels"), ",") {
			if l = strings.TrimSpace(l); l != "" {
				labels = append(labels, l)
			}
		}
		at.Config = &strata.EvaluatorConfig{Type: strata.TypeModelLabeler, PassLabels: labels}
	case strata.TypeModelScorer:
		t, err := strconv.ParseFloat(strings.TrimSpace(ss.FormValue("threshold")), 64)
		if err != nil {
			return strata.Errorf(strata.EINVALID, "The threshold must be a number.")
		}
		at.Config = &strata.EvaluatorConfig{Type: strata.TypeModelScorer, Threshold: &t}
	}
	if _, err := s.Store.AttachEvaluator(ss.Context(), ss.principal.Actor(), id, at); err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+id+"/evaluators", "Evaluator attached.")
}

func (s *Server) detachEvaluator(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	slot, err := strconv.Atoi(ss.PathValue("slot"))
	if err != nil || slot < 1 || slot > strata.MaxEvaluatorSlots {
		return strata.Errorf(strata.EINVALID, "No such slot.")
	}
	// The form names the evaluator the page showed in the slot: if another
	// took the slot since, detaching would remove one the user never saw
	// there (conflict.go).
	shown := ss.PostFormValue("evaluator")
	err = s.writeShown(ss, id, shown != "", func(_ context.Context, d *strata.Dataset) error {
		if held := d.Slots()[slot-1]; shown != "" && (held == nil || *held != shown) {
			return strata.Errorf(strata.ECONFLICT, "Slot %d changed since the page was shown: reload it and check the slots again.", slot)
		}
		return nil
	}, func(ctx context.Context) error {
		_, err := s.Store.DetachEvaluator(ctx, ss.principal.Actor(), id, slot)
		return err
	})
	if errors.Is(err, errStale) {
		err = strata.Errorf(strata.ECONFLICT, "The dataset kept changing: reload the page and try again.")
	}
	if err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+id+"/evaluators", fmt.Sprintf("Slot %d detached.", slot))
}

// runEvaluators starts a run in the background; the page then shows it
// progressing.
func (s *Server) runEvaluators(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	if s.Runner == nil {
		if _, err := s.Store.FindDataset(ss.Context(), ss.principal.ProjectID, id); err != nil {
			return err // a dataset that is not there is reported first, as everywhere
		}
		return strata.Errorf(strata.EINVALID, "Runs are not available on this server.")
	}
	run, _, err := s.Runner.RunAsync(ss.Context(), ss.principal.Actor(), id)
	if err != nil {
		return err
	}
	notice := "Nothing to run: the dataset has no items."
	if run != nil {
		notice = "Run started."
	}
	return redirect(w, ss, "/datasets/"+id+"/evaluators", notice)
}
