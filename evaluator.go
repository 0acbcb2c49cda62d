package strata

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Evaluators, slots and runs.
//
// An evaluator belongs to a project: a type ("bleu", "model-labeler", ...)
// and its params. A dataset has five slots, each empty or holding one
// evaluator with an optional config that says what passes (Lunary's
// {"type":"model-labeler","passLabels":[...]} or
// {"type":"model-scorer","threshold":n}).
//
// A run evaluates every working item with every attached evaluator, stores
// result N on the item as evaluatorResultN, and snapshots: results are part of
// an item's content, so a run makes a version and every older version keeps
// the results it had. Detaching an evaluator clears its results in the working
// set only, through new revisions where a version holds the old ones.
//
// Results are computed outside any transaction (an LLM judge can take
// minutes), then written in one transaction under the dataset lock, with the
// version and the run record. An item edited or deleted while the run
// computed keeps its content and results: a result is written only where the
// item's input, ground truth and output are those the run evaluated, and
// only those items count in updatedItemCount.

// Evaluator kinds: builtin evaluators are seeded, one of each builtin type,
// in every project; they cannot be created, deleted or attached to datasets.
const (
	KindCustom  = "custom"
	KindBuiltin = "builtin"
)

// BuiltinEvaluatorTypes are the types of Lunary's builtin evaluators.
var BuiltinEvaluatorTypes = []string{"language", "pii", "topics", "intent", "toxicity"}

// IsBuiltinType reports whether t is the type of a builtin evaluator.
func IsBuiltinType(t string) bool { return slices.Contains(BuiltinEvaluatorTypes, t) }

// Evaluator is a scoring method of a project. The API shows it as
// wire.Evaluator (Lunary's row).
type Evaluator struct {
	ID          string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ProjectID   string
	OwnerID     *string
	Name        string
	Slug        string
	Type        string
	Mode        string
	Description *string
	Params      json.RawMessage // a JSON object
	Filters     json.RawMessage // a JSON array
	Kind        string
}

// EvaluatorCreate is the input of CreateEvaluator.
type EvaluatorCreate struct {
	Name, Slug, Type, Mode string
	Description            *string
	Params, Filters        json.RawMessage
}

// EvaluatorUpdate replaces an evaluator's fields, as Lunary's PATCH does: a
// nil Description leaves it alone. Of a builtin evaluator, only the name,
// description, mode and params change.
type EvaluatorUpdate struct {
	Name, Type, Mode string
	Description      *string
	Params, Filters  json.RawMessage
}

// EvaluatorConfig is the config of a dataset slot: what passes.
type EvaluatorConfig struct {
	Type       string   `json:"type"` // "model-labeler" or "model-scorer"
	PassLabels []string `json:"passLabels,omitempty"`
	Threshold  *float64 `json:"threshold,omitempty"`
}

const (
	TypeModelLabeler = "model-labeler"
	TypeModelScorer  = "model-scorer"
)

// ParseEvaluatorConfig decodes a stored config; nil for none or an
// unreadable one.
func ParseEvaluatorConfig(raw json.RawMessage) *EvaluatorConfig {
	if len(raw) == 0 {
		return nil
	}
	var c EvaluatorConfig
	if json.Unmarshal(raw, &c) != nil || c.Type == "" {
		return nil
	}
	return &c
}

// EvaluatorAttach is the input of AttachEvaluator.
type EvaluatorAttach struct {
	EvaluatorID string
	Config      *EvaluatorConfig
}

// MaxEvaluatorSlots is how many evaluators a dataset holds.
const MaxEvaluatorSlots = 5

// Messages of evaluator errors, in Lunary's wording.
var (
	ErrEvaluatorNotFound = &Error{Code: ENOTFOUND, Message: "Evaluator not found"}
	ErrRunNotFound       = &Error{Code: ENOTFOUND, Message: "Evaluator run not found"}
	ErrBuiltinAttach     = &Error{Code: EINVALID, Message: "Builtin evaluators cannot be attached to datasets"}
	ErrBuiltinCreate     = &Error{Code: EINVALID, Message: "Builtin evaluators cannot be created manually."}
	ErrBuiltinDelete     = &Error{Code: EINVALID, Message: "Builtin evaluators cannot be deleted."}
	ErrBuiltinConvert    = &Error{Code: EINVALID, Message: "Cannot convert a custom evaluator into a builtin evaluator."}
	ErrConfigMismatch    = &Error{Code: EINVALID, Message: "Configuration does not match evaluator type"}
	ErrNoPassLabels      = &Error{Code: EINVALID, Message: "Specify at least one passing label"}
	ErrSlotsFull         = &Error{Code: EINVALID, Message: "Maximum number of evaluators reached for this dataset"}
	ErrNoEvaluators      = &Error{Code: EINVALID, Message: "No evaluators attached to this dataset"}
	ErrEvaluatorsMissing = &Error{Code: EINVALID, Message: "One or more evaluators are unavailable"}
	ErrBuiltinRun        = &Error{Code: EINVALID, Message: "Builtin evaluators cannot be used for dataset testing"}
	ErrEvaluatorsChanged = &Error{Code: ECONFLICT, Message: "The dataset's evaluators changed while the run was computing; run it again"}
	ErrRunNotRunning     = &Error{Code: ECONFLICT, Message: "The evaluator run is no longer running"}
)

