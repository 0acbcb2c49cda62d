package strata

import (
	"encoding/json"
	"time"
)

// Dataset is a named collection of items with a history of versions. Its JSON
// form is Lunary's DatasetMeta, keys in Lunary's order.
type Dataset struct {
	ID                   string    `json:"id"`
	CreatedAt            time.Time `json:"createdAt"`
	UpdatedAt            time.Time `json:"updatedAt"`
	ProjectID            string    `json:"projectId"`
	OwnerID              *string   `json:"ownerId"`
	Name                 string    `json:"name"`
	Description          *string   `json:"description"`
	CurrentVersionID     *string   `json:"currentVersionId"`
	CurrentVersionNumber int       `json:"currentVersionNumber"`
	EvaluatorSlot1ID     *string   `json:"evaluatorSlot1Id"`
	EvaluatorSlot2ID     *string   `json:"evaluatorSlot2Id"`
	EvaluatorSlot3ID     *string   `json:"evaluatorSlot3Id"`
	EvaluatorSlot4ID     *string   `json:"evaluatorSlot4Id"`
	EvaluatorSlot5ID     *string   `json:"evaluatorSlot5Id"`
	ItemCount            int       `json:"itemCount"`
	OwnerName            *string   `json:"ownerName"`
	OwnerEmail           *string   `json:"ownerEmail"`

	CurrentVersionCreatedAt             *time.Time `json:"currentVersionCreatedAt"`
	CurrentVersionCreatedBy             *string    `json:"currentVersionCreatedBy"`
	CurrentVersionRestoredFromVersionID *string    `json:"currentVersionRestoredFromVersionId"`

	// Slug names the dataset within its project (slug.go).
	Slug string `json:"slug"`

	// EvaluatorConfigs holds the config of each slot that has one, keyed by
	// slot number "1".."5". The list endpoint omits it, single reads show it.
	EvaluatorConfigs map[string]json.RawMessage `json:"-"`
	// ETag changes with every mutation of the dataset (see Actor.IfMatch).
	ETag string `json:"-"`
}

// DatasetSort is the order of ListDatasets.
type DatasetSort string

const (
	SortNewest       DatasetSort = "newest"       // created_at desc
	SortAlphabetical DatasetSort = "alphabetical" // lower(name) asc
	SortItems        DatasetSort = "items"        // item count desc, then newest
	SortUpdated      DatasetSort = "updated"      // updated_at desc
)

// DatasetFilter narrows ListDatasets.
type DatasetFilter struct {
	// Search matches name or description, case-insensitively, as a literal
	// substring (% and _ are not wildcards).
	Search string
	Sort   DatasetSort // "" means SortNewest
}

// DatasetCreate is the input of CreateDataset. Name is trimmed and non-empty.
type DatasetCreate struct {
	Name        string
	Description *string
}

// DatasetUpdate changes the fields that are set. SetDescription distinguishes
// "set to null" from "leave alone".
type DatasetUpdate struct {
	Name           *string
	Description    *string
	SetDescription bool
	// Slug, when set, replaces the slug (slug.go): EINVALID when malformed,
	// ErrSlugTaken when another dataset of the project has it.
	Slug *string
}
