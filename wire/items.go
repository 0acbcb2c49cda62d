package wire

import "encoding/json"

// An item has three forms, each Lunary's row in its own key order followed
// by Strata's ItemFields: Item (the items endpoints), EmbeddedItem (inside a
// dataset) and VersionItem (a version's snapshot row).

// ItemContent is what an item holds, in Lunary's order: the input, and the
// ground truth and output (null when none). Every item form, and a revision,
// holds it at the same place.
type ItemContent struct {
	Input       string  `json:"input"`
	GroundTruth *string `json:"groundTruth"`
	Output      *string `json:"output"`
}

// EvaluatorResults are the results of the five evaluator slots, the last
// keys of Lunary's item rows: null where a slot has none.
type EvaluatorResults struct {
	EvaluatorResult1 json.RawMessage `json:"evaluatorResult1"`
	EvaluatorResult2 json.RawMessage `json:"evaluatorResult2"`
	EvaluatorResult3 json.RawMessage `json:"evaluatorResult3"`
	EvaluatorResult4 json.RawMessage `json:"evaluatorResult4"`
	EvaluatorResult5 json.RawMessage `json:"evaluatorResult5"`
}

// ItemRow is Lunary's item row as the items endpoints show it.
type ItemRow struct {
	ID        string    `json:"id"`
	CreatedAt Timestamp `json:"createdAt"`
	UpdatedAt Timestamp `json:"updatedAt"`
	DatasetID string    `json:"datasetId"`
	ItemContent
	EvaluatorResults
}

// Item is an item as the items endpoints show it.
type Item struct {
	ItemRow
	ItemFields
}

// EmbeddedItemRow is Lunary's item row inside a dataset (Lunary's embedded
// order).
type EmbeddedItemRow struct {
	ID        string `json:"id"`
	DatasetID string `json:"datasetId"`
	ItemContent
	CreatedAt Timestamp `json:"createdAt"`
	UpdatedAt Timestamp `json:"updatedAt"`
	EvaluatorResults
}

// EmbeddedItem is an item inside a dataset.
type EmbeddedItem struct {
	EmbeddedItemRow
	ItemFields
}

// VersionItemRow is Lunary's snapshot row of a version: the row id is the
// revision's, the source ids and times the item's.
type VersionItemRow struct {
	ID        string `json:"id"`
	VersionID string `json:"versionId"`
	DatasetID string `json:"datasetId"`
	ItemIndex int    `json:"itemIndex"`
	ItemContent
	SourceItemID    string    `json:"sourceItemId"`
	SourceCreatedAt Timestamp `json:"sourceCreatedAt"`
	SourceUpdatedAt Timestamp `json:"sourceUpdatedAt"`
	EvaluatorResults
}

// VersionItem is an item of a version.
type VersionItem struct {
	VersionItemRow
	ItemFields
}

// ItemFields are Strata's item fields, after Lunary's keys in every item
// form: free-form metadata (a JSON object, {} when none), the splits the
// item belongs to ([] when none), and the id a script gave it.
type ItemFields struct {
	Metadata   json.RawMessage `json:"metadata"`
	Splits     []string        `json:"splits"`
	ExternalID *string         `json:"externalId"`
}

// Revision is one content of an item, held by versions
// [FirstVersion, LastVersion).
type Revision struct {
	RevisionID   string `json:"revisionId"`
	FirstVersion int    `json:"firstVersion"`
	LastVersion  *int   `json:"lastVersion"`
	ItemContent
	CreatedAt Timestamp `json:"createdAt"`
	UpdatedAt Timestamp `json:"updatedAt"`
	EvaluatorResults
	ItemFields
}

// History is every revision of an item, oldest first. The server streams the
// revisions, so whether the item is deleted comes after them.
type History struct {
	ItemID    string     `json:"itemId"`
	Revisions []Revision `json:"revisions"`
	Deleted   bool       `json:"deleted"`
}