// ErrUnsupportedType is the error of a run with an evaluator of type t, which
// Strata cannot compute.
func ErrUnsupportedType(t string) error {
	return Errorf(EINVALID, "Evaluator type '%s' is not supported for dataset testing", t)
}

// CheckAttach returns why ev may not go into a slot with config c, in
// Lunary's order, or nil.
func CheckAttach(ev *Evaluator, c *EvaluatorConfig) error {
	if ev.Kind == KindBuiltin {
		return ErrBuiltinAttach
	}
	if c != nil {
		if (c.Type == TypeModelLabeler && ev.Type != TypeModelLabeler) || (c.Type == TypeModelScorer && ev.Type != TypeModelScorer) {
			return ErrConfigMismatch
		}
		if c.Type == TypeModelLabeler && len(c.PassLabels) == 0 {
			return ErrNoPassLabels
		}
		for _, l := range c.PassLabels {
			if err := CheckText("passLabels", l); err != nil {
				return err
			}
		}
	}
	return nil
}

// Slots returns the evaluator id of each slot, nil where empty.
func (d *Dataset) Slots() [MaxEvaluatorSlots]*string {
	return [MaxEvaluatorSlots]*string{d.EvaluatorSlot1ID, d.EvaluatorSlot2ID, d.EvaluatorSlot3ID, d.EvaluatorSlot4ID, d.EvaluatorSlot5ID}
}

// Config returns the raw config of slot n (1-based), nil if none.
func (d *Dataset) Config(n int) json.RawMessage { return d.EvaluatorConfigs[strconv.Itoa(n)] }

// Run statuses. A synchronous run is recorded once completed; an
// asynchronous one is recorded running, then completed or failed.
const (
	RunRunning   = "running"
	RunCompleted = "completed"
	RunFailed    = "failed"
)

// Run is one evaluation of a dataset's items by its evaluators.
type Run struct {
	ID               string
	DatasetID        string
	VersionID        *string // the version the run created
	Name             *string
	CreatedBy        *string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	TotalItems       int // items evaluated
	UpdatedItemCount int // items whose results were stored
	VersionNumber    *int
	VersionCreatedAt *time.Time
	CreatedByName    *string
	CreatedByEmail   *string
	Status           string
	ProcessedItems   int
	Error            *string
	Slots            []*RunSlot // in slot order; none until completed
	// Filter is the query string of the ItemFilter that chose the items
	// the run scored; nil for every item (recorded at completion).
	Filter *string
}

// RunSlot summarizes the results of one slot of a run.
type RunSlot struct {
	Slot           int
	EvaluatorID    *string
	EvaluatorName  *string
	EvaluatorKind  *string
	EvaluatorType  *string
	PassCount      int
	FailCount      int
	UnknownCount   int
	EvaluatedCount int      // pass + fail
	PassRate       *float64 // percent, 2 decimals; nil when nothing passed or failed
	Coverage       *float64 // percent of the items with any result
	Config         json.RawMessage
}

// RunAggregate sums the slots of several runs by evaluator.
type RunAggregate struct {
	Slot           int
	EvaluatorID    *string
	EvaluatorName  *string
	EvaluatorKind  *string
	EvaluatorType  *string
	PassCount      int
	FailCount      int
	UnknownCount   int
	EvaluatedCount int
	RunCount       int
	PassRate       *float64
}

// RunSlotInput is an attached evaluator as a run used it.
type RunSlotInput struct {
	Slot      int
	Evaluator *Evaluator
	Config    json.RawMessage
}

// ItemResults are the results of one item, with the digest of the content
// they were computed on: a run holds its results, not its items.
// Results[n-1] is the result of slot n, nil for a slot not run.
type ItemResults struct {
	ItemID  string
	Content ContentDigest
	Results [MaxEvaluatorSlots]json.RawMessage
}

// ContentDigest identifies the content of an item that evaluators read: its
// input, ground truth and output.
type ContentDigest [sha256.Size]byte

