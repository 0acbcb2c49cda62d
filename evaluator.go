package strata

import "encoding/json"
import "slices"
import "strconv"
import "time"

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
// MaxLabelChars is the most characters of an evaluator's name or type
// that EvaluatorLabels returns.
const MaxLabelChars = 256

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
