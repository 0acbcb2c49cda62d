package strata

import "time"

// Versions, and how Strata stores them.
//
// Items are stored as revisions. A revision is one immutable content of one
// item, alive over a half-open range of version numbers:
//
//	revision(rev_id, item_id, dataset_id, seq, first_version, last_version, content...)
//
// Version v contains exactly the revisions with
// first_version <= v < coalesce(last_version, infinity).
//
// A dataset's head H is its newest version number. Edits since the last
// snapshot live in the working version W = H + 1:
//
//   - Editing an item whose open revision has first_version = W (a draft, in no
//     version yet) updates it in place. Otherwise the open revision is closed
//     (last_version = W) and a new one is opened with first_version = W.
//   - Deleting removes a draft, and closes a revision that some version holds.
//   - A snapshot inserts one version row numbered W and sets H = W. It reads and
//     copies no item: the item count is a counter kept by every insert and
//     delete. O(1), whatever the size of the dataset.
//   - Restoring version v closes (or drops, if draft) the open revisions that v
//     lacks, reopens copies of v's revisions that the working set lacks (same
//     item id and seq, new revision id), and snapshots. O(difference); item
//     ids, order and evaluator results survive.
//
// Every version row also keeps the content hash of its items (hash.go): the
// dataset keeps its working set's, updated as each revision is opened or
// closed, and a snapshot copies it. Diffs, tags and item histories read this
// same structure (diff.go, ref.go).
//
// Invariants, enforced by the schema where it can be:
//   - at most one open revision (last_version null) per item;
//   - a dataset's version numbers are 1..H with no gap;
//   - no revision has first_version > W;
//   - a version's content never changes once created: only revisions with
//     first_version = W are ever updated in place or deleted.
//
// Item order is seq, the item's creation order in its dataset, the same in the
// working list and in every version.

// Version is an immutable snapshot of a dataset. The API shows it as
// wire.Version (Lunary's DatasetV2Version).
type Version struct {
	ID                    string
	DatasetID             string
	Number                int
	CreatedAt             time.Time
	CreatedBy             *string
	RestoredFromVersionID *string
	Name                  *string
	Description           *string
	ItemCount             int

	// Strata's: the tags pointing at the version, by name, and the hash of
	// its content (see ContentHash).
	Tags        []string
	ContentHash string
	// RestoredFromNumber is the number of the version RestoredFromVersionID
	// names, where the store reads it with the version (ListVersions).
	RestoredFromNumber *int
}

// VersionCreate is the input of CreateVersion. A nil Name or Description takes
// the dataset's own, as Lunary does.
type VersionCreate struct {
	Name        *string
	Description *string
}