// DigestContent returns the digest of an item's input, ground truth and
// output (nil differs from "").
func DigestContent(input string, groundTruth, output *string) ContentDigest {
	h := sha256.New()
	for _, f := range []*string{&input, groundTruth, output} {
		var head [9]byte
		if f != nil {
			head[0] = 1
			binary.LittleEndian.PutUint64(head[1:], uint64(len(*f)))
		}
		h.Write(head[:])
		if f != nil {
			h.Write([]byte(*f))
		}
	}
	var d ContentDigest
	h.Sum(d[:0])
	return d
}

// RunCompletion is what CompleteRun writes.
type RunCompletion struct {
	// RunID is the running run to complete; "" records a new run.
	RunID      string
	TotalItems int
	// Filter is ItemFilter.String() of a run over some items, or "".
	Filter string
	Slots  []RunSlotInput
	Items  []ItemResults
}

// RunOutcome is what a completed run produced.
type RunOutcome struct {
	UpdatedItemCount int
	Version          *Version
	Run              *Run
}

// EvaluatorStore manages evaluators, dataset slots and runs.
type EvaluatorStore interface {
	// ListEvaluators lists a project's evaluators; kind "" lists all, and
	// KindCustom every evaluator that is not builtin.
	ListEvaluators(ctx context.Context, projectID, kind string) ([]*Evaluator, error)
	FindEvaluator(ctx context.Context, projectID, id string) (*Evaluator, error)
	CreateEvaluator(ctx context.Context, a Actor, c EvaluatorCreate) (*Evaluator, error)
	UpdateEvaluator(ctx context.Context, a Actor, id string, u EvaluatorUpdate) (*Evaluator, error)
	// DeleteEvaluator deletes a custom evaluator and empties the slots that
	// held it.
	DeleteEvaluator(ctx context.Context, a Actor, id string) error

	// AttachEvaluator puts an evaluator in the first free slot, under the
	// dataset's lock. An evaluator already attached is left as it is.
	AttachEvaluator(ctx context.Context, a Actor, datasetID string, at EvaluatorAttach) (*Dataset, error)
	// DetachEvaluator empties a slot and clears its results in the working
	// version; versions keep theirs. It makes no version.
	DetachEvaluator(ctx context.Context, a Actor, datasetID string, slot int) (*Dataset, error)

	// CreateRun records a running run of totalItems items.
	CreateRun(ctx context.Context, a Actor, datasetID string, totalItems int) (*Run, error)
	// ProgressRun records how many items a running run has evaluated; it
	// is also the run's heartbeat.
	ProgressRun(ctx context.Context, a Actor, datasetID, runID string, processed int) error
	// CompleteRun writes the results, snapshots, and records the run, all
	// in one transaction under the dataset's lock.
	CompleteRun(ctx context.Context, a Actor, datasetID string, c RunCompletion) (*RunOutcome, error)
	// FailRun marks a running run failed.
	FailRun(ctx context.Context, a Actor, datasetID, runID, message string) error
	// FailStaleRuns marks failed every running run whose last heartbeat is
	// older than before: its server stopped.
	FailStaleRuns(ctx context.Context, before time.Time, message string) (int, error)
	// ListRuns returns the newest limit runs, newest first, with slots.
	ListRuns(ctx context.Context, projectID, datasetID string, limit int) ([]*Run, error)
	FindRun(ctx context.Context, projectID, datasetID, runID string) (*Run, error)
	// RenameRun sets a run's name; nil clears it.
	RenameRun(ctx context.Context, a Actor, datasetID, runID string, name *string) (*Run, error)
}

// Outcome is what one result says of its item.
type Outcome int

const (
	OutcomeNone    Outcome = iota // no result
	OutcomeUnknown                // a result that neither passes nor fails
	OutcomePass
	OutcomeFail
)

// PassOutcome judges a result as Lunary does (computeEvaluatorPassOutcome):
// with a model-labeler config, the label (output, else primaryLabel, else the
// first match) passes if it is one of the pass labels; with a model-scorer
// config, the score (score, else output as a number) passes if it reaches
// the threshold. Without a config, a boolean "passed" (or "pass") in the
// result decides, where Lunary would say unknown.
func PassOutcome(c *EvaluatorConfig, result json.RawMessage) Outcome {
	if len(result) == 0 || string(result) == "null" {
		return OutcomeNone
	}
	var obj map[string]any
	if json.Unmarshal(result, &obj) != nil || obj == nil {
		return OutcomeUnknown
	}
	if _, failed := obj["error"]; failed {
		return OutcomeUnknown
	}
	judge := func(ok bool) Outcome {
		if ok {
			return OutcomePass
		}
		return OutcomeFail
	}
	switch {
	case c != nil && c.Type == TypeModelLabeler:
		label := resultLabel(obj)
		if label == "" {
			return OutcomeUnknown
		}
		return judge(slices.Contains(c.PassLabels, label))
	case c != nil && c.Type == TypeModelScorer && c.Threshold != nil:
		score, ok := resultScore(obj)
		if !ok {
			return OutcomeUnknown
		}
		return judge(score >= *c.Threshold)
	}
	for _, key := range []string{"passed", "pass"} {
		if b, ok := obj[key].(bool); ok {
			return judge(b)
		}
	}
	return OutcomeUnknown
}

