package wire

import "encoding/json"

// Evaluator is Lunary's evaluator row.
type Evaluator struct {
	ID          string          `json:"id"`
	CreatedAt   Timestamp       `json:"createdAt"`
	UpdatedAt   Timestamp       `json:"updatedAt"`
	ProjectID   string          `json:"projectId"`
	OwnerID     *string         `json:"ownerId"`
	Name        string          `json:"name"`
	Slug        string          `json:"slug"`
	Type        string          `json:"type"`
	Mode        string          `json:"mode"`
	Description *string         `json:"description"`
	Params      json.RawMessage `json:"params"`
	Filters     json.RawMessage `json:"filters"`
	Kind        string          `json:"kind"`
}

// Run is Lunary's run row, then Strata's status, progress and error.
type Run struct {
	ID               string     `json:"id"`
	DatasetID        string     `json:"datasetId"`
	VersionID        *string    `json:"versionId"`
	Name             *string    `json:"name"`
	CreatedBy        *string    `json:"createdBy"`
	CreatedAt        Timestamp  `json:"createdAt"`
	UpdatedAt        Timestamp  `json:"updatedAt"`
	TotalItems       int        `json:"totalItems"`
	UpdatedItemCount int        `json:"updatedItemCount"`
	VersionNumber    *int       `json:"versionNumber"`
	VersionCreatedAt *Timestamp `json:"versionCreatedAt"`
	CreatedByName    *string    `json:"createdByName"`
	CreatedByEmail   *string    `json:"createdByEmail"`
	Status           string     `json:"status"`
	ProcessedItems   int        `json:"processedItems"`
	Error            *string    `json:"error,omitempty"`
	// Filter is the query string that chose the items of a filtered run.
	Filter *string `json:"filter,omitempty"`
}

// Run statuses.
const (
	RunRunning   = "running"
	RunCompleted = "completed"
	RunFailed    = "failed"
)

// SlotCounts are the first keys of a run's slot and of an aggregate: the
// slot, its evaluator, and what it counted (evaluated: pass + fail).
type SlotCounts struct {
	Slot           int     `json:"slot"`
	EvaluatorID    *string `json:"evaluatorId"`
	EvaluatorName  *string `json:"evaluatorName"`
	EvaluatorKind  *string `json:"evaluatorKind"`
	EvaluatorType  *string `json:"evaluatorType"`
	PassCount      int     `json:"passCount"`
	FailCount      int     `json:"failCount"`
	UnknownCount   int     `json:"unknownCount"`
	EvaluatedCount int     `json:"evaluatedCount"`
}

// RunSlot is Lunary's RunSlot: what one evaluator slot of a run counted.
type RunSlot struct {
	SlotCounts
	PassRate *float64        `json:"passRate"`
	Coverage *float64        `json:"coverage"`
	Config   json.RawMessage `json:"config"`
}

// RunWithSlots is a run as the run endpoints show it. A renamed run is
// answered as a Run: decoded, its Slots is nil.
type RunWithSlots struct {
	Run
	Slots []RunSlot `json:"slots"`
}

// Aggregate is Lunary's AggregateEntry: the runs of one evaluator summed.
type Aggregate struct {
	SlotCounts
	RunCount int      `json:"runCount"`
	PassRate *float64 `json:"passRate"`
}

// RunList is a page of a dataset's runs and the pass rates of its
// evaluators.
type RunList struct {
	Runs      []RunWithSlots `json:"runs"`
	Aggregate []Aggregate    `json:"aggregate"`
}
