package client

import (
	"encoding/json"
	"time"
)

// Dataset is a dataset as the API shows it (Lunary's DatasetMeta, then
// Strata's keys).
type Dataset struct {
	ID                                  string     `json:"id"`
	CreatedAt                           time.Time  `json:"createdAt"`
	UpdatedAt                           time.Time  `json:"updatedAt"`
	ProjectID                           string     `json:"projectId"`
	OwnerID                             *string    `json:"ownerId"`
	Name                                string     `json:"name"`
	Description                         *string    `json:"description"`
	CurrentVersionID                    *string    `json:"currentVersionId"`
	CurrentVersionNumber                int        `json:"currentVersionNumber"`
	EvaluatorSlot1ID                    *string    `json:"evaluatorSlot1Id"`
	EvaluatorSlot2ID                    *string    `json:"evaluatorSlot2Id"`
	EvaluatorSlot3ID                    *string    `json:"evaluatorSlot3Id"`
	EvaluatorSlot4ID                    *string    `json:"evaluatorSlot4Id"`
	EvaluatorSlot5ID                    *string    `json:"evaluatorSlot5Id"`
	ItemCount                           int        `json:"itemCount"`
	OwnerName                           *string    `json:"ownerName"`
	OwnerEmail                          *string    `json:"ownerEmail"`
	CurrentVersionCreatedAt             *time.Time `json:"currentVersionCreatedAt"`
	CurrentVersionCreatedBy             *string    `json:"currentVersionCreatedBy"`
	CurrentVersionRestoredFromVersionID *string    `json:"currentVersionRestoredFromVersionId"`
	// EvaluatorConfigs is in single-dataset answers only.
	EvaluatorConfigs map[string]json.RawMessage `json:"evaluatorConfigs,omitempty"`
	Slug             string                     `json:"slug"`
}

// DatasetWithItems is a dataset and the items of one of its versions.
type DatasetWithItems struct {
	Dataset
	Items []Item `json:"items"`
}

// Item is an item of a dataset.
type Item struct {
	ID               string          `json:"id"`
	CreatedAt        time.Time       `json:"createdAt"`
	UpdatedAt        time.Time       `json:"updatedAt"`
	DatasetID        string          `json:"datasetId"`
	Input            string          `json:"input"`
	GroundTruth      *string         `json:"groundTruth"`
	Output           *string         `json:"output"`
	EvaluatorResult1 json.RawMessage `json:"evaluatorResult1"`
	EvaluatorResult2 json.RawMessage `json:"evaluatorResult2"`
	EvaluatorResult3 json.RawMessage `json:"evaluatorResult3"`
	EvaluatorResult4 json.RawMessage `json:"evaluatorResult4"`
	EvaluatorResult5 json.RawMessage `json:"evaluatorResult5"`
	// Strata's fields: free-form metadata (a JSON object), the splits the
	// item belongs to, and the id a script gave it.
	Metadata   json.RawMessage `json:"metadata,omitempty"`
	Splits     []string        `json:"splits,omitempty"`
	ExternalID *string         `json:"externalId,omitempty"`
	// ItemIndex is the item's place in a version (version reads only).
	ItemIndex *int `json:"itemIndex,omitempty"`
}

// Version is a snapshot of a dataset.
type Version struct {
	ID                    string    `json:"id"`
	DatasetID             string    `json:"datasetId"`
	VersionNumber         int       `json:"versionNumber"`
	CreatedAt             time.Time `json:"createdAt"`
	CreatedBy             *string   `json:"createdBy"`
	RestoredFromVersionID *string   `json:"restoredFromVersionId"`
	Name                  *string   `json:"name"`
	Description           *string   `json:"description"`
	ItemCount             int       `json:"itemCount"`
	Tags                  []string  `json:"tags"`
	ContentHash           string    `json:"contentHash"`
}

// VersionWithItems is a version and its items.
type VersionWithItems struct {
	Version Version `json:"version"`
	Items   []Item  `json:"items"`
}

// Tag names one version of a dataset.
type Tag struct {
	Name          string    `json:"name"`
	VersionID     string    `json:"versionId"`
	VersionNumber int       `json:"versionNumber"`
	CreatedAt     time.Time `json:"createdAt"`
}

// DiffCounts counts the items of a diff.
type DiffCounts struct {
	Added     int `json:"added"`
	Removed   int `json:"removed"`
	Modified  int `json:"modified"`
	Unchanged int `json:"unchanged"`
}

// Change is one item of a diff: "added", "removed" or "modified".
type Change struct {
	ItemID string `json:"itemId"`
	Change string `json:"change"`
	Before *Item  `json:"before"`
	After  *Item  `json:"after"`
}

// Diff is the difference between two versions: the counts of the whole and a
// page of changes.
type Diff struct {
	From              *Version   `json:"from"`
	To                *Version   `json:"to"`
	FromVersionNumber int        `json:"fromVersionNumber"`
	ToVersionNumber   int        `json:"toVersionNumber"`
	Counts            DiffCounts `json:"counts"`
	Changes           []Change   `json:"changes"`
	NextCursor        *string    `json:"nextCursor"`
}

