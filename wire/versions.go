package wire

// Version is Lunary's DatasetV2Version, then Strata's keys.
type Version struct {
	ID                    string    `json:"id"`
	DatasetID             string    `json:"datasetId"`
	VersionNumber         int       `json:"versionNumber"`
	CreatedAt             Timestamp `json:"createdAt"`
	CreatedBy             *string   `json:"createdBy"`
	RestoredFromVersionID *string   `json:"restoredFromVersionId"`
	Name                  *string   `json:"name"`
	Description           *string   `json:"description"`
	ItemCount             int       `json:"itemCount"`
	// Strata's extensions follow Lunary's keys.
	Tags        []string `json:"tags"`
	ContentHash string   `json:"contentHash"`
}

// VersionWithItems is a version and its items.
type VersionWithItems struct {
	Version Version       `json:"version"`
	Items   []VersionItem `json:"items"`
}

// Tag names one version of a dataset.
type Tag struct {
	Name          string    `json:"name"`
	VersionID     string    `json:"versionId"`
	VersionNumber int       `json:"versionNumber"`
	CreatedAt     Timestamp `json:"createdAt"`
}

// Tagged answers a tag: the version it names now, and the number of the one
// it named before if it moved.
type Tagged struct {
	Version   Version `json:"version"`
	MovedFrom *int    `json:"movedFrom"`
}

// Change is one changed item of a diff or a sync: "added", "removed" or
// "modified", with the item before and after.
type Change struct {
	ItemID string `json:"itemId"`
	Change string `json:"change"`
	Before *Item  `json:"before"`
	After  *Item  `json:"after"`
}

// DiffCounts counts the items of a diff.
type DiffCounts struct {
	Added     int `json:"added"`
	Removed   int `json:"removed"`
	Modified  int `json:"modified"`
	Unchanged int `json:"unchanged"`
}

// Diff is the difference between two versions (nil: the working items): the
// counts of the whole and a page of changes.
type Diff struct {
	From              *Version   `json:"from"`
	To                *Version   `json:"to"`
	FromVersionNumber int        `json:"fromVersionNumber"`
	ToVersionNumber   int        `json:"toVersionNumber"`
	Counts            DiffCounts `json:"counts"`
	Changes           []Change   `json:"changes"`
	NextCursor        *string    `json:"nextCursor"`
}

// SyncResult answers a sync or an upsert: what changed, the version it
// made (nil when nothing changed and the head held the file, or with a dry
// run or skipVersion). A dry run also holds a first page of the changes,
// and whether more follow.
type SyncResult struct {
	Added     int      `json:"added"`
	Modified  int      `json:"modified"`
	Removed   int      `json:"removed"`
	Unchanged int      `json:"unchanged"`
	Version   *Version `json:"version"`
	// Mapping and Unmapped say how the file's columns were read, as an
	// import's do.
	Mapping  ImportMapping `json:"mapping"`
	Unmapped []string      `json:"unmapped"`
	Changes  []Change      `json:"changes,omitempty"`
	More     *bool         `json:"more,omitempty"`
}

// VersionList is a dataset's versions, newest first.
type VersionList struct {
	Versions []Version `json:"versions"`
}

// VersionCreated answers the creation of a version: the version and the
// dataset it is now the current version of.
type VersionCreated struct {
	Version Version       `json:"version"`
	Dataset DatasetDetail `json:"dataset"`
}

// TagList is a dataset's tags, by name.
type TagList struct {
	Tags []Tag `json:"tags"`
}
