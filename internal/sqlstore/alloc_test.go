package sqlstore

import "database/sql"
import "testing"

import "github.com/strata-eval/strata"

// TestItemOneAllocation holds a scanned row's item to one allocation: the
// item with the strings its GroundTruth and Output point to.
func TestItemOneAllocation(t *testing.T) {
	r := revision{id: "r", itemID: "i", seq: 1, firstVersion: 1, input: "question",
		groundTruth: sql.NullString{String: "answer", Valid: true}, output: sql.NullString{String: "output", Valid: true}}
	if n := testing.AllocsPerRun(100, func() { r.item("d") }); n != 1 {
		t.Errorf("item: %v allocations, want 1", n)
	}
	it := r.item("d")
	if *it.GroundTruth != "answer" || *it.Output != "output" || it.Input != "question" || it.RevisionID != "r" {
		t.Errorf("item = %+v", it)
	}
	r.groundTruth.Valid, r.output.Valid = false, false
	if it := r.item("d"); it.GroundTruth != nil || it.Output != nil {
		t.Errorf("NULL ground truth and output: %v, %v, want nil", it.GroundTruth, it.Output)
	}
}

// TestAddHashAllocatesNothing: an import hashes every revision it writes;
// one with a ground truth, an output and an external id adds to a hash
// without an allocation, and subtracting it again gives the hash back.
func TestAddHashAllocatesNothing(t *testing.T) {
	r := revision{itemID: "i", input: "question", groundTruth: sql.NullString{String: "answer", Valid: true},
		output: sql.NullString{String: "output", Valid: true}, externalID: sql.NullString{String: "e-1", Valid: true}}
	var h strata.ContentHash
	if n := testing.AllocsPerRun(100, func() { r.addHash(&h) }); n != 0 {
		t.Errorf("addHash: %v allocations, want 0", n)
	}
	var one strata.ContentHash
	r.addHash(&one)
	if r.subHash(&one); one != (strata.ContentHash{}) {
		t.Error("subHash does not undo addHash")
	}
}
