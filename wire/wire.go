// Package wire owns the JSON shapes of Strata's HTTP API: every object the
// API sends, with its keys in Lunary's order (Lunary's keys first, Strata's
// after them), and times in Lunary's form. The API (package api) encodes
// these types and the Go client (package client) decodes them, so a shape is
// written once. The conversions from the domain types live in package api.
package wire

import "encoding/json"
import "time"

// Timestamp is a time in Lunary's JSON form, "2025-10-31T15:31:25.120Z":
// what JavaScript's Date gives, UTC with exactly three fraction digits,
// which time.Time's own JSON does not guarantee. It decodes any RFC 3339
// time.
type Timestamp time.Time

// TimestampLayout is the layout of a Timestamp.
const TimestampLayout = "2006-01-02T15:04:05.000Z"

// MarshalJSON writes t in Lunary's form.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(TimestampLayout)+2)
	b = append(b, '"')
	b = time.Time(t).UTC().AppendFormat(b, TimestampLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON reads an RFC 3339 time, as time.Time does.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	return (*time.Time)(t).UnmarshalJSON(b)
}

// Time returns t as a time.Time.
func (t Timestamp) Time() time.Time { return time.Time(t) }

// Dataset is Lunary's DatasetMeta.
type Dataset struct {
	ID                                  string     `json:"id"`
	CreatedAt                           Timestamp  `json:"createdAt"`
	UpdatedAt                           Timestamp  `json:"updatedAt"`
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
	CurrentVersionCreatedAt             *Timestamp `json:"currentVersionCreatedAt"`
	CurrentVersionCreatedBy             *string    `json:"currentVersionCreatedBy"`
	CurrentVersionRestoredFromVersionID *string    `json:"currentVersionRestoredFromVersionId"`
}

// DatasetListEntry is a dataset in a list: DatasetMeta, then Strata's keys.
type DatasetListEntry struct {
	Dataset
	Slug string `json:"slug"`
}

// LunaryDatasetDetail is what Lunary's single-dataset responses show:
// DatasetMeta and evaluatorConfigs (slot "1" to "5" to its config).
type LunaryDatasetDetail struct {
	Dataset
	EvaluatorConfigs map[string]json.RawMessage `json:"evaluatorConfigs"`
}

// DatasetDetail is a single dataset: Lunary's keys, then Strata's. Decoded
// from a list entry, its EvaluatorConfigs is nil.
type DatasetDetail struct {
	LunaryDatasetDetail
	Slug string `json:"slug"`
}

// DatasetWithItems is a single dataset with the items of one of its
// versions: Lunary's keys, items included, then Strata's.
type DatasetWithItems struct {
	LunaryDatasetDetail
	Items []EmbeddedItem `json:"items"`
	Slug  string         `json:"slug"`
}

// Detail is the dataset without its items.
func (d *DatasetWithItems) Detail() DatasetDetail {
	return DatasetDetail{LunaryDatasetDetail: d.LunaryDatasetDetail, Slug: d.Slug}
}