// Revision is one content of an item, held by versions
// [FirstVersion, LastVersion).
type Revision struct {
	RevisionID       string          `json:"revisionId"`
	FirstVersion     int             `json:"firstVersion"`
	LastVersion      *int            `json:"lastVersion"`
	Input            string          `json:"input"`
	GroundTruth      *string         `json:"groundTruth"`
	Output           *string         `json:"output"`
	CreatedAt        time.Time       `json:"createdAt"`
	UpdatedAt        time.Time       `json:"updatedAt"`
	EvaluatorResult1 json.RawMessage `json:"evaluatorResult1"`
	EvaluatorResult2 json.RawMessage `json:"evaluatorResult2"`
	EvaluatorResult3 json.RawMessage `json:"evaluatorResult3"`
	EvaluatorResult4 json.RawMessage `json:"evaluatorResult4"`
	EvaluatorResult5 json.RawMessage `json:"evaluatorResult5"`
}

// History is every revision of an item.
type History struct {
	ItemID    string     `json:"itemId"`
	Deleted   bool       `json:"deleted"`
	Revisions []Revision `json:"revisions"`
}

// Evaluator is an evaluator of the project.
type Evaluator struct {
	ID          string          `json:"id"`
	CreatedAt   time.Time       `json:"createdAt"`
	UpdatedAt   time.Time       `json:"updatedAt"`
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

// EvaluatorInput creates or (fields set) updates an evaluator.
type EvaluatorInput struct {
	Name        string          `json:"name,omitempty"`
	Slug        string          `json:"slug,omitempty"`
	Type        string          `json:"type,omitempty"`
	Mode        string          `json:"mode,omitempty"`
	Description *string         `json:"description,omitempty"`
	Params      json.RawMessage `json:"params,omitempty"`
	Filters     json.RawMessage `json:"filters,omitempty"`
}

// RunSlot is what one evaluator slot of a run counted.
type RunSlot struct {
	Slot           int             `json:"slot"`
	EvaluatorID    *string         `json:"evaluatorId"`
	EvaluatorName  *string         `json:"evaluatorName"`
	EvaluatorKind  *string         `json:"evaluatorKind"`
	EvaluatorType  *string         `json:"evaluatorType"`
	PassCount      int             `json:"passCount"`
	FailCount      int             `json:"failCount"`
	UnknownCount   int             `json:"unknownCount"`
	EvaluatedCount int             `json:"evaluatedCount"`
	PassRate       *float64        `json:"passRate"`
	Coverage       *float64        `json:"coverage"`
	Config         json.RawMessage `json:"config"`
}

// Run is an evaluator run over a dataset.
type Run struct {
	ID               string     `json:"id"`
	DatasetID        string     `json:"datasetId"`
	VersionID        *string    `json:"versionId"`
	Name             *string    `json:"name"`
	CreatedBy        *string    `json:"createdBy"`
	CreatedAt        time.Time  `json:"createdAt"`
	UpdatedAt        time.Time  `json:"updatedAt"`
	TotalItems       int        `json:"totalItems"`
	UpdatedItemCount int        `json:"updatedItemCount"`
	VersionNumber    *int       `json:"versionNumber"`
	VersionCreatedAt *time.Time `json:"versionCreatedAt"`
	CreatedByName    *string    `json:"createdByName"`
	CreatedByEmail   *string    `json:"createdByEmail"`
	Status           string     `json:"status"`
	ProcessedItems   int        `json:"processedItems"`
	Error            *string    `json:"error,omitempty"`
	Slots            []RunSlot  `json:"slots,omitempty"`
}

// Run statuses.
const (
	RunRunning   = "running"
	RunCompleted = "completed"
	RunFailed    = "failed"
)

// RunResult answers a run: for a synchronous one, the items it updated and
// the version it made.
type RunResult struct {
	UpdatedItemCount int      `json:"updatedItemCount"`
	Version          *Version `json:"version"`
	Run              Run      `json:"run"`
}

// RunAggregate sums the runs of one evaluator.
type RunAggregate struct {
	Slot           int      `json:"slot"`
	EvaluatorID    *string  `json:"evaluatorId"`
	EvaluatorName  *string  `json:"evaluatorName"`
	EvaluatorKind  *string  `json:"evaluatorKind"`
	EvaluatorType  *string  `json:"evaluatorType"`
	PassCount      int      `json:"passCount"`
	FailCount      int      `json:"failCount"`
	UnknownCount   int      `json:"unknownCount"`
	EvaluatedCount int      `json:"evaluatedCount"`
	RunCount       int      `json:"runCount"`
	PassRate       *float64 `json:"passRate"`
}

// RunList is a page of a dataset's runs and the pass rates of its evaluators.
type RunList struct {
	Runs      []Run          `json:"runs"`
	Aggregate []RunAggregate `json:"aggregate"`
}

// SyncResult answers a sync: what changed, and the version it made (nil when
// nothing changed, or with a dry run or skipVersion). A dry run also holds a
// first page of the changes.
type SyncResult struct {
	Added     int      `json:"added"`
	Modified  int      `json:"modified"`
	Removed   int      `json:"removed"`
	Unchanged int      `json:"unchanged"`
	Version   *Version `json:"version"`
	Changes   []Change `json:"changes,omitempty"`
	// More says, for a dry run, whether more changes follow Changes.
	More *bool `json:"more,omitempty"`
}
