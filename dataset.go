package strata

import "encoding/json"
import "time"

// Dataset is a named collection of items with a history of versions. It has
// no JSON form of its own: the API shows it as wire.Dataset (Lunary's
// DatasetMeta).
type Dataset struct {
	ID                   string
	CreatedAt            time.Time
	UpdatedAt            time.Time
	ProjectID            string
	OwnerID              *string
	Name                 string
	Description          *string
	CurrentVersionID     *string
	CurrentVersionNumber int
	EvaluatorSlot1ID     *string
	EvaluatorSlot2ID     *string
	EvaluatorSlot3ID     *string
	EvaluatorSlot4ID     *string
	EvaluatorSlot5ID     *string
	ItemCount            int
	OwnerName            *string
	OwnerEmail           *string

	CurrentVersionCreatedAt             *time.Time
	CurrentVersionCreatedBy             *string
	CurrentVersionRestoredFromVersionID *string

	// Slug names the dataset within its project (slug.go).
	Slug string

	// EvaluatorConfigs holds the config of each slot that has one, keyed by
	// slot number "1".."5". The list endpoint omits it, single reads show it.
	EvaluatorConfigs map[string]json.RawMessage
	// ETag changes with every mutation of the dataset (see Actor.IfMatch).
	ETag string
	// NextSeq is the Seq the next item created will have: the items that
	// exist now are those below it (ItemQuery.BeforeSeq).
	NextSeq int64
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
