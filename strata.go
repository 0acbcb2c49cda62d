// Package strata is the domain of Strata, a versioned store for LLM evaluation
// datasets: its types, the Store interface every backend implements, and its
// errors. Subpackages wrap one dependency each (sqlite, postgres, api) and talk
// to each other only through the types defined here.
package strata

import "context"
import "time"

import "github.com/google/uuid"

// Store is everything Strata keeps. The sqlite and postgres packages implement
// it; storetest defines, once, what an implementation must do.
//
// Every method that reads or writes a dataset is scoped to a project: a dataset
// of another project is ENOTFOUND. Every mutation runs in one transaction that
// locks the dataset and commits together with the version it triggers; one
// that changes a dataset checks, and reports its new ETag to, the Condition
// of its context (etag.go).
type Store interface {
	DatasetStore
	ItemStore
	VersionStore
	KeyStore
	EvaluatorStore
	RunStore
	HistoryStore
	IdempotencyStore
	SessionStore
	// Ping reports whether the database answers: the server's readiness.
	Ping(ctx context.Context) error
	// MarkUnavailable returns err, returned by the store, marked with
	// ErrUnavailable when it says that the database cannot be reached for
	// now (stopped, restarting, refusing or dropping connections, locked by
	// another process): the request may succeed if sent again. Any other
	// error comes back as it is.
	MarkUnavailable(err error) error
	Close() error
}

// Actor is who performs a mutation: the project it is confined to and the user
// it is recorded as (owner of a new dataset, creator of a version). A write's
// If-Match travels apart, in its context (Condition, etag.go).
type Actor struct {
	ProjectID string
	UserID    string // may be empty
}

// WriteOptions controls the auto-version that item and dataset edits trigger.
type WriteOptions struct {
	// SkipVersion leaves the change in the working version instead of
	// snapshotting it (Lunary's ?skipVersion=true).
	SkipVersion bool
}

// Millis truncates t to the millisecond precision Strata stores and returns,
// in UTC.
func Millis(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// DatasetStore manages datasets.
type DatasetStore interface {
	// ListDatasets calls fn with each dataset of a project that f admits,
	// in f's order, a row at a time, and stops at fn's first error, which
	// it returns.
	ListDatasets(ctx context.Context, projectID string, f DatasetFilter, fn func(*Dataset) error) error
	FindDataset(ctx context.Context, projectID, id string) (*Dataset, error)
	// FindDatasetBySlug returns the dataset of the project with that slug.
	FindDatasetBySlug(ctx context.Context, projectID, slug string) (*Dataset, error)
	// CreateDataset creates the dataset and its version 1 (empty).
	CreateDataset(ctx context.Context, a Actor, c DatasetCreate) (*Dataset, error)
	UpdateDataset(ctx context.Context, a Actor, id string, u DatasetUpdate, w WriteOptions) (*Dataset, error)
	DeleteDataset(ctx context.Context, a Actor, id string) error
	// DuplicateDataset copies the working items (input, ground truth, output,
	// metadata, splits, external id)
	// into a new dataset named "<name> copy", "<name> copy (2)", ..., at version 1.
	DuplicateDataset(ctx context.Context, a Actor, id string) (*Dataset, error)
}

// ItemStore manages the items of a dataset's working version.
type ItemStore interface {
	// ScanItems calls fn for each item of q.Version (0: the working version)
	// in item order, stopping at the first error fn returns.
	ScanItems(ctx context.Context, q ItemQuery, fn func(*Item) error) error
	// OpenItems opens a read of the items of q.Version with their dataset,
	// in one snapshot (ItemScan), for a caller that needs the dataset before
	// the first item. Its errors are ScanItems'.
	OpenItems(ctx context.Context, q ItemQuery) (ItemScan, error)
	FindItem(ctx context.Context, projectID, datasetID, itemID string) (*Item, error)
	CreateItem(ctx context.Context, a Actor, datasetID string, in ItemInput, w WriteOptions) (*Item, error)
	UpdateItem(ctx context.Context, a Actor, datasetID, itemID string, u ItemUpdate, w WriteOptions) (*Item, error)
	DeleteItem(ctx context.Context, a Actor, datasetID, itemID string, w WriteOptions) error
	// ImportItems appends every item src yields, in one transaction: an error
	// from src inserts nothing. It versions only if at least one item was
	// inserted and w does not skip.
	ImportItems(ctx context.Context, a Actor, datasetID string, src ItemSource, w WriteOptions) (int, error)
	// SyncItems applies the records src yields to the working set, in one
	// transaction (sync.go): it makes the working set equal to them, or with
	// o.Upsert updates and adds without removing.
	SyncItems(ctx context.Context, a Actor, datasetID string, src ItemSource, o SyncOptions) (*SyncResult, error)
}

// VersionStore manages versions: snapshots of the working set.
type VersionStore interface {
	// ListVersions returns the newest limit versions numbered below before
	// (0: all of them), newest first.
	ListVersions(ctx context.Context, projectID, datasetID string, before, limit int) ([]*Version, error)
	// ResolveVersion returns the version a ref names: its id, its number,
	// "latest" or a tag (ParseRef); ENOTFOUND (ErrVersionNotFound) when it
	// names none.
	ResolveVersion(ctx context.Context, projectID, datasetID, ref string) (*Version, error)
	// CreateVersion snapshots the working version. It reads no item.
	CreateVersion(ctx context.Context, a Actor, datasetID string, c VersionCreate) (*Version, *Dataset, error)
	// RestoreVersion makes the working set equal to the items of the version
	// a ref names, keeping item ids, order and results, and snapshots it.
	RestoreVersion(ctx context.Context, a Actor, datasetID, versionID string) (*Dataset, *Version, error)
}

// NewID returns a new identifier: a UUIDv7, so ids sort by creation time and
// index well.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// IsID reports whether s has the form of an id: a UUID in its 36-character
// text form. Other strings name nothing.
func IsID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
