package strata

import "context"
import "fmt"

// Checker is a store that can verify the invariants of the versioning model
// (version.go) over its whole database: `strata check` runs it, and so does
// the conformance suite after its randomised runs. Both stores are Checkers;
// it is apart from Store, which a store that cannot check still is.
type Checker interface {
	// Check verifies every invariant in one snapshot and returns what it
	// finds broken.
	Check(ctx context.Context) ([]Violation, error)
}

// Violation is a broken invariant of the versioning model.
type Violation struct {
	Invariant string
	DatasetID string
	Detail    string
}

func (v Violation) String() string {
	return fmt.Sprintf("dataset %s: %s: %s", v.DatasetID, v.Invariant, v.Detail)
}
