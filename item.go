package strata

import "encoding/json"
import "io"
import "iter"
import "time"

// Item is one test case: an input, the expected answer and the model's
// output, with up to five evaluator results. Its identity (ID) is the same in
// every version; its content at one version is a Revision.
//
// It has no JSON form of its own: the API shows it in package wire's item
// forms (Lunary's item rows).
type Item struct {
	ID               string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	DatasetID        string
	Input            string
	GroundTruth      *string
	Output           *string
	EvaluatorResult1 json.RawMessage
	EvaluatorResult2 json.RawMessage
	EvaluatorResult3 json.RawMessage
	EvaluatorResult4 json.RawMessage
	EvaluatorResult5 json.RawMessage

	// Strata's fields, after Lunary's (itemfields.go): never nil when read
	// from a store ({} and [] when empty).
	Metadata   json.RawMessage
	Splits     []string
	ExternalID *string

	// RevisionID identifies this content of the item; it changes when the
	// item is edited after a snapshot.
	RevisionID string
	// Seq orders items: creation order, stable under edits and restores.
	Seq int64
}

// ItemInput is a new item. Input defaults to "".
type ItemInput struct {
	// ID names an existing item, for an upsert or a sync to match; "" is
	// none. A plain create or import ignores it.
	ID          string
	Input       string
	GroundTruth *string
	Output      *string
	ExternalID  *string
	// Metadata is a JSON object; nil means {}.
	Metadata json.RawMessage
	Splits   []string
}

// ItemUpdate changes the fields whose Set flag is true; GroundTruth and
// Output may be set to nil.
type ItemUpdate struct {
	Input          *string
	GroundTruth    *string
	SetGroundTruth bool
	Output         *string
	SetOutput      bool
	// Metadata, when not nil, replaces the item's metadata, or with
	// MetadataMerge adds its keys to it (a null value removes the key).
	Metadata      json.RawMessage
	MetadataMerge bool
	// Splits, when not nil, replaces the item's splits.
	Splits        []string
	ExternalID    *string
	SetExternalID bool
}

// Empty reports whether u changes nothing.
func (u ItemUpdate) Empty() bool {
	return u.Input == nil && !u.SetGroundTruth && !u.SetOutput && u.Metadata == nil && u.Splits == nil && !u.SetExternalID
}

// ItemQuery selects items to scan.
type ItemQuery struct {
	ProjectID string
	DatasetID string
	// Version is the version number to read; 0 reads the working version.
	Version int
	// AfterSeq skips items whose Seq is <= AfterSeq (keyset paging).
	AfterSeq int64
	// BeforeSeq, when not 0, skips items whose Seq is >= BeforeSeq: those
	// created after a Dataset with that NextSeq was read (a run's items are
	// those of its start).
	BeforeSeq int64
	// Limit stops after this many items; 0 means no limit.
	Limit int
	// Search keeps items whose input, ground truth or output contains it,
	// case-insensitively, as a literal substring.
	Search string
	// Filter keeps the items it matches (itemfields.go).
	Filter ItemFilter
	// MaxRead, when not 0, bounds the rows a scan with a metadata filter
	// reads (the filter is checked on each): the scan then stops early and
	// sets *ReadTo to the Seq of the last row read, where a next page
	// starts.
	MaxRead int
	ReadTo  *int64
}

// ItemScan is a read of the items an ItemQuery selects together with their
// dataset, in one snapshot: what a response that shows a dataset with its
// items reads. OpenItems opens it; Close ends it, and must be called.
type ItemScan interface {
	// Dataset is the dataset as the snapshot has it: its item count and
	// ETag agree with the items.
	Dataset() *Dataset
	// Items yields the items in item order. An error ends it, yielded with
	// a nil item. It may be ranged over more than once: each time it yields
	// the same items, those of the scan's snapshot.
	Items() iter.Seq2[*Item, error]
	Close() error
}

// ItemSource yields items to import. Next returns io.EOF after the last one;
// any other error aborts the import.
type ItemSource interface {
	Next() (ItemInput, error)
}

// ItemSlice is an ItemSource over a slice.
type ItemSlice []ItemInput

func (s *ItemSlice) Next() (ItemInput, error) {
	if len(*s) == 0 {
		return ItemInput{}, io.EOF
	}
	in := (*s)[0]
	*s = (*s)[1:]
	return in, nil
}
