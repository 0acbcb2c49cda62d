package strata

import "crypto/sha256"
import "encoding/binary"
import "encoding/json"
import "time"

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
	// the run scores; nil for every item. An asynchronous run has it from
	// its start, whether it then completes or fails.
	Filter *string
}

// SlotCounts are what a slot of a run, or of several runs summed, counted:
// the slot, its evaluator, and its outcomes.
type SlotCounts struct {
	Slot           int
	EvaluatorID    *string
	EvaluatorName  *string
	EvaluatorKind  *string
	EvaluatorType  *string
	PassCount      int
	FailCount      int
	UnknownCount   int
	EvaluatedCount int // pass + fail
}

// RunSlot summarizes the results of one slot of a run.
type RunSlot struct {
	SlotCounts
	PassRate *float64 // percent, 2 decimals; nil when nothing passed or failed
	Coverage *float64 // percent of the items with any result
	Config   json.RawMessage
}

// RunAggregate sums the slots of several runs by evaluator.
type RunAggregate struct {
	SlotCounts
	RunCount int
	PassRate *float64
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
	return DigestFields(&input, groundTruth, output)
}

// DigestFields returns the digest of a list of text fields, each one's
// presence and length, then its bytes, so that no two lists write the same
// (nil differs from "").
func DigestFields(fields ...*string) [sha256.Size]byte {
	h := sha256.New()
	for _, f := range fields {
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
	var d [sha256.Size]byte
	h.Sum(d[:0])
	return d
}

// RunStart is what CreateRun records of an asynchronous run as it starts.
type RunStart struct {
	TotalItems int // the items the run will evaluate
	// Filter is ItemFilter.String() of a run over some items, or "".
	Filter string
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
