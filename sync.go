package strata

// Sync and upsert.
//
// A dataset can live in a file (JSONL or CSV, as export writes it) and be
// pushed back: sync makes the working set equal to the file's records with
// the smallest change. Each record is matched to a live item, in this order:
//
//  1. by id: the record's id names a live item;
//  2. by external id: its externalId is a live item's;
//  3. by content: a live item not matched yet has exactly the record's
//     input, ground truth, output, metadata, splits and external id. This is
//     a multiset match: two identical records match two identical items.
//
// A matched item keeps its id, order and evaluator results, and gets a new
// revision only if the record differs from it; an unmatched record becomes
// a new item; a live item no record matched is removed. All of it is one
// transaction, then one version (unless SkipVersion), so a push of an
// unchanged file writes nothing and makes no version. A sync whose file is
// already the working set while the head version is not (edits made with
// SkipVersion) writes no item and makes that version: after a sync, the
// head holds the file.
//
// An upsert matches by id and external id only, and removes nothing.
//
// An item's id and external id must each match at most one record: a file
// that names one twice is refused.

// SyncOptions says how to apply a file to a dataset.
type SyncOptions struct {
	// Upsert updates the records that name live items and adds the others,
	// removing nothing.
	Upsert bool
	// DryRun computes the counts and the first changes without writing.
	DryRun bool
	// SkipVersion leaves the change in the working version.
	SkipVersion bool
	// Name and Description label the version the sync makes; nil takes the
	// dataset's own.
	Name, Description *string
	// ChangeLimit is how many changes Result.Changes lists at most; 0
	// lists none. A store also stops the list at about 8 MiB of items.
	ChangeLimit int
	// MaxBytes bounds what a sync holds in memory between reading the file
	// and writing: the items it adds or changes, the records it matches by
	// content and the items it removes, in bytes of their fields plus a
	// fixed part each. More is ETOOLARGE and writes nothing; 0: no bound.
	MaxBytes int64
}

// ErrSyncTooLarge is a sync that would hold more than max bytes in memory.
func ErrSyncTooLarge(max int64) error {
	return Errorf(ETOOLARGE, "This sync would hold more than %d bytes of items in memory until it writes them "+
		"(the items it adds, changes or removes, and the records it matches by content): send a smaller file, "+
		"or raise the server's --max-sync-bytes", max)
}

// SyncResult counts what a sync or upsert changed (or, dry, would change).
type SyncResult struct {
	Added, Modified, Removed, Unchanged int
	// Version is the version made, nil when nothing changed (and the head
	// already held the file), with SkipVersion, or in a dry run.
	Version *Version
	// Changes lists the first changes: modified and added items in the
	// order of the file, then removed items in item order. The ids of items
	// a dry run would add are empty.
	Changes []*Change
	// More reports that there are changes beyond Changes.
	More bool
}

// Changed reports whether r changes the working set.
func (r *SyncResult) Changed() bool { return r.Added+r.Modified+r.Removed > 0 }
