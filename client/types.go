package client

import "encoding/json"

import "github.com/strata-eval/strata/wire"

// The client decodes the API's own wire types (package wire); these names
// are the client's for them.

// Timestamp is a time as the API writes it; Time() gives the time.Time.
type Timestamp = wire.Timestamp

// Dataset is a dataset as the API shows it (Lunary's DatasetMeta, then
// Strata's keys). EvaluatorConfigs is in single-dataset answers only.
type Dataset = wire.DatasetDetail

// DatasetWithItems is a dataset and the items of one of its versions.
type DatasetWithItems = wire.DatasetWithItems

// Item is an item of a dataset, as the items endpoints show it.
type Item = wire.Item

// EmbeddedItem is an item inside a dataset.
type EmbeddedItem = wire.EmbeddedItem

// VersionItem is an item of a version: its ID is the revision's,
// SourceItemID the item's.
type VersionItem = wire.VersionItem

// Version is a snapshot of a dataset.
type Version = wire.Version

// VersionWithItems is a version and its items.
type VersionWithItems = wire.VersionWithItems

// Tag names one version of a dataset.
type Tag = wire.Tag

// DiffCounts counts the items of a diff.
type DiffCounts = wire.DiffCounts

// Change is one item of a diff: "added", "removed" or "modified".
type Change = wire.Change

// Diff is the difference between two versions: the counts of the whole and a
// page of changes.
type Diff = wire.Diff

// Revision is one content of an item, held by versions
// [FirstVersion, LastVersion).
type Revision = wire.Revision

// History is every revision of an item.
type History = wire.History

// Evaluator is an evaluator of the project.
type Evaluator = wire.Evaluator

// RunSlot is what one evaluator slot of a run counted.
type RunSlot = wire.RunSlot

// Run is an evaluator run over a dataset.
type Run = wire.RunWithSlots

// Run statuses.
const (
	RunRunning   = wire.RunRunning
	RunCompleted = wire.RunCompleted
	RunFailed    = wire.RunFailed
)

// RunAggregate sums the runs of one evaluator.
type RunAggregate = wire.Aggregate

// RunList is a page of a dataset's runs and the pass rates of its evaluators.
type RunList = wire.RunList

// SyncResult answers a sync or an upsert: what changed, the version it made
// (nil when nothing changed, or with a dry run or skipVersion), and how the
// file's columns were read (Mapping, Unmapped). A dry run also holds a first
// page of the changes, and More says whether more follow.
type SyncResult = wire.SyncResult

// ImportResult answers an import: the items inserted, the mapping the file
// was read with and its unmapped columns; after a dry run, ImportPreview is
// set (nil otherwise).
type ImportResult = wire.ImportResult

// ImportPreview is what a dry run of an import adds to its result: the
// records the file holds, its columns, the first items as they would be
// stored, and the first error in the file (nil when none).
type ImportPreview = wire.ImportPreview

// ImportMapping is the column each field was read from (nil: none), the
// inputFrom used, and the fields several columns matched.
type ImportMapping = wire.ImportMapping

// ImportAmbiguity is a field several columns matched: Used was read,
// Ignored passed over (and kept in metadata).
type ImportAmbiguity = wire.ImportAmbiguity

// ImportLineError is the first error a preview found in a file: the line its
// record begins on, the status the import would answer, and the message.
type ImportLineError = wire.ImportLineError

// ItemContent is an item's input, ground truth and output.
type ItemContent = wire.ItemContent

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

// RunResult answers a run: for a synchronous one, the items it updated and
// the version it made (the answer's dataset is not read).
type RunResult struct {
	UpdatedItemCount int      `json:"updatedItemCount"`
	Version          *Version `json:"version"`
	Run              Run      `json:"run"`
}