func resultLabel(obj map[string]any) string {
	for _, key := range []string{"output", "primaryLabel"} {
		if s, ok := obj[key].(string); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	if matches, ok := obj["matches"].([]any); ok {
		for _, m := range matches {
			switch m := m.(type) {
			case string:
				if strings.TrimSpace(m) != "" {
					return strings.TrimSpace(m)
				}
			case map[string]any:
				if s, ok := m["label"].(string); ok && strings.TrimSpace(s) != "" {
					return strings.TrimSpace(s)
				}
			}
		}
	}
	return ""
}

func resultScore(obj map[string]any) (float64, bool) {
	if f, ok := obj["score"].(float64); ok {
		return f, true
	}
	if s, ok := obj["output"].(string); ok {
		// JavaScript's Number(): blank is 0, which Lunary then compares.
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f, true
		} else if strings.TrimSpace(s) == "" {
			return 0, true
		}
	}
	return 0, false
}

// Tally counts the outcomes of one slot over a run.
type Tally struct {
	Pass, Fail, Unknown int
}

// Add counts one outcome.
func (t *Tally) Add(o Outcome) {
	switch o {
	case OutcomePass:
		t.Pass++
	case OutcomeFail:
		t.Fail++
	case OutcomeUnknown:
		t.Unknown++
	}
}

// Slot returns the summary of a slot whose results were tallied over
// totalItems items, as Lunary computes it.
func (t Tally) Slot(in RunSlotInput, totalItems int) *RunSlot {
	rs := &RunSlot{
		Slot: in.Slot, PassCount: t.Pass, FailCount: t.Fail, UnknownCount: t.Unknown,
		EvaluatedCount: t.Pass + t.Fail, Config: in.Config,
	}
	if ev := in.Evaluator; ev != nil {
		rs.EvaluatorID, rs.EvaluatorName, rs.EvaluatorKind, rs.EvaluatorType = &ev.ID, &ev.Name, &ev.Kind, &ev.Type
	}
	if rs.EvaluatedCount > 0 {
		rs.PassRate = percent(t.Pass, rs.EvaluatedCount)
	}
	if totalItems > 0 {
		rs.Coverage = percent(rs.EvaluatedCount+t.Unknown, totalItems)
	}
	return rs
}

// percent is 100*n/d rounded to 2 decimals, half up as JavaScript's
// Math.round.
func percent(n, d int) *float64 {
	p := math.Floor(float64(n)/float64(d)*100*100+0.5) / 100
	return &p
}

// AggregateRuns sums the slots of runs by evaluator (by slot for slots whose
// evaluator is unknown), taking names from the first run listed, in slot
// order.
func AggregateRuns(runs []*Run) []*RunAggregate {
	var (
		out   []*RunAggregate
		index = map[string]*RunAggregate{}
	)
	for _, r := range runs {
		for _, s := range r.Slots {
			key := "slot-" + strconv.Itoa(s.Slot)
			if s.EvaluatorID != nil {
				key = *s.EvaluatorID
			}
			a := index[key]
			if a == nil {
				a = &RunAggregate{Slot: s.Slot, EvaluatorID: s.EvaluatorID, EvaluatorName: s.EvaluatorName,
					EvaluatorKind: s.EvaluatorKind, EvaluatorType: s.EvaluatorType}
				index[key] = a
				out = append(out, a)
			}
			a.PassCount += s.PassCount
			a.FailCount += s.FailCount
			a.UnknownCount += s.UnknownCount
			a.EvaluatedCount += s.EvaluatedCount
			a.RunCount++
		}
	}
	for _, a := range out {
		if a.EvaluatedCount > 0 {
			a.PassRate = percent(a.PassCount, a.EvaluatedCount)
		}
	}
	slices.SortStableFunc(out, func(a, b *RunAggregate) int { return a.Slot - b.Slot })
	if out == nil {
		out = []*RunAggregate{}
	}
	return out
}
