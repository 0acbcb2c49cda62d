package strata

// Diffs and item histories.
//
// Diff(a, b), for version numbers a < b, reads only the revisions opened or
// closed in (a, b] (the indexes on first_version and last_version find them):
// a revision alive at b and opened after a is an item's content at b, one
// alive at a and closed by b its content at a. Paired by item, they give the
// added, removed and modified items; an item closed and reopened with the
// same content (a restore, an edit undone) is not a change. What was not
// touched is unchanged, counted from the versions' item counts rather than
// read. So a diff costs O(changes), whatever the size of the dataset.
//
// A diff from a newer version to an older one describes going back: what
// the newer has and the older lacks is "removed". The working version (edits
// since the last snapshot) can be either side.

// ChangeKind says how an item differs between two versions.
type ChangeKind string

const (
	ChangeAdded    ChangeKind = "added"    // only in the "to" version
	ChangeRemoved  ChangeKind = "removed"  // only in the "from" version
	ChangeModified ChangeKind = "modified" // in both, with different content
)

// DiffQuery selects a diff and a page of its changes.
type DiffQuery struct {
	ProjectID string
	DatasetID string
	// From and To are refs (see ParseRef), or RefWorking.
	From, To string
	// AfterSeq skips changes of items whose Seq is <= AfterSeq (paging).
	AfterSeq int64
	// Limit bounds the changes returned; 0 means no limit.
	Limit int
	// Filter keeps the changes of the items it matches on either side;
	// Unchanged then counts the matching items of the newer side that did
	// not change.
	Filter ItemFilter
	// MaxChanges, when not 0, reads the changed revisions of that many
	// items at most, in item order: when there are more, the counts are of
	// those read, Unchanged is 0 and Partial is set. A page that only
	// counts the changes stays bounded whatever their number.
	MaxChanges int
}

// Diff is the difference between two versions of a dataset.
type Diff struct {
	// From and To are the versions compared; nil is the working version,
	// whose number is then the dataset's head + 1.
	From, To             *Version
	FromNumber, ToNumber int

	// Counts cover the whole diff, whatever page Changes holds.
	Added, Removed, Modified, Unchanged int

	// Changes is one page of the changes, in item order.
	Changes []*Change
	// More reports that changes follow the page: the next page starts after
	// the Seq of the last change.
	More bool
	// Partial reports that the diff stopped at DiffQuery.MaxChanges: its
	// counts are lower bounds.
	Partial bool
}

// Change is one item that differs. Before is nil for an added item, After
// for a removed one.
type Change struct {
	ItemID        string
	Kind          ChangeKind
	Before, After *Item
	Seq           int64 // the item's order
}

// Revision is one content of an item and the versions that hold it:
// FirstVersion <= v < LastVersion (nil: still the item's working content).
// A revision whose FirstVersion is the working version is in no version yet.
type Revision struct {
	Item
	FirstVersion int
	LastVersion  *int
}
