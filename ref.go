package strata

import "context"
import "regexp"
import "strconv"
import "strings"
import "time"

// Refs and tags.
//
// Wherever a path names a version it takes a ref: the version's id (a UUID),
// its number ("3"), "latest" (the newest version) or a tag of the dataset. A
// tag is a name pointing at one version of its dataset. It can be moved to
// another version or removed; the versions themselves never change.
//
// Tag names are 1 to 64 letters, digits, '-', '_' and '.', and must not read
// as another kind of ref: not a number, not "latest" or "working" (in any
// case), not a UUID; nor "." or "..", which no URL path can carry. So a ref names at most one version, and a string that is
// no ref at all names none (404, like an unknown one).

const (
	// RefLatest names the newest version of a dataset.
	RefLatest = "latest"
	// RefWorking names the working version (edits since the last
	// snapshot), where a diff accepts it.
	RefWorking = "working"
	// MaxTagLength is the longest tag name, in bytes.
	MaxTagLength = 64
)

// Ref is a parsed version ref: exactly one field is set.
type Ref struct {
	ID     string // lower-case UUID
	Number int
	Latest bool
	Tag    string
}

var (
	uuidRef   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	numberRef = regexp.MustCompile(`^[0-9]{1,9}$`)
	tagName   = regexp.MustCompile(`^[A-Za-z0-9._-]{1,` + strconv.Itoa(MaxTagLength) + `}$`)
	// numeric is what reads as a number: tags may not look like one.
	numeric = regexp.MustCompile(`^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$`)
)

// ParseRef parses a version ref. It reports false for a string that cannot
// name a version: not a UUID, a positive number, "latest" or a valid tag name.
func ParseRef(s string) (Ref, bool) {
	switch {
	case s == RefLatest:
		return Ref{Latest: true}, true
	case uuidRef.MatchString(s):
		return Ref{ID: strings.ToLower(s)}, true
	case numberRef.MatchString(s):
		n, _ := strconv.Atoi(s)
		return Ref{Number: n}, n > 0
	case CheckTagName(s) == nil:
		return Ref{Tag: s}, true
	}
	return Ref{}, false
}

// CheckTagName returns an EINVALID error when name cannot be a tag.
func CheckTagName(name string) error {
	switch {
	case !tagName.MatchString(name):
		return ErrTagName
	case numeric.MatchString(name), uuidRef.MatchString(name), name == ".", name == "..",
		strings.EqualFold(name, RefLatest), strings.EqualFold(name, RefWorking):
		return ErrTagReserved
	}
	return nil
}

// Tag errors.
var (
	ErrTagNotFound = &Error{Code: ENOTFOUND, Message: "Tag not found"}
	ErrTagName     = &Error{Code: EINVALID, Message: "A tag is 1 to " + strconv.Itoa(MaxTagLength) + " letters, digits, '-', '_' or '.'"}
	ErrTagReserved = &Error{Code: EINVALID, Message: "A tag may not be a number, a UUID, '.', '..', 'latest' or 'working'"}
)

// Tag is a name for a version of a dataset.
type Tag struct {
	Name          string
	VersionID     string
	VersionNumber int
	CreatedAt     time.Time // when it was last pointed at its version
}

// HistoryStore manages a dataset's tags and reads its history: what changed
// between two versions and how one item changed.
type HistoryStore interface {
	// ListTags calls fn with each tag of a dataset, by name (byte order),
	// one at a time, and stops at fn's first error, which it returns.
	ListTags(ctx context.Context, projectID, datasetID string, fn func(*Tag) error) error
	// TagVersion points tag at the version ref names, creating the tag or
	// moving it. It returns the version, with its tags, and the number of
	// the version the tag was moved from (nil if it was new or already
	// there).
	TagVersion(ctx context.Context, a Actor, datasetID, ref, tag string) (*Version, *int, error)
	// UntagVersion removes a tag. When ref is not empty, the tag must point
	// at the version it names.
	UntagVersion(ctx context.Context, a Actor, datasetID, ref, tag string) error
	// DiffVersions compares two versions; see Diff.
	DiffVersions(ctx context.Context, q DiffQuery) (*Diff, error)
	// ItemHistory calls fn with each revision of an item, oldest first,
	// including those of a deleted item (whose newest revision is closed),
	// holding a bounded chunk of them at a time. It is ErrItemNotFound, before
	// any call, only for an item that no version and no working set ever held.
	ItemHistory(ctx context.Context, projectID, datasetID, itemID string, fn func(*Revision) error) error
	// ItemHistoryTail returns the newest n revisions of an item, oldest
	// first, and how many it has in all: it reads at most n revisions (fewer
	// when they hold more than a bounded chunk of bytes) and counts the others
	// on an index without reading them. Its errors are ItemHistory's.
	ItemHistoryTail(ctx context.Context, projectID, datasetID, itemID string, n int) (revs []*Revision, total int, err error)
}
